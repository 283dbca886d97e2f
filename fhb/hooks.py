"""How the apps above the core contribute to what the core shows, without the core importing them
(the way Wagtail's hooks let apps extend its admin). The flow runs one way: core <- visits <-
invitations <- reports (README, architecture). Where a core page or command must show something
of a higher layer (the citizen's timeline and page, an import kind, the demo), that app registers
a function here from its `fhb_hooks.py`, which the core discovers when Django starts.

The hooks and what their functions take and give:

- `citizen_timeline(citizen, *, show_notes) -> iterable of fhb.timeline.Entry`
- `citizen_page(request, citizen) -> dict` merged into the citizen page's template context
- `import_services() -> {ImportKind: service}`: row imports the upload page can run
- `demo_seed(demo: fhb.demo.Demo) -> dict` merged into what `seed_demo` prints; run in `order`
- `counted_visits() -> QuerySet` of the visits that count as preventive visits (with `citizen_id`
  and `visit_date`): a local target group's "not visited for N years" (fhb.eligibility)
- `long_jobs() -> [fhb.jobs.LongJob]`: jobs that are started again when their worker is lost
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

NAMES = ("citizen_timeline", "citizen_page", "import_services", "demo_seed", "counted_visits", "long_jobs")

_registry: dict[str, list[tuple[int, int, Callable]]] = defaultdict(list)


def register(name: str, *, order: int = 0) -> Callable[[Callable], Callable]:
    """Decorator: `@hooks.register("citizen_timeline")`. Lower `order` runs first; same order runs
    in registration order. Registering the same function twice is a no-op."""
    if name not in NAMES:
        raise ValueError(f"Unknown hook {name!r}; the hooks are {', '.join(NAMES)}")

    def decorator(fn: Callable) -> Callable:
        if all(f is not fn for _o, _i, f in _registry[name]):
            _registry[name].append((order, len(_registry[name]), fn))
        return fn

    return decorator


def get_hooks(name: str) -> list[Callable]:
    if name not in NAMES:
        raise ValueError(f"Unknown hook {name!r}")
    return [fn for _order, _i, fn in sorted(_registry[name], key=lambda t: (t[0], t[1]))]


def discover() -> None:
    """Import every installed app's `fhb_hooks` module (from FhbConfig.ready)."""
    autodiscover_modules("fhb_hooks")
