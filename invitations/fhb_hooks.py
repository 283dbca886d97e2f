"""What invitations contributes to the core (fhb.hooks): the demo's draft of next year's groups,
the rendering of a letter batch as a long job that is started again when its worker is lost, and
the call list's calls in the citizen's timeline (contacts, never visits)."""

from django.conf import settings

from fhb import hooks
from fhb.jobs import LongJob

from . import demo

hooks.register("demo_seed", order=15)(demo.demo_seed)

GAVE_UP = (
    "Dannelsen stoppede gentagne gange (arbejdsprocessen forsvandt). De breve, der er dannet, er gemt; "
    "fortsæt dannelsen igen."
)


@hooks.register("long_jobs")
def long_jobs() -> list[LongJob]:
    from .models import BatchStatus, LetterBatch
    from .tasks import batch_render_task

    return [
        LongJob(
            LetterBatch, batch_render_task, queued=BatchStatus.APPROVED, running=BatchStatus.RENDERING,
            failed=BatchStatus.FAILED, heartbeat="progress_at", finished=None,
            lease=settings.FHB["BATCH_LEASE_SECONDS"], gave_up=GAVE_UP,
        )
    ]  # fmt: skip


@hooks.register("citizen_timeline")
def call_entries(citizen, *, show_notes: bool):
    """Calls from the call list: contacts in the timeline (never visits). The note may say why a
    citizen declined, so it shows only where journal notes do."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from fhb.timeline import Entry

    from .models import CallAttempt

    entries = []
    for call in CallAttempt.objects.filter(citizen=citizen).select_related("called_by"):
        detail = " · ".join(
            x
            for x in [
                call.get_outcome_display(),
                _("ring igen %(d)s") % {"d": f"{call.next_attempt:%d-%m-%Y}"} if call.next_attempt else "",
                str(call.called_by or ""),
                call.note if show_notes else "",
            ]
            if x
        )
        day = timezone.localtime(call.called_at).date()
        entries.append(
            Entry(day=day, at=call.called_at, kind="contact", title=_("Telefonopkald (ringeliste)"), detail=detail)
        )
    return entries
