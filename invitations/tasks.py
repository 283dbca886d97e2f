"""Celery tasks of the letter batches: thin, take ids, call a service. acks_late: a worker killed
mid-chunk leaves the message to be redelivered, and the services skip what is already done."""

from celery import shared_task

from .batches.rendering import batch_fail, batch_render, render_chunk


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), retry_backoff=True)
def batch_render_task(batch_id: int) -> str:
    return batch_render(batch_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), retry_backoff=True)
def render_chunk_task(batch_id: int, letter_ids: list[int]) -> int:
    try:
        return render_chunk(batch_id, letter_ids)
    except ConnectionError:
        raise
    except Exception as exc:  # the page shows it and offers to try again; the letters done stay done
        batch_fail(batch_id, f"Brevene kunne ikke dannes: {exc}")
        raise
