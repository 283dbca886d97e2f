"""The core domain's models: the organisation, the citizen registry, the quality standard, the
access log, import jobs, and the yearly offers (one module each)."""

from .access import ACCESS_ENDPOINT_LABELS, CitizenAccess, Lookup
from .citizens import Citizen, CivilStatus, RiskEvent, RiskGroup, RiskSource, Sex
from .imports import ImportJob, ImportKind
from .jobs import LongJobFields
from .offers import EligibilityRun, Offer, OfferStatus, OfferSync, OfferTransition
from .organisation import District, Municipality, Role, Team, User
from .quality_standard import Exemption, InvitationKind, QualityStandard

__all__ = [
    "ACCESS_ENDPOINT_LABELS",
    "Citizen",
    "CitizenAccess",
    "CivilStatus",
    "District",
    "EligibilityRun",
    "Exemption",
    "ImportJob",
    "ImportKind",
    "InvitationKind",
    "LongJobFields",
    "Lookup",
    "Municipality",
    "Offer",
    "OfferStatus",
    "OfferSync",
    "OfferTransition",
    "QualityStandard",
    "RiskEvent",
    "RiskGroup",
    "RiskSource",
    "Role",
    "Sex",
    "Team",
    "User",
]
