"""Long jobs that survive a lost worker: one mechanism for the registry imports, the offer syncs,
the DST deliveries and the letter batches' rendering (each app registers its jobs through the
`long_jobs` hook).

A job is claimed by one worker at a time (`job_claim`): a queued job, or a running one whose lease
has run out — its worker is gone (killed, out of memory, redeployed). While it runs, a heartbeat
(`job_lease`) renews the lease every quarter of its length, on a database connection of its own.
`jobs_recover` (Celery beat, every minute) starts again every job whose lease has run out, up to
`JOB_MAX_ATTEMPTS`, then marks it failed; a user can restart a stalled or failed job at once
(`job_restart`, who and when recorded). An import, a sync and a delivery apply their work in one
transaction at the end (an import's rows, the year's offers, a delivery's files), so a job started
again does it from the beginning and applies every row exactly once. A letter batch renders in
chunks, each storing its letters' PDFs and the batch's progress (its heartbeat) at once: started
again, it renders the letters still without a PDF, and a lost chunk that comes back later finds
its letters done.
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


GAVE_UP = "Arbejdet stoppede gentagne gange (arbejdsprocessen forsvandt); intet er ændret. Start det igen."


@dataclass(frozen=True)
class LongJob:
    """A kind of long job: its model (fhb.models.LongJobFields, with `status` and `message`) and how
    to start it (a Celery task taking its id); its statuses for queued, running and failed, the
    field its worker's heartbeat renews, the field its end is written to, its lease in seconds
    (None: JOB_LEASE_SECONDS) and what it says when it gave up."""

    model: type[models.Model]
    task: Any
    queued: str = QUEUED
    running: str = RUNNING
    failed: str = FAILED
    heartbeat: str = "heartbeat_at"
    finished: str | None = "finished_at"
    lease: int | None = None
    gave_up: str = GAVE_UP

    def lease_seconds(self) -> int:
        return self.lease if self.lease is not None else lease_seconds()


def lease_seconds() -> int:
    return settings.FHB["JOB_LEASE_SECONDS"]


def long_jobs() -> list[LongJob]:
    kinds: list[LongJob] = []
    for contribute in hooks.get_hooks("long_jobs"):
        kinds.extend(contribute())
    return kinds


def kind_of(job) -> LongJob:
    return next(k for k in long_jobs() if isinstance(job, k.model))


def _expired(now: dt.datetime, kind: LongJob | None = None) -> Q:
    """Running without a heartbeat within the lease."""
    kind = kind or LongJob(model=models.Model, task=None)
    cutoff = now - dt.timedelta(seconds=kind.lease_seconds())
    beat = kind.heartbeat
    return Q(status=kind.running) & (Q(**{f"{beat}__lt": cutoff}) | Q(**{f"{beat}__isnull": True}))


def given_up(model: type[models.Model]) -> Q:
    """The jobs of `model` that failed, or whose worker is gone (running past the lease)."""
    kind = next(k for k in long_jobs() if k.model is model)
    return Q(status=kind.failed) | _expired(timezone.now(), kind)


def is_stalled(job) -> bool:
    """The job says it runs, but its worker has not been heard from within the lease."""
    kind = kind_of(job)
    if job.status != kind.running:
        return False
    heard = getattr(job, kind.heartbeat)
    return heard is None or heard < timezone.now() - dt.timedelta(seconds=kind.lease_seconds())


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
    changes: dict[str, Any] = {"status": kind.queued, kind.heartbeat: None}
    if kind.finished:
        changes[kind.finished] = None
    if user is not None:
        changes.update(restarted_at=now, restarted_by=user)
    allowed = _expired(now, kind) | Q(status=kind.failed)
    if not kind.model.objects.filter(allowed, pk=pk).update(**changes):
        return False
    transaction.on_commit(lambda: background.start(kind.task, pk))
    return True


def job_restart(job, *, user) -> bool:
    """A user starts a stalled or failed job again (who and when are kept). Returns whether it was
    restarted (a job that is alive or done is left alone)."""
    kind = kind_of(job)
    job.attempts = 0
    kind.model.objects.filter(pk=job.pk).update(attempts=0)
    return _requeue(kind, job.pk, user=user)


def jobs_recover() -> dict[str, int]:
    """Start again every job whose worker is gone (its lease ran out); one that has been started
    `JOB_MAX_ATTEMPTS` times is marked failed with a message saying so. Returns counts."""
    now = timezone.now()
    restarted = failed = 0
    for kind in long_jobs():
        stale = kind.model.objects.filter(_expired(now, kind))
        ended = {kind.finished: now} if kind.finished else {}
        gave_up = stale.filter(attempts__gte=settings.FHB["JOB_MAX_ATTEMPTS"])
        failed += gave_up.update(status=kind.failed, message=kind.gave_up, **ended)
        for pk in stale.values_list("pk", flat=True):
            restarted += _requeue(kind, pk)
    if restarted or failed:
        log.warning("long jobs recovered: %s restarted, %s failed", restarted, failed)
    return {"restarted": restarted, "failed": failed}
