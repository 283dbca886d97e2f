"""What the core registers on its own hooks: its long jobs (the registry imports, the offer syncs)."""

from . import hooks
from .jobs import LongJob


@hooks.register("long_jobs")
def long_jobs() -> list[LongJob]:
    from .models import ImportJob, OfferSync
    from .tasks import import_job_run_task, offers_sync_job_task

    return [LongJob(ImportJob, import_job_run_task), LongJob(OfferSync, offers_sync_job_task)]
