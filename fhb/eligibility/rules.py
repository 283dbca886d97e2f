"""§ 79 a rule sets as data, keyed by the date they took effect (domain.md § 2).

A new legal basis (e.g. the 2025 Ældrelov) is a new RuleSet in RULE_SETS plus its tests, not a
change to the engine: the pure function (oracle.py) and the query (query.py) read these objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..law import SEL_79A_STK_1, SEL_79A_STK_2, SEL_79A_STK_3, SEL_79A_STK_4

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

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.age_rules) + ((self.risk_rule.code,) if self.risk_rule else ())


RULES_2010 = RuleSet(
    key="2010",
    valid_from=dt.date(2010, 1, 1),
    legal_basis="Serviceloven § 79 a (2010-2015): mindst ét besøg om året fra 75 år",
    age_rules=(AgeRule("age_75_plus", SEL_79A_STK_1, min_age=75),),
    risk_rule=None,
)
RULES_2016 = RuleSet(
    key="2016",
    valid_from=dt.date(2016, 1, 1),
    legal_basis="Serviceloven § 79 a (2016-30. juni 2019)",
    age_rules=(
        AgeRule("age_75", SEL_79A_STK_2, exact_age=75),
        AgeRule("age_80_plus", SEL_79A_STK_1, min_age=80),
    ),
    risk_rule=RiskRule("at_risk_65_79", SEL_79A_STK_4, 65, 79),
)
RULES_2019 = RuleSet(
    key="2019",
    valid_from=dt.date(2019, 7, 1),
    legal_basis="Serviceloven § 79 a som ændret ved lov nr. 508 af 7. maj 2019",
    age_rules=(
        AgeRule("age_70_living_alone", SEL_79A_STK_3, exact_age=70, living_alone=True),
        AgeRule("age_75", SEL_79A_STK_2, exact_age=75),
        AgeRule("age_80", SEL_79A_STK_2, exact_age=80),
        AgeRule("age_82_plus", SEL_79A_STK_1, min_age=82),
    ),
    risk_rule=RiskRule("at_risk_65_81", SEL_79A_STK_4, 65, 81),
    transition_from=RULES_2016,
)
RULE_SETS: tuple[RuleSet, ...] = (RULES_2010, RULES_2016, RULES_2019)


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


def transition_applies(rule_set: RuleSet, year: int) -> bool:
    return rule_set.transition_from is not None and rule_set.valid_from.year == year


def window_start(as_of: dt.date, months: int) -> dt.date:
    """`months` calendar months before `as_of` (a day missing in the target month clamps to its end)."""
    month_index = as_of.year * 12 + as_of.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (as_of.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day`; a 29 February birthday counts from 1 March in other years."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
