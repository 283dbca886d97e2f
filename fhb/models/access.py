"""The access log (GDPR art. 9 and 15): one look-up per request that showed citizens, and the
citizens it showed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .citizens import Citizen
from .organisation import User

# What each logged page or endpoint showed, for the log's readers.
ACCESS_ENDPOINT_LABELS = {
    "citizen-detail": _("Borgerside"),
    "citizen-list": _("Borgerlisten (søgning på CPR-nummer)"),
    "citizen-accesses": _("Opslagslog"),
    "access-control": _("Kontrol af opslagslog"),
    "api:citizen-detail": _("API: borger"),
    "api:citizen-lookup": _("API: opslag på CPR-nummer"),
    "api:citizen-eligibility": _("API: målgrupper"),
    "due-list-export": _("Eksport af målgruppeliste"),
    "visit-edit": _("Besøg"),
    "api:visit-update": _("API: besøg"),
    "visit-create": _("Registrering af besøg"),
    "booking-create": _("Booking af besøg"),
    "citizen-referral": _("Henvendelse"),
    "agenda": _("Dagsplan (bookede besøg)"),
    "event-detail": _("Deltagerliste til arrangement"),
    "event-checkin": _("Indtjekning til arrangement"),
}


class Lookup(models.Model):
    """One request that showed citizens' personal data: who, when, on which page or endpoint and
    what was seen. The citizens it showed are its rows (`CitizenAccess`): a list of 200 names is
    one look-up of 200 citizens. Append-only: never updated or deleted by the application."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="lookups")
    accessed_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    endpoint = models.CharField(_("side/endpoint"), max_length=200)
    purpose = models.CharField(_("formål"), max_length=200)
    citizen_count = models.PositiveIntegerField(_("borgere"), default=0)
    citizens = models.ManyToManyField("Citizen", through="CitizenAccess", related_name="lookups")

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("opslag")
        verbose_name_plural = _("opslagslog")

    def __str__(self) -> str:
        return f"{self.user} {self.accessed_at:%Y-%m-%d %H:%M} {self.endpoint}"

    @property
    def endpoint_label(self) -> str:
        return str(ACCESS_ENDPOINT_LABELS.get(self.endpoint, self.endpoint))


class CitizenAccess(models.Model):
    """That a look-up showed this citizen (GDPR art. 15: the citizen may ask who looked, when and
    why). Read through the look-up: its user, time, endpoint and purpose."""

    lookup = models.ForeignKey(Lookup, on_delete=models.CASCADE, related_name="rows")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="accesses")

    class Meta:
        # Look-ups are numbered in time order: a citizen's newest first without reading the time.
        ordering = ["-lookup_id"]
        indexes = [models.Index(fields=["citizen", "-lookup"], name="access_citizen_lookup")]
        constraints = [models.UniqueConstraint(fields=["lookup", "citizen"], name="access_once_per_lookup")]
        verbose_name = _("opslag af borger")
        verbose_name_plural = _("opslag af borgere")

    def __str__(self) -> str:
        return f"{self.lookup} {self.citizen_id}"

    @property
    def user(self):
        return self.lookup.user

    @property
    def accessed_at(self):
        return self.lookup.accessed_at

    @property
    def endpoint(self) -> str:
        return self.lookup.endpoint

    @property
    def purpose(self) -> str:
        return self.lookup.purpose

    @property
    def endpoint_label(self) -> str:
        return self.lookup.endpoint_label
