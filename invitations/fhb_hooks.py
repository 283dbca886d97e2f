"""What invitations contributes to the core (fhb.hooks): the demo's draft of next year's groups,
and the rendering of a letter batch as a long job that is started again when its worker is lost."""

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
