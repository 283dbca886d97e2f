"""Uploads through the web page: stored as an ImportJob, run by a Celery task through the same
import services as the management commands."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import ImportJob, ImportKind, User
from .citizens import citizens_import
from .medcom import hospital_notifications_import
from .quality_standard import quality_standard_import
from .risk_events import risk_events_import
from .tables import ImportFileError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _visits_import():
    from visits.services import visits_import  # visits builds on fhb, not the other way round

    return visits_import


_SERVICES = {
    ImportKind.CITIZENS: lambda: citizens_import,
    ImportKind.RISK_EVENTS: lambda: risk_events_import,
    ImportKind.VISITS: _visits_import,
    ImportKind.HOSPITAL_NOTIFICATIONS: lambda: hospital_notifications_import,
}


def import_job_create(*, user: User, kind: str, filename: str, content: bytes, strict: bool) -> ImportJob:
    job = ImportJob.objects.create(
        municipality=user.municipality,
        kind=kind,
        filename=filename[:255],
        content=content,
        strict=strict,
        uploaded_by=user,
    )
    from .. import background
    from ..tasks import import_job_run_task

    transaction.on_commit(lambda: background.start(import_job_run_task, job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job once. A second delivery of the same task finds it no longer queued."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    data = bytes(job.content or b"")

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    user = job.uploaded_by
    try:
        if job.kind == ImportKind.QUALITY_STANDARD:
            outcome = quality_standard_import(data=data, municipality=job.municipality, user=user)
            job.created, job.updated = int(outcome.created), int(not outcome.created)
            job.applied = True
            job.message = outcome.summary
        else:
            service = _SERVICES[job.kind]()
            result = service(data=data, strict=job.strict, municipality=job.municipality, user=user, progress=progress)
            job.created, job.updated, job.unchanged, job.rejected = (
                result.created,
                result.updated,
                result.unchanged,
                result.rejected,
            )
            job.applied = result.applied
            job.errors = [
                {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason} for e in result.errors
            ]
            job.message = result.summary
        job.status = ImportJob.Status.DONE
    except ImportFileError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            content=None,
            finished_at=timezone.now(),
            message="Importen fejlede uventet og blev rullet tilbage; intet er ændret. Kontakt support.",
        )
        raise
    job.content = None  # the uploaded register data is not kept once imported
    job.finished_at = timezone.now()
    job.save()
    if job.status == ImportJob.Status.DONE and job.applied and (job.created or job.updated):
        # New register data changes who is due: this year's and next year's offers, as from the
        # command line. (The quality standard governs one municipality's year.)
        from ..tasks import offers_sync_soon

        offers_sync_soon({job.municipality_id})
    return job


def import_jobs_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded file contents that were never imported (a lost task, a stopped worker) after
    the retention period, and mark those jobs failed. Returns how many were purged."""
    days = settings.FHB["IMPORT_FILE_RETENTION_DAYS"] if older_than_days is None else older_than_days
    cutoff = timezone.now() - dt.timedelta(days=days)
    return ImportJob.objects.filter(content__isnull=False, uploaded_at__lt=cutoff).update(
        content=None,
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        message="Filen blev slettet efter opbevaringsfristen uden at være importeret. Upload den igen.",
    )
