"""Celery tasks of the reports: thin, take ids, call a service."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def delivery_run_task(delivery_id: int) -> str:
    from .services import delivery_run

    return delivery_run(delivery_id=delivery_id).status
