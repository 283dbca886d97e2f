"""The shape of a legal basis for the target groups, as data: who is to be offered a visit in a
year, by age (calendar-year convention) and by risk. Each legal source in this package builds its
rule sets from these; the eligibility engine (`fhb.eligibility`) reads them and knows no law."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIRST_YEAR = 2010
# The last year fhb computes: far enough for any plan, near enough that every date in it exists.
LAST_YEAR = 2099


class EligibilityError(ValueError):
    """A request the rules cannot answer (e.g. a year before 2010); the message says why."""


@dataclass(frozen=True)
class AgeRule:
    """A group by age in the calendar-year convention: `exact_age` means "in the year they turn N"
    (birth year = YEAR - N); `min_age` means "from the year they turn N" (birth year <= YEAR - N)."""

    code: str
    legal_basis: str
    exact_age: int | None = None
    min_age: int | None = None
    living_alone: bool = False

    def birth_years(self, year: int) -> tuple[int | None, int]:
        """(first, last) birth year of the group in `year`; first is None for open-ended groups."""
        if self.exact_age is not None:
            return year - self.exact_age, year - self.exact_age
        return None, year - self.min_age

    def describe(self) -> str:
        if self.exact_age is not None:
            text = f"fylder {self.exact_age} i året"
        else:
            text = f"fylder {self.min_age} i året eller tidligere"
        return text + (" og bor alene" if self.living_alone else "")


@dataclass(frozen=True)
class RiskRule:
    """At special risk: a risk event in an active group inside the window, the citizen aged
    min_age..max_age in completed years on the event's date."""

    code: str
    legal_basis: str
    min_age: int
    max_age: int


@dataclass(frozen=True)
class RuleSet:
    key: str
    valid_from: dt.date
    legal_basis: str
    age_rules: tuple[AgeRule, ...]
    risk_rule: RiskRule | None
    visits_required: int = 1
    # The rule set this one replaced mid-year, whose earned offers still stand in the changeover
    # year (lov 508/2019: offers earned before 1 July 2019 must still be given).
    transition_from: RuleSet | None = None
    # A municipality's continuation of repealed rules as its own choice (Ældreloven § 4), not a duty.
    continuation: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.age_rules) + ((self.risk_rule.code,) if self.risk_rule else ())


def transition_applies(rule_set: RuleSet, year: int) -> bool:
    return rule_set.transition_from is not None and rule_set.valid_from.year == year
