"""The municipality's local choices that eligibility reads, taken from the quality standard of the
year (or the defaults of interfaces.md § 6 when none is adopted)."""

from __future__ import annotations

from dataclasses import dataclass

from ..law import BUILTIN_RISK_GROUPS, LOCAL_GROUPS_FROM, LocalGroup
from ..models import Exemption, InvitationKind, Municipality, QualityStandard


@dataclass(frozen=True)
class Policy:
    exemption: str = Exemption.NONE  # "", "personal_care_and_practical_help" or "practical_help"
    risk_window_months: int = 12
    active_risk_groups: frozenset[str] = frozenset(BUILTIN_RISK_GROUPS)
    invitations: tuple[tuple[str, str], ...] = ()
    adopted: bool = False  # False: no quality standard for the year, defaults apply (warn the user)
    exemption_legal_basis: str = ""
    # The municipality's own target groups (from 2026, interfaces.md § 6 a), in priority order;
    # empty: the statutory groups of the year (or, from 2026, their continuation).
    target_groups: tuple[LocalGroup, ...] = ()

    def is_exempt(self, *, personal_care: bool, practical_help: bool) -> bool:
        if self.exemption == Exemption.PERSONAL_CARE_AND_PRACTICAL_HELP:
            return personal_care and practical_help
        if self.exemption == Exemption.PRACTICAL_HELP:
            return practical_help
        return False

    def invitation_for(self, group: str) -> str:
        for local in self.target_groups:
            if local.code == group:
                return local.invitation
        return dict(self.invitations).get(group, InvitationKind.DATE_LETTER)

    def local_groups_for(self, year: int) -> tuple[LocalGroup, ...]:
        """The local groups that govern `year` (none before 2026: § 79 a governed)."""
        return self.target_groups if year >= LOCAL_GROUPS_FROM else ()


def policy_for(municipality: Municipality, year: int) -> Policy:
    standard = (
        QualityStandard.objects.filter(municipality=municipality, year=year).prefetch_related("risk_groups").first()
    )
    if standard is None:
        return Policy()
    return Policy(
        exemption=standard.exemption,
        risk_window_months=standard.risk_window_months,
        active_risk_groups=frozenset(g.code for g in standard.risk_groups.all() if g.is_active),
        invitations=tuple(sorted(standard.invitations.items())),
        adopted=True,
        exemption_legal_basis=standard.exemption_legal_basis,
        target_groups=tuple(LocalGroup.from_json(g) for g in standard.target_groups),
    )
