"""Celery tasks of the reports: thin, take ids, call a service."""

from celery import shared_task

from .services import delivery_run


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def delivery_run_task(delivery_id: int) -> str:
    return delivery_run(delivery_id=delivery_id).status
