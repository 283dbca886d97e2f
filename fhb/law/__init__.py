"""The law, one module per legal source; the engine, offers, letter planning and reports import it
and hold no legal rule of their own.

- `serviceloven_79a`: § 79 a by version (2010, 2016, 2019 with lov 508/2019's transition), its
  target groups, the risk groups of the guidance, the § 83 exemption; repealed 1 July 2025.
- `aeldreloven`: Ældreloven § 4 from 1 July 2025: the municipality's own target groups from
  2026, or the 2019 groups continued as its choice.
- `bek_716`: BEK 716/2019, alternative formats and § 2's individual visit on decline.
- `preventive_visit`: what counts as a preventive home visit (and in DST's statistics).
- `dst`: Danmarks Statistik's data-quality criteria.
- `national_figures`: the published national uptake the product compares with.
- `rulesets`: the shape of a rule set, which the sources above fill in.

This module answers "which law on which date": the rule set for a year, and the legal basis the
visits rest on that day.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from . import aeldreloven
from .aeldreloven import LOCAL_GROUPS_FROM, RULES_CONTINUED, LocalGroup
from .rulesets import FIRST_YEAR, LAST_YEAR, AgeRule, EligibilityError, RiskRule, RuleSet, transition_applies
from .serviceloven_79a import (
    BUILTIN_RISK_GROUPS,
    REPEALED,
    RULES_2010,
    RULES_2016,
    RULES_2019,
    SEL_79A_STK_1,
    SEL_79A_STK_2,
    SEL_79A_STK_3,
    SEL_79A_STK_4,
    SEL_79A_STK_6,
    TARGET_GROUP_CHOICES,
    TARGET_GROUP_CODES,
    TARGET_GROUP_LABELS,
)

__all__ = [
    "BUILTIN_RISK_GROUPS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "LOCAL_GROUPS_FROM",
    "RULES_2010",
    "RULES_2016",
    "RULES_2019",
    "RULES_CONTINUED",
    "RULE_SETS",
    "SEL_79A_REPEALED",
    "SEL_79A_STK_1",
    "SEL_79A_STK_2",
    "SEL_79A_STK_3",
    "SEL_79A_STK_4",
    "SEL_79A_STK_6",
    "TARGET_GROUP_CHOICES",
    "TARGET_GROUP_CODES",
    "TARGET_GROUP_LABELS",
    "AgeRule",
    "EligibilityError",
    "LocalGroup",
    "RiskRule",
    "RuleSet",
    "legal_basis_for_year",
    "legal_basis_on",
    "rule_set_for",
    "transition_applies",
]

SEL_79A_REPEALED = REPEALED
RULE_SETS: tuple[RuleSet, ...] = (RULES_2010, RULES_2016, RULES_2019, RULES_CONTINUED)


def rule_set_for(year: int, rule_sets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet:
    """The rule set in force at the end of `year` (a mid-year change governs that year, with its
    transition rule for what the old rules had already given)."""
    if year < FIRST_YEAR:
        raise EligibilityError(
            f"År {year} understøttes ikke: reglerne i § 79 a er modelleret fra {FIRST_YEAR}. "
            f"Vælg {FIRST_YEAR} eller senere."
        )
    if year > LAST_YEAR:
        raise EligibilityError(f"År {year} understøttes ikke: fhb regner på årene {FIRST_YEAR}–{LAST_YEAR}.")
    end = dt.date(year, 12, 31)
    candidates = [r for r in rule_sets if r.valid_from <= end]
    return max(candidates, key=lambda r: r.valid_from)


def legal_basis_for_year(year: int, *, local_groups: bool) -> str:
    """What a year's target groups rest on, as eligibility and offers state it: § 79 a as in force
    (2025 under the 2019 rules throughout), and from 2026 the municipality's own groups under
    Ældreloven § 4 — or its continuation of the former groups, its own choice."""
    if year >= LOCAL_GROUPS_FROM and local_groups:
        return aeldreloven.local_rule_set(year).legal_basis
    return rule_set_for(year).legal_basis


def legal_basis_on(day: dt.date) -> tuple[str, str]:
    """The law the visits rest on that day: (its name for a heading, and as a letter says it,
    "efter ..."). Never the repealed § 79 a after 30 June 2025."""
    if day < SEL_79A_REPEALED:
        return str(_("Serviceloven § 79 a")), "servicelovens § 79 a"
    return str(_("Ældreloven § 4")), "ældrelovens § 4"
