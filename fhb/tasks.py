"""Celery tasks of the core domain: thin, take ids, call a service."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .jobs import jobs_recover
from .models import Citizen, OfferSync
from .offers import offers_sync_job_run
from .registry.jobs import import_job_run, import_jobs_purge


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def import_job_run_task(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task
def jobs_recover_task() -> dict:
    """Every minute: start again the long jobs whose worker is gone (fhb.jobs)."""
    return jobs_recover()


@shared_task
def import_jobs_purge_task() -> int:
    return import_jobs_purge()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def offers_sync_job_task(job_id: int) -> str:
    """Recompute one municipality's year (an OfferSync, a long job: idempotent, the sync converges
    on the same offers)."""
    return offers_sync_job_run(job_id=job_id).status


def offers_sync_queue(municipality_id: int, year: int) -> OfferSync:
    """Queue a sync of the municipality's year, started once the caller's transaction commits (in
    the demo, without a worker, it runs then and there, as it did before it was a job)."""
    job = OfferSync.objects.create(municipality_id=municipality_id, year=year)
    transaction.on_commit(lambda: offers_sync_job_task.delay(job.pk))
    return job


def sync_years() -> tuple[int, int]:
    """The years whose offers are kept in line with the registry: this year and next (a team
    leader in December plans January's letters)."""
    year = timezone.localdate().year
    return year, year + 1


def offers_sync_soon(municipality_ids) -> None:
    """After the registry changed (an import from the page or the command line): recompute the
    municipalities' offers for this year and next, as the nightly job does, once the change has
    committed."""
    for municipality_id in sorted(municipality_ids):
        for year in sync_years():
            offers_sync_queue(municipality_id, year)


@shared_task
def offers_sync_nightly_task() -> int:
    """Every municipality with citizens: this year and next, so due lists reflect last night's data."""
    ids = list(Citizen.objects.values_list("municipality_id", flat=True).distinct())
    for municipality_id in ids:
        for year in sync_years():
            offers_sync_queue(municipality_id, year)
    return len(ids)
