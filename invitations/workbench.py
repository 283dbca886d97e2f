"""Try before adopting (Ældreloven § 4): a draft of a year's target groups against the
municipality's population and capacity, beside the year before — the decision every municipality
faced in 2025-26, made visible. Nothing is stored.

For the draft: citizens per group; how many are in several groups; who is new and who drops out
compared with the year before; whom the groups reach (age, living alone, receiving help, risk
events); the visits to expect per group at the municipality's own uptake per letter kind (else the
national figures, stated: `uptake.py`); and the consultant capacity that needs against the team's.
Computed with the same set-based eligibility query as the due lists (one query per year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from fhb.eligibility import EligibilityError, Policy, eligibility_rows, policy_for
from fhb.eligibility.query import eligibility_queryset
from fhb.law import LOCAL_GROUPS_FROM, legal_basis_for_year, rule_set_for
from fhb.law.rulesets import RuleSet
from fhb.models import InvitationKind, Municipality, RiskEvent, Role, User
from fhb.selectors import target_group_labels

from .uptake import estimates

# Weeks a year a consultant visits, after holidays, courses and absence: the capacity's assumption,
# stated on the page.
WORKING_WEEKS = 42
AGE_BANDS = (("65–69", 65, 69), ("70–74", 70, 74), ("75–79", 75, 79), ("80–84", 80, 84), ("85+", 85, 200))


@dataclass
class GroupFigures:
    code: str
    label: str
    invitation: str
    visits_per_year: int
    citizens: int = 0  # in the group (a citizen in several groups counts in each)
    primary: int = 0  # whose first group (in the standard's order) it is: the visits counted here
    new: int = 0  # not in any group the year before
    exempt: int = 0
    rate: float = 0.0
    rate_source: str = "national"
    expected_visits: float = 0.0

    @property
    def invitation_label(self) -> str:
        return str(InvitationKind(self.invitation).label)


@dataclass
class Trial:
    year: int
    compare_year: int
    legal_basis: str
    local: bool
    groups: list[GroupFigures]
    reached: int  # in at least one group, not exempt
    exempt: int
    in_several: int
    new: int
    dropped: int
    kept: int
    reach: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    expected_visits: float = 0.0
    consultants: int = 0
    weekly_capacity: int = 0
    working_weeks: int = WORKING_WEEKS

    @property
    def capacity_visits(self) -> int:
        return self.weekly_capacity * self.working_weeks

    @property
    def capacity_share(self) -> float | None:
        return self.expected_visits / self.capacity_visits if self.capacity_visits else None


def _groups_in_order(year: int, policy: Policy) -> list[tuple[str, int]]:
    """(code, visits a year) of the year's groups, in priority order."""
    local = policy.local_groups_for(year)
    if local:
        return [(g.code, g.visits_per_year) for g in local]
    rules: RuleSet = rule_set_for(year)
    return [(code, rules.visits_required) for code in rules.codes]


def trial(municipality: Municipality, *, year: int, policy: Policy, compare_policy: Policy | None = None) -> Trial:
    """The draft `policy` for `year` beside the year before (under `compare_policy`, default its
    adopted standard). Both read on 1 January of their year."""
    as_of = dt.date(year, 1, 1)
    order = _groups_in_order(year, policy)
    labels = target_group_labels(municipality.pk)
    labels.update({g.code: g.label for g in policy.local_groups_for(year)})
    figures = {
        code: GroupFigures(code, labels.get(code, code), policy.invitation_for(code), per_year)
        for code, per_year in order
    }
    rank = {code: i for i, (code, _per_year) in enumerate(order)}

    before: set[int] = set()
    try:
        previous = compare_policy or policy_for(municipality, year - 1)
        before = {
            row.citizen_id
            for row in eligibility_rows(
                municipality=municipality, year=year - 1, as_of=dt.date(year - 1, 1, 1), policy=previous
            )
            if not row.exempt
        }
    except EligibilityError:  # no rules before 2010: nothing to compare with
        pass

    reached: list[int] = []
    exempt = in_several = 0
    for row in eligibility_rows(municipality=municipality, year=year, as_of=as_of, policy=policy):
        if row.exempt:
            exempt += 1
            for code in row.groups:
                figures[code].exempt += 1
            continue
        reached.append(row.citizen_id)
        in_several += len(row.groups) > 1
        new = row.citizen_id not in before
        for code in row.groups:
            figures[code].citizens += 1
            figures[code].new += new
        figures[min(row.groups, key=lambda c: rank.get(c, len(rank)))].primary += 1

    rates = estimates(municipality, year, list(figures))
    expected = 0.0
    for group in figures.values():
        estimate = rates[(group.code, group.invitation)]
        group.rate, group.rate_source = estimate.rate, estimate.source
        group.expected_visits = round(group.primary * estimate.rate * group.visits_per_year, 1)
        expected += group.expected_visits
    reached_set = set(reached)
    consultants = User.objects.filter(municipality=municipality, role=Role.CONSULTANT, is_active=True)
    default = settings.FHB["DEFAULT_WEEKLY_VISIT_CAPACITY"]
    return Trial(
        year=year,
        compare_year=year - 1,
        legal_basis=legal_basis_for_year(year, local_groups=bool(policy.local_groups_for(year))),
        local=year >= LOCAL_GROUPS_FROM and bool(policy.local_groups_for(year)),
        groups=list(figures.values()),
        reached=len(reached),
        exempt=exempt,
        in_several=in_several,
        new=len(reached_set - before),
        dropped=len(before - reached_set),
        kept=len(reached_set & before),
        reach=_reach(municipality, year=year, as_of=as_of, policy=policy),
        expected_visits=round(expected, 1),
        consultants=consultants.count(),
        weekly_capacity=sum(u.weekly_visit_capacity or default for u in consultants),
    )


def _reach(municipality: Municipality, *, year: int, as_of: dt.date, policy: Policy) -> dict:
    """Whom the groups reach (not exempt): age in the year, living alone, receiving help, a risk
    event in the year before. One aggregate over the same eligibility query, in the database."""
    citizens, _columns, _rules = eligibility_queryset(
        municipalities=[municipality], year=year, as_of=as_of, policy=policy
    )
    events = RiskEvent.objects.filter(
        citizen=OuterRef("pk"), registered_on__range=(as_of - dt.timedelta(days=365), as_of)
    )
    bands = {
        label: Count("pk", filter=Q(birth_date__year__range=(year - high, year - low)))
        for label, low, high in AGE_BANDS
    }
    figures = citizens.filter(exempt=False).aggregate(
        total=Count("pk"),
        young=Count("pk", filter=Q(birth_date__year__gt=year - 65)),
        alone=Count("pk", filter=Q(household_size=1)),
        helped=Count("pk", filter=Q(personal_care=True) | Q(practical_help=True)),
        risk=Count("pk", filter=Q(Exists(events))),
        **bands,
    )
    total = figures["total"]
    young = [("<65", figures["young"])] if figures["young"] else []
    return {
        "age": young + [(label, figures[label]) for label, _low, _high in AGE_BANDS],
        "household": [("alone", figures["alone"]), ("not_alone", total - figures["alone"])],
        "help": [("receives_help", figures["helped"]), ("no_help", total - figures["helped"])],
        "risk": [("risk_event", figures["risk"]), ("no_risk_event", total - figures["risk"])],
    }
