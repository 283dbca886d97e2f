"""Statistics deliveries to Danmarks Statistik and the months a municipality has approved.

A finished delivery is a record of what was sent: it cannot be changed or deleted. The file itself is
kept (gzip) so the next delivery of the same year can show which rows were added or removed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fhb.models import LongJobFields, Municipality, User


class DeliveryImmutable(ValidationError):
    pass


class Delivery(LongJobFields):
    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Dannes")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    class Source(models.TextChoices):
        WEB = "web", _("Webside")
        API = "api", _("API")
        COMMAND = "command", _("Kommandolinje")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="deliveries")
    year = models.PositiveSmallIntegerField(_("år"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    source = models.CharField(_("dannet fra"), max_length=10, choices=Source.choices, default=Source.WEB)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bestilt af")
    )
    created_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    checksum = models.CharField(_("SHA-256 af filen"), max_length=64, blank=True)
    visits = models.PositiveIntegerField(_("besøg"), default=0)
    citizens = models.PositiveIntegerField(_("borgere"), default=0)
    excluded = models.PositiveIntegerField(_("udeladte poster"), default=0)
    quality_passed = models.BooleanField(_("kvalitetskriterier opfyldt"), null=True)
    # The summary without its list of excluded records (kept whole in summary_gz, the file as written)
    # plus the first of the year's own excluded records, for the web page.
    summary = models.JSONField(null=True, blank=True)
    summary_gz = models.BinaryField(null=True, blank=True)
    csv_gz = models.BinaryField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True)

    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("forrige levering")
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last sign of life (fhb.jobs)
    rows_added = models.PositiveIntegerField(null=True, blank=True)
    rows_removed = models.PositiveIntegerField(null=True, blank=True)
    diff = models.JSONField(null=True, blank=True)  # {"added": [...], "removed": [...]} (first rows of each)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "year", "status"], name="delivery_muni_year")]
        verbose_name = _("DST-indberetning")
        verbose_name_plural = _("DST-indberetninger")

    def __str__(self) -> str:
        return f"DST {self.municipality.code} {self.year} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk and Delivery.objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise DeliveryImmutable(_("En færdig indberetning kan ikke ændres."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.DONE:
            raise DeliveryImmutable(_("En færdig indberetning kan ikke slettes."))
        return super().delete(*args, **kwargs)

    @property
    def filename_stem(self) -> str:
        return f"fhb_{self.municipality.code}_{self.year}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class MonthApproval(models.Model):
    """A month of visit data the municipality has checked and approved (DST publishes a year only
    with at least 8 approved months)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="month_approvals")
    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(_("måned"))
    persons = models.PositiveIntegerField(_("borgere ved godkendelsen"))
    visits = models.PositiveIntegerField(_("besøg ved godkendelsen"))
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("godkendt af"))
    approved_at = models.DateTimeField(_("godkendt"), auto_now_add=True)

    class Meta:
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "month"], name="month_approval_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="month_approval_month"),
        ]
        verbose_name = _("godkendt måned")
        verbose_name_plural = _("godkendte måneder")

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.year}-{self.month:02d}"
