"""Celery tasks of the core domain: thin, take ids, call a service."""

from celery import shared_task

from .registry.jobs import import_job_run, import_jobs_purge


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def import_job_run_task(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task
def import_jobs_purge_task() -> int:
    return import_jobs_purge()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def offers_sync_task(municipality_id: int, year: int) -> str:
    """Recompute one municipality's year (idempotent: the sync converges on the same offers)."""
    from .models import Municipality
    from .offers import offers_sync

    return offers_sync(municipality=Municipality.objects.get(pk=municipality_id), year=year).summary


@shared_task
def offers_sync_nightly_task() -> int:
    """Every municipality with citizens: this year and next, so due lists reflect last night's data."""
    from django.utils import timezone

    from .models import Citizen

    year = timezone.localdate().year
    ids = list(Citizen.objects.values_list("municipality_id", flat=True).distinct())
    for municipality_id in ids:
        for y in (year, year + 1):
            offers_sync_task.delay(municipality_id, y)
    return len(ids)
