"""Eligibility: the law's rule sets (fhb.law) applied by calendar arithmetic (rules.py), the pure
per-citizen function (oracle.py), the municipality's local choices (policy.py) and the set-based
query (query.py)."""

from ..law import RULE_SETS, EligibilityError, RuleSet, rule_set_for
from .oracle import CitizenFacts, Eligibility, eligibility_for
from .policy import Policy, policy_for
from .query import eligibility_queryset, eligibility_rows

__all__ = [
    "RULE_SETS",
    "CitizenFacts",
    "Eligibility",
    "EligibilityError",
    "Policy",
    "RuleSet",
    "eligibility_for",
    "eligibility_queryset",
    "eligibility_rows",
    "policy_for",
    "rule_set_for",
]
