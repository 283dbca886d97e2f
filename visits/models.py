"""Visits and contacts: preventive home visits, follow-up visits, collective-event attendance and
phone calls (a call is a contact, never a visit: it is not counted in the statistics)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from fhb.models import Citizen, Municipality, User


class VisitKind(models.TextChoices):
    HOME_VISIT = "home_visit", pgettext_lazy("visit kind", "Forebyggende hjemmebesøg")
    FOLLOW_UP_VISIT = "follow_up_visit", _("Genbesøg")
    COLLECTIVE_EVENT = "collective_event", _("Kollektivt arrangement")
    PHONE_CALL = "phone_call", _("Telefonsamtale")


# Kinds that are visits under § 79 a (and count for DST); a phone call is only a contact.
VISIT_KINDS = frozenset({VisitKind.HOME_VISIT, VisitKind.FOLLOW_UP_VISIT, VisitKind.COLLECTIVE_EVENT})


class VisitOutcome(models.TextChoices):
    COMPLETED = "completed", _("Gennemført")
    DECLINED = "declined", _("Takket nej")
    NO_SHOW = "no_show", _("Ikke truffet hjemme")
    CANCELLED = "cancelled", _("Aflyst")


class VisitSource(models.TextChoices):
    RECORDED = "recorded", _("Registreret i fhb")
    IMPORTED = "imported", _("Overført fra tidligere system")


class Visit(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="visits")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("type"), max_length=20, choices=VisitKind.choices)
    outcome = models.CharField(_("udfald"), max_length=20, choices=VisitOutcome.choices)
    visit_date = models.DateField(_("dato"))
    consultant = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    consultant_name = models.CharField(_("konsulent (fra tidligere system)"), max_length=200, blank=True)
    note = models.TextField(_("journalnotat"), blank=True)
    started_at = models.TimeField(_("starttidspunkt"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), null=True, blank=True)
    themes = models.JSONField(_("temaer"), default=list, blank=True)
    is_draft = models.BooleanField(_("kladde"), default=False)
    # Optimistic locking: an edit names the version it started from and fails if it has moved on.
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=20, choices=VisitSource.choices, default=VisitSource.RECORDED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_date", "-id"]
        constraints = [
            # An imported history is keyed by citizen, date and kind, so re-importing changes nothing.
            models.UniqueConstraint(
                fields=["citizen", "visit_date", "kind"],
                condition=models.Q(source="imported"),
                name="visit_unique_imported",
            )
        ]
        indexes = [models.Index(fields=["municipality", "visit_date"], name="visit_muni_date")]
        verbose_name = _("besøg")
        verbose_name_plural = _("besøg")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date:%d-%m-%Y} ({self.get_outcome_display()})"

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS
