"""Uploads through the web page: stored as an ImportJob, run by a Celery task through the same
import services as the management commands."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from .. import background, hooks
from ..jobs import job_claim, job_lease
from ..models import ImportJob, ImportKind, User
from .citizens import citizens_import
from .medcom import hospital_notifications_import
from .quality_standard import quality_standard_import
from .risk_events import risk_events_import
from .tables import ImportFileError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# The quality standard and FHIR notifications are one JSON document each, read whole.
MAX_JSON_UPLOAD_BYTES = 20 * 1024 * 1024
JSON_KINDS = (ImportKind.QUALITY_STANDARD, ImportKind.HOSPITAL_NOTIFICATIONS)


_SERVICES = {
    ImportKind.CITIZENS: citizens_import,
    ImportKind.RISK_EVENTS: risk_events_import,
    ImportKind.HOSPITAL_NOTIFICATIONS: hospital_notifications_import,
}


def import_service(kind: str):
    """The row import for an upload's kind: the core's, or one an app registers (visits' visits)."""
    services = dict(_SERVICES)
    for contribute in hooks.get_hooks("import_services"):
        services.update(contribute())
    return services[kind]


def import_job_create(*, user: User, kind: str, filename: str, upload: File | bytes, strict: bool) -> ImportJob:
    """Store the upload on the private storage under a random name (an uploaded file Django has
    spooled to disk is moved there, not read) and queue its import."""
    job = ImportJob(
        municipality=user.municipality,
        kind=kind,
        filename=filename[:255],
        strict=strict,
        uploaded_by=user,
    )
    content = upload if isinstance(upload, File) else ContentFile(upload)
    job.upload.save(f"{secrets.token_hex(16)}.upload", content, save=False)
    try:
        job.save()
    except BaseException:
        job.upload.delete(save=False)
        raise
    from ..tasks import import_job_run_task  # cycle: fhb.tasks runs this module's import_job_run

    transaction.on_commit(lambda: background.start(import_job_run_task, job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job once; or run again one whose worker was lost (its lease ran out: the
    import is one transaction, so nothing of the lost run was applied). A second delivery of the
    task while the job runs, or after it is done, leaves it alone."""
    job = job_claim(ImportJob, job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    progress, progress_done = _progress_writer(job.pk)
    try:
        with job_lease(ImportJob, job.pk):
            return _run(job, progress)
    finally:
        progress_done()


def _progress_writer(job_pk: int):
    """(write(done, total), close()). The import runs in one transaction, so on PostgreSQL its
    progress is written on a connection of its own, for the page to see while it runs."""
    if connection.vendor != "postgresql":

        def write(done: int, total: int) -> None:
            ImportJob.objects.filter(pk=job_pk).update(rows_done=done, rows_total=total)

        return write, lambda: None
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ImportJob._meta.db_table

    def write(done: int, total: int) -> None:
        with own.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET rows_done = %s, rows_total = %s WHERE id = %s", [done, total, job_pk])

    return write, own.close


def _run(job: ImportJob, progress) -> ImportJob:
    user = job.uploaded_by
    try:
        if not job.upload:
            raise ImportFileError("Filen findes ikke længere (slettet efter opbevaringsfristen). Upload den igen.")
        handle = job.upload.open("rb").file  # the file on disk, read as it is parsed
    except (ImportFileError, OSError) as exc:
        _finish(job, ImportJob.Status.FAILED, str(exc) if isinstance(exc, ImportFileError) else "Filen kan ikke læses.")
        return job
    try:
        if job.kind == ImportKind.QUALITY_STANDARD:
            outcome = quality_standard_import(data=handle.read(), municipality=job.municipality, user=user)
            job.created, job.updated = int(outcome.created), int(not outcome.created)
            job.applied = True
            job.message = outcome.summary
        else:
            service = import_service(job.kind)
            data = handle if job.kind != ImportKind.HOSPITAL_NOTIFICATIONS else handle.read()
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
        handle.close()
        job.upload.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            upload=None,
            finished_at=timezone.now(),
            message="Importen fejlede uventet og blev rullet tilbage; intet er ændret. Kontakt support.",
        )
        raise
    handle.close()
    _finish(job, job.status, job.message)
    if job.status == ImportJob.Status.DONE and job.applied and (job.created or job.updated):
        # New register data changes who is due: this year's and next year's offers, as from the
        # command line. (The quality standard governs one municipality's year.)
        from ..tasks import offers_sync_soon  # cycle: fhb.tasks runs this module's import_job_run

        offers_sync_soon({job.municipality_id})
    return job


def _finish(job: ImportJob, status: str, message: str) -> None:
    """End the job and delete its file: the uploaded register data is not kept once imported."""
    if job.upload:
        job.upload.delete(save=False)
    job.upload = None
    job.status, job.message = status, message
    job.finished_at = timezone.now()
    job.save()


def import_jobs_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded files that were never imported (a lost task, a stopped worker) after the
    retention period, and mark those jobs failed. Returns how many were purged."""
    days = settings.FHB["IMPORT_FILE_RETENTION_DAYS"] if older_than_days is None else older_than_days
    cutoff = timezone.now() - dt.timedelta(days=days)
    purged = 0
    stale = ImportJob.objects.filter(upload__isnull=False, uploaded_at__lt=cutoff).exclude(upload="")
    for job in stale.exclude(status=ImportJob.Status.RUNNING).iterator():
        job.upload.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(
            upload=None,
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message="Filen blev slettet efter opbevaringsfristen uden at være importeret. Upload den igen.",
        )
        purged += 1
    return purged
