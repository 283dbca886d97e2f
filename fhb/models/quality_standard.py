"""The municipality's annual quality standard (BEK 716/2019 § 4) and the letter kinds it chooses
per target group."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..law.serviceloven_79a import Exemption
from .citizens import RiskGroup
from .organisation import Municipality, User


class InvitationKind(models.TextChoices):
    DATE_LETTER = "date_letter", _("Datobrev")
    OPEN_LETTER = "open_letter", _("Åbent brev")
    COLLECTIVE_EVENT = "collective_event", _("Kollektivt arrangement")


class QualityStandard(models.Model):
    """The municipality's annual quality standard (kvalitetsstandard, BEK 716/2019 § 4) as data:
    the local parts of § 79 a that eligibility and invitations read."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="quality_standards")
    year = models.PositiveSmallIntegerField(_("år"))
    exemption = models.CharField(
        _("fritagelse"), max_length=40, choices=Exemption.choices, blank=True, default=Exemption.NONE
    )
    exemption_legal_basis = models.TextField(
        _("hjemmel for fritagelsen"), blank=True, help_text=_("Fx SEL § 79 a, stk. 6, eller en velfærdsaftale")
    )
    risk_window_months = models.PositiveSmallIntegerField(_("risikovindue (måneder)"), default=12)
    risk_groups = models.ManyToManyField(RiskGroup, related_name="quality_standards", verbose_name=_("risikogrupper"))
    invitations = models.JSONField(_("invitationsform pr. målgruppe"), default=dict)
    # The municipality's own target groups from 2026 (interfaces.md § 6 a), in priority order.
    target_groups = models.JSONField(_("egne målgrupper"), default=list, blank=True)
    document = models.JSONField(_("indlæst dokument"), default=dict)
    adopted_at = models.DateTimeField(_("indlæst"), auto_now=True)
    adopted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[risk_groups])

    class Meta:
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="qualitystandard_unique_year")]
        verbose_name = _("kvalitetsstandard")
        verbose_name_plural = _("kvalitetsstandarder")

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.year}"
