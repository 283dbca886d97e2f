"""What reports contributes to the core (fhb.hooks): the demo's approved months, and the DST
delivery as a long job that is started again when its worker is lost."""

from fhb import hooks
from fhb.jobs import LongJob

from . import demo

hooks.register("demo_seed", order=20)(demo.demo_seed)


@hooks.register("long_jobs")
def long_jobs() -> list[LongJob]:
    from .models import Delivery
    from .tasks import delivery_run_task

    return [LongJob(Delivery, delivery_run_task)]
