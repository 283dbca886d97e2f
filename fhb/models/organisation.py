"""The organisation: municipalities (by kommunekode), districts by postal code, teams, and the
users with their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A Danish municipality (kommune), identified by its 3-digit kommunekode."""

    code = models.CharField(_("kommunekode"), max_length=3, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    cvr = models.CharField(
        _("CVR-nummer"), max_length=8, blank=True, help_text=_("Bruges til at genkende kommunen ved single sign-on")
    )
    address = models.TextField(_("adresse til brevhoved"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    # Target groups in the order they keep date letters when capacity runs short (first: moved to
    # open letters last). Empty: at-risk, 82+, 80, 70 living alone, 75.
    date_letter_priority = models.JSONField(_("prioritet for datobreve"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A part of a municipality, defined by postal codes; teams and calendars are planned by it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("navn"), max_length=100)
    postal_codes = models.JSONField(_("postnumre"), default=list, help_text=_("Liste af 4-cifrede postnumre"))

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")]
        verbose_name = _("distrikt")
        verbose_name_plural = _("distrikter")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("navn"), max_length=100)
    district = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams")

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="team_unique_name")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Forebyggelseskonsulent")
    TEAM_LEADER = "team_leader", _("Teamleder")
    MUNICIPALITY_ADMIN = "municipality_admin", _("Kommuneadministrator")


class User(AbstractUser):
    """A member of staff. Every user belongs to one municipality; data access never leaves it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("kommune")
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    role = models.CharField(_("rolle"), max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField(_("direkte telefon"), max_length=30, blank=True)
    title = models.CharField(_("stilling"), max_length=100, blank=True)
    # Home visits a consultant can take a week (the dashboard's capacity line); empty: the default.
    weekly_visit_capacity = models.PositiveSmallIntegerField(_("besøg pr. uge"), null=True, blank=True)

    class Meta:
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")

    @property
    def is_municipality_staff(self) -> bool:
        return self.is_active and self.municipality_id is not None and bool(self.role)

    def __str__(self) -> str:
        return self.get_full_name() or self.username
