"""§ 79 a eligibility: rule sets as data (rules.py), the pure per-citizen function (oracle.py), the
municipality's local choices (policy.py) and the set-based query (query.py)."""

from .oracle import CitizenFacts, Eligibility, eligibility_for
from .policy import Policy, policy_for
from .query import eligibility_queryset, eligibility_rows
from .rules import RULE_SETS, EligibilityError, RuleSet, rule_set_for

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
