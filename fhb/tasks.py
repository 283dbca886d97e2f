"""Celery tasks of the core domain: thin, take ids, call a service."""

from celery import shared_task

from .registry.jobs import import_job_run, import_jobs_purge


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def import_job_run_task(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task
def import_jobs_purge_task() -> int:
    return import_jobs_purge()
