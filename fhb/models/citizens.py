"""The citizen registry: citizens keyed by municipality and CPR, risk groups (built-in and the
municipality's own) and risk events.

CPR numbers are stored on Citizen only; history tables exclude them (GDPR art. 9: a change
history must not become a second copy of the register)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import cpr as cprlib
from .organisation import Municipality, User


class CivilStatus(models.TextChoices):
    UNMARRIED = "U", _("Ugift")
    MARRIED = "G", _("Gift")
    PARTNERSHIP = "P", _("Registreret partnerskab")
    DIVORCED = "F", _("Fraskilt")
    WIDOWED = "E", _("Enke/enkemand")
    DEAD = "D", _("Død")


class Sex(models.TextChoices):
    MALE = "M", _("Mand")
    FEMALE = "F", _("Kvinde")


class CitizenQuerySet(models.QuerySet):
    def alive_and_resident_on(self, day: dt.date) -> CitizenQuerySet:
        """Neither dead nor moved out on or before `day`."""
        return self.filter(Q(deceased_on__isnull=True) | Q(deceased_on__gt=day)).filter(
            Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day)
        )


class Citizen(models.Model):
    """A citizen from the municipality's registry extract (keyed by municipality and CPR)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="citizens")
    cpr = models.CharField(_("CPR-nummer"), max_length=10)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("køn"), max_length=1, choices=Sex.choices)
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    address = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(_("postnummer"), max_length=4)
    city = models.CharField(_("by"), max_length=100)
    household_size = models.PositiveSmallIntegerField(_("personer på adressen"))
    civil_status = models.CharField(_("civilstand"), max_length=1, choices=CivilStatus.choices, blank=True)
    civil_status_date = models.DateField(_("civilstand siden"), null=True, blank=True)
    personal_care = models.BooleanField(_("personlig pleje (§ 83)"), default=False)
    practical_help = models.BooleanField(_("praktisk hjælp (§ 83)"), default=False)
    deceased_on = models.DateField(_("død"), null=True, blank=True)
    moved_out_on = models.DateField(_("fraflyttet"), null=True, blank=True)
    digital_post_exempt = models.BooleanField(_("fritaget for Digital Post"), default=False)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["cpr"], cascade_delete_history=False)
    objects = CitizenQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "cpr"], name="citizen_unique_cpr")]
        indexes = [
            models.Index(fields=["municipality", "birth_date"], name="citizen_muni_birth"),
            models.Index(fields=["municipality", "postal_code"], name="citizen_muni_postal"),
            models.Index(fields=["municipality", "last_name", "first_name"], name="citizen_muni_name"),
        ]
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.cpr_masked})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cpr_masked(self) -> str:
        return cprlib.mask(self.cpr)

    @property
    def cpr_formatted(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"

    @property
    def lives_alone(self) -> bool:
        return self.household_size == 1

    def age_on(self, day: dt.date) -> int:
        """Completed years on `day` (a 29 February birthday counts on 1 March in other years)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age_today(self) -> int:
        return self.age_on(timezone.localdate())


class RiskSource(models.TextChoices):
    REGISTRY = "registry", _("Registerudtræk")
    CONCERN_REFERRAL = "concern_referral", _("Bekymringshenvendelse")
    SELF_REFERRAL = "self_referral", _("Selvhenvendelse")
    SCREENING = "screening", _("Screening")
    OTHER = "other", _("Andet")
    # Not a value of the CSV import (interfaces.md § 2): set by the MedCom hospital-notification import.
    HOSPITAL_NOTIFICATION = "hospital_notification", _("Sygehusadvis (MedCom)")


class RiskGroupQuerySet(models.QuerySet):
    def for_municipality(self, municipality: Municipality) -> RiskGroupQuerySet:
        """Built-in groups plus the municipality's own."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


class RiskGroup(models.Model):
    """A situation putting a citizen at special risk (§ 79 a stk. 4). Built-in groups have no
    municipality; a municipality defines its own through its quality standard."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_groups"
    )
    code = models.SlugField(_("kode"), max_length=50)
    label = models.CharField(_("betegnelse"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)

    objects = RiskGroupQuerySet.as_manager()

    class Meta:
        ordering = ["municipality_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(municipality__isnull=True), name="riskgroup_unique_builtin"
            ),
            models.UniqueConstraint(fields=["municipality", "code"], name="riskgroup_unique_local"),
        ]
        verbose_name = _("risikogruppe")
        verbose_name_plural = _("risikogrupper")

    def __str__(self) -> str:
        return self.label

    @property
    def is_builtin(self) -> bool:
        return self.municipality_id is None


class RiskEvent(models.Model):
    """The citizen entered a risk situation on `registered_on`."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="risk_events")
    risk_group = models.ForeignKey(RiskGroup, on_delete=models.PROTECT, related_name="events")
    registered_on = models.DateField(_("registreret"))
    source = models.CharField(_("kilde"), max_length=30, choices=RiskSource.choices, default=RiskSource.OTHER)
    note = models.TextField(_("note"), blank=True)
    # Who raised a concern (intake): "datter", "hjemmeplejen", "egen læge".
    referrer = models.CharField(_("henvendelse fra"), max_length=200, blank=True)
    # The sender's own key, so a corrected or cancelled message finds its event (MedCom: the
    # hospital stay's episode-of-care identifier).
    external_ref = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-registered_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "risk_group", "registered_on"], name="riskevent_unique")
        ]
        indexes = [models.Index(fields=["registered_on"], name="riskevent_registered_on")]
        verbose_name = _("risikohændelse")
        verbose_name_plural = _("risikohændelser")

    def __str__(self) -> str:
        return f"{self.risk_group} {self.registered_on:%d-%m-%Y}"
