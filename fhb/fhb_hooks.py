"""What the core registers on its own hooks: its long job (the registry imports)."""

from . import hooks
from .jobs import LongJob


@hooks.register("long_jobs")
def long_jobs() -> list[LongJob]:
    from .models import ImportJob
    from .tasks import import_job_run_task

    return [LongJob(ImportJob, import_job_run_task)]
