"""Offers: what each citizen must be offered in a year and where it stands.

One Offer per citizen and year, made by the eligibility sync (fhb.offers.offers_sync) and moved
along by invitations and visits: due -> invited -> booked -> visited, or declined / no response /
exempt / lapsed. Every change of status is an OfferTransition row (who, when, why).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .citizens import Citizen
from .jobs import LongJobFields
from .organisation import Municipality, User
from .quality_standard import InvitationKind


class OfferStatus(models.TextChoices):
    DUE = "due", _("Skal tilbydes")
    INVITED = "invited", _("Inviteret")
    BOOKED = "booked", _("Booket")
    VISITED = "visited", _("Besøgt")
    DECLINED = "declined", _("Takket nej")
    NO_RESPONSE = "no_response", _("Intet svar")
    EXEMPT = "exempt", _("Fritaget")
    LAPSED = "lapsed", _("Bortfaldet (død/fraflyttet)")


class Offer(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="offers")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="offers")
    year = models.PositiveSmallIntegerField(_("år"))
    # "|age_80|at_risk_65_81|": every target group, so "in group X" is one LIKE on this row.
    groups = models.CharField(_("målgrupper"), max_length=500)  # "|code|code|": local codes are up to 40 characters
    primary_group = models.CharField(_("målgruppe"), max_length=40)  # the first code in sorted order (DST)
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.DUE)
    letter_kind = models.CharField(_("invitationsform"), max_length=20, choices=InvitationKind.choices)
    exempt = models.BooleanField(_("fritaget"), default=False)
    exemption_reason = models.CharField(_("fritagelsesgrund"), max_length=40, blank=True)
    # The citizen declined the alternative format (a collective event): BEK 716/2019 § 2 requires an
    # individual visit, so the sync never plans this offer as an event invitation again.
    individual_required = models.BooleanField(_("individuelt besøg påkrævet"), default=False, db_default=False)
    # Copied from the citizen (it never changes: it comes from the CPR number) so the due list can
    # sort and page by birthday from an index, without joining a million citizens.
    birth_date = models.DateField(_("fødselsdato"))
    invited_on = models.DateField(_("inviteret"), null=True, blank=True)
    consultant = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "birth_date", "id"]
        constraints = [models.UniqueConstraint(fields=["citizen", "year"], name="offer_unique_year")]
        indexes = [
            models.Index(fields=["municipality", "year", "birth_date", "id"], name="offer_due_list"),
            models.Index(fields=["municipality", "year", "status"], name="offer_status"),
            # The dashboard's backlog (offers by group and status) read from the index alone.
            models.Index(fields=["municipality", "year", "primary_group", "status"], name="offer_group_status"),
        ]
        verbose_name = _("tilbud")
        verbose_name_plural = _("tilbud")

    def __str__(self) -> str:
        return f"{self.year} {self.primary_group} {self.get_status_display()}"

    @property
    def group_codes(self) -> list[str]:
        return [g for g in self.groups.split("|") if g]


class OfferTransition(models.Model):
    """Append-only history of an offer's status."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=OfferStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OfferStatus.choices)
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    on = models.DateField(_("dato"), null=True, blank=True)  # the day it happened (letter date, call)
    letter_kind = models.CharField(max_length=20, choices=InvitationKind.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("statusændring")
        verbose_name_plural = _("statusændringer")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class EligibilityRun(models.Model):
    """One computation of a municipality's year: when, by whom, as of which date, with what result."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="eligibility_runs")
    year = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    ran_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    standard_adopted = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-ran_at"]
        indexes = [models.Index(fields=["municipality", "year", "-ran_at"], name="eligibilityrun_latest")]

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.year} @ {self.as_of}"


class OfferSync(LongJobFields):
    """A sync of a municipality's year run by a worker (after an import, and nightly): a long job
    (fhb.jobs) that is started again when its worker is lost. The sync is one transaction and
    idempotent, so a run started again converges on the same offers."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Kører")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="offer_syncs")
    year = models.PositiveSmallIntegerField(_("år"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last sign of life (fhb.jobs)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    run = models.ForeignKey(EligibilityRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["municipality", "year", "-queued_at"], name="offersync_latest")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year} ({self.status})"
