"""Uploaded import files and their jobs (the upload page, run as a Celery task)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .jobs import LongJobFields
from .organisation import Municipality, User


class ImportKind(models.TextChoices):
    CITIZENS = "citizens", _("Borgere (registerudtræk)")
    RISK_EVENTS = "risk_events", _("Risikohændelser")
    QUALITY_STANDARD = "quality_standard", _("Kvalitetsstandard (JSON)")
    VISITS = "visits", _("Besøg fra tidligere system")
    HOSPITAL_NOTIFICATIONS = "hospital_notifications", _("Sygehusadvis (MedCom FHIR)")


class ImportJob(LongJobFields):
    """An upload through the web page, run by a Celery task. The uploaded file is deleted as soon
    as the import has run; the result and the row errors stay for the error report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Kører")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("type"), max_length=30, choices=ImportKind.choices)
    filename = models.CharField(_("filnavn"), max_length=255)
    # The uploaded file, on the server's private storage (never served) under a random name; deleted
    # as soon as the import has run. Streamed to disk, never held in memory whole.
    upload = models.FileField(upload_to="imports/", null=True, blank=True, editable=False, max_length=200)
    strict = models.BooleanField(_("streng (alt eller intet)"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    applied = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last sign of life (fhb.jobs)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
