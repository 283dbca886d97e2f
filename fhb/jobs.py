"""Long jobs that survive a lost worker: one mechanism for the registry imports and the DST
deliveries (each app registers its job through the `long_jobs` hook).

A job is claimed by one worker at a time (`job_claim`): a queued job, or a running one whose lease
has run out — its worker is gone (killed, out of memory, redeployed). While it runs, a heartbeat
(`job_lease`) renews the lease every quarter of its length, on a database connection of its own.
`jobs_recover` (Celery beat, every minute) starts again every job whose lease has run out, up to
`JOB_MAX_ATTEMPTS`, then marks it failed; a user can restart a stalled or failed job at once
(`job_restart`, who and when recorded). Both jobs apply their work in one transaction at the end
(an import's rows, a delivery's files), so a job started again does it from the beginning and
applies every row exactly once. (Letter batches have their own resumable chunks.)
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

from . import background, hooks

log = logging.getLogger(__name__)

RUNNING, QUEUED, FAILED = "running", "queued", "failed"


@dataclass(frozen=True)
class LongJob:
    """A kind of long job: its model (with `status`, `heartbeat_at`, `attempts`, `restarted_at`,
    `restarted_by`, `message`, `finished_at`) and how to start it (a Celery task taking its id)."""

    model: type[models.Model]
    task: Any


def lease_seconds() -> int:
    return settings.FHB["JOB_LEASE_SECONDS"]


def long_jobs() -> list[LongJob]:
    kinds: list[LongJob] = []
    for contribute in hooks.get_hooks("long_jobs"):
        kinds.extend(contribute())
    return kinds


def _expired(now: dt.datetime) -> Q:
    """Running without a heartbeat within the lease."""
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    return Q(status=RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))


def is_stalled(job) -> bool:
    """The job says it runs, but its worker has not been heard from within the lease."""
    if job.status != RUNNING:
        return False
    cutoff = timezone.now() - dt.timedelta(seconds=lease_seconds())
    return job.heartbeat_at is None or job.heartbeat_at < cutoff


def job_claim(model: type[models.Model], pk: int):
    """Take the job for this worker: a queued one, or a running one whose lease has run out.
    Returns it (now running, attempt counted) or None (done, failed, or alive elsewhere)."""
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None:
            return None
        if job.status != QUEUED and not model.objects.filter(_expired(now), pk=pk).exists():
            return None
        job.status, job.heartbeat_at, job.attempts = RUNNING, now, job.attempts + 1
        job.save(update_fields=["status", "heartbeat_at", "attempts"])
    return job


@contextmanager
def job_lease(model: type[models.Model], pk: int) -> Iterator[None]:
    """Renew the job's lease while the block runs (on PostgreSQL from a thread with a connection of
    its own: the job's transaction does not hide it). SQLite (the demo: jobs run in the web
    process, and die with it) keeps the claim's heartbeat."""
    if connection.vendor != "postgresql":
        yield
        return
    stop = threading.Event()
    table = model._meta.db_table
    every = max(lease_seconds() / 4, 0.2)

    def beat() -> None:
        own = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while not stop.wait(every):
                with own.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET heartbeat_at = %s WHERE id = %s AND status = %s",
                        [timezone.now(), pk, RUNNING],
                    )
        except Exception:  # the job goes on; without a heartbeat it is started again after the lease
            log.exception("heartbeat of %s %s failed", table, pk)
        finally:
            own.close()

    thread = threading.Thread(target=beat, name=f"fhb-lease-{table}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _requeue(kind: LongJob, pk: int, *, user=None) -> bool:
    """Queue a stalled or failed job again and start it. Returns whether it was queued."""
    now = timezone.now()
    changes: dict[str, Any] = {"status": QUEUED, "heartbeat_at": None, "finished_at": None}
    if user is not None:
        changes.update(restarted_at=now, restarted_by=user)
    allowed = _expired(now) | Q(status=FAILED)
    if not kind.model.objects.filter(allowed, pk=pk).update(**changes):
        return False
    transaction.on_commit(lambda: background.start(kind.task, pk))
    return True


def job_restart(job, *, user) -> bool:
    """A user starts a stalled or failed job again (who and when are kept). Returns whether it was
    restarted (a job that is alive or done is left alone)."""
    kind = next(k for k in long_jobs() if isinstance(job, k.model))
    job.attempts = 0
    kind.model.objects.filter(pk=job.pk).update(attempts=0)
    return _requeue(kind, job.pk, user=user)


GAVE_UP = "Arbejdet stoppede gentagne gange (arbejdsprocessen forsvandt); intet er ændret. Start det igen."


def jobs_recover() -> dict[str, int]:
    """Start again every job whose worker is gone (its lease ran out); one that has been started
    `JOB_MAX_ATTEMPTS` times is marked failed with a message saying so. Returns counts."""
    now = timezone.now()
    restarted = failed = 0
    for kind in long_jobs():
        stale = kind.model.objects.filter(_expired(now))
        gave_up = stale.filter(attempts__gte=settings.FHB["JOB_MAX_ATTEMPTS"])
        failed += gave_up.update(status=FAILED, finished_at=now, message=GAVE_UP)
        for pk in stale.values_list("pk", flat=True):
            restarted += _requeue(kind, pk)
    if restarted or failed:
        log.warning("long jobs recovered: %s restarted, %s failed", restarted, failed)
    return {"restarted": restarted, "failed": failed}
