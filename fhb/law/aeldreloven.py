"""Ældreloven (lov nr. 1651 af 30. december 2024), in force from 1 July 2025, when L 92 2024-25
repealed Serviceloven § 79 a. Its § 4 obliges the municipality to support an old age with as much
independence as possible: a general preventive effort, and outreach to the citizens in whom it sees
a potential for prevention. No age group has a statutory right to a visit, and there is no
statutory § 83 exemption (domain.md § 2).

How fhb applies it (interfaces.md §§ 4 and 6 a):
- 2025 follows the 2019 § 79 a rules for the whole year (`serviceloven_79a.RULES_2019`).
- From 2026 the municipality's own target groups (`LocalGroup`, from its quality standard's
  `target_groups`) decide who is reached. A municipality that has adopted none continues the 2019
  groups unchanged as a local choice (`RULES_CONTINUED`): the same codes and rules, shown as a
  continuation the municipality should decide on, never as a duty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .rulesets import AgeRule, RiskRule, RuleSet
from .serviceloven_79a import RULES_2019

IN_FORCE = dt.date(2025, 7, 1)
# The first year a municipality's own target groups govern (2025 follows § 79 a of 2019 throughout).
LOCAL_GROUPS_FROM = 2026
LEGAL_BASIS = "Ældreloven § 4"
CONTINUED_BASIS = "videreført efter ældrelovens § 4, kommunens eget valg"

RULES_CONTINUED = RuleSet(
    key="2026-continued",
    valid_from=dt.date(LOCAL_GROUPS_FROM, 1, 1),
    legal_basis=(
        "Ældreloven § 4: kommunen viderefører de tidligere lovbestemte målgrupper som sit eget valg "
        "(kvalitetsstandarden for året har ingen egne målgrupper)"
    ),
    age_rules=tuple(
        AgeRule(r.code, CONTINUED_BASIS, r.exact_age, r.min_age, r.living_alone) for r in RULES_2019.age_rules
    ),
    risk_rule=RiskRule(
        RULES_2019.risk_rule.code, CONTINUED_BASIS, RULES_2019.risk_rule.min_age, RULES_2019.risk_rule.max_age
    ),
    continuation=True,
)

INVITATION_KINDS = ("date_letter", "open_letter", "collective_event")

# The former statutory groups written as local groups (interfaces.md § 6 a): where a team leader
# starts a draft that keeps the visits as they were. At risk is read in the calendar-year convention
# of § 6 a (65–81 in the year) with the standard's risk groups, not by the age on the event's date.
FORMER_GROUPS = [
    {"code": "age_70_living_alone", "label": "Fylder 70 og bor alene", "age": {"turns": 70}, "living_alone": True},
    {"code": "age_75", "label": "Fylder 75", "age": {"turns": 75}},
    {"code": "age_80", "label": "Fylder 80", "age": {"turns": 80}},
    {"code": "age_82_plus", "label": "82 år og derover", "age": {"from": 82}},
    {
        "code": "at_risk_65_81",
        "label": "Særlig risiko, 65–81 år",
        "age": {"from": 65, "to": 81},
        "risk_groups": ["widowed", "spouse_nursing_home", "spouse_seriously_ill", "hospital_discharge", "lonely"],
    },
]


@dataclass(frozen=True)
class LocalGroup:
    """One of the municipality's own target groups (interfaces.md § 6 a). A criterion left as None
    (or empty) does not restrict."""

    code: str
    label: str
    turns: int | None = None
    age_from: int | None = None
    age_to: int | None = None
    living_alone: bool | None = None
    receives_help: bool | None = None
    risk_groups: tuple[str, ...] = ()
    window_months: int | None = None  # for risk_groups; None: the standard's risk window
    not_visited_years: int | None = None
    visits_per_year: int = 1
    invitation: str = "date_letter"

    def birth_years(self, year: int) -> tuple[int | None, int | None]:
        """(first, last) birth year in `year` by the calendar-year convention; None is open."""
        if self.turns is not None:
            return year - self.turns, year - self.turns
        first = year - self.age_to if self.age_to is not None else None
        last = year - self.age_from if self.age_from is not None else None
        return first, last

    def not_visited_period(self, year: int) -> tuple[dt.date, dt.date] | None:
        """The calendar years before `year` in which the citizen must have had no counted visit."""
        if not self.not_visited_years:
            return None
        return dt.date(year - self.not_visited_years, 1, 1), dt.date(year - 1, 12, 31)

    def describe(self) -> str:
        """The group's criteria in Danish, for the reasons shown with a citizen's groups."""
        parts = []
        if self.turns is not None:
            parts.append(f"fylder {self.turns} i året")
        elif self.age_from is not None and self.age_to is not None:
            parts.append(f"fylder {self.age_from}–{self.age_to} i året")
        elif self.age_from is not None:
            parts.append(f"fylder {self.age_from} i året eller tidligere")
        elif self.age_to is not None:
            parts.append(f"fylder højst {self.age_to} i året")
        if self.living_alone is not None:
            parts.append("bor alene" if self.living_alone else "bor ikke alene")
        if self.receives_help is not None:
            parts.append("modtager hjælp (§ 83)" if self.receives_help else "modtager ikke hjemmehjælp")
        if self.risk_groups:
            parts.append("risikohændelse: " + ", ".join(self.risk_groups))
        if self.not_visited_years:
            parts.append(f"ikke besøgt i {self.not_visited_years} år")
        return ", ".join(parts)

    def as_json(self) -> dict:
        """The group as § 6 a writes it."""
        doc: dict = {"code": self.code, "label": self.label}
        if self.turns is not None:
            doc["age"] = {"turns": self.turns}
        else:
            doc["age"] = {k: v for k, v in (("from", self.age_from), ("to", self.age_to)) if v is not None}
        for key in ("living_alone", "receives_help", "window_months", "not_visited_years"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        if self.risk_groups:
            doc["risk_groups"] = list(self.risk_groups)
        if self.visits_per_year != 1:
            doc["visits_per_year"] = self.visits_per_year
        if self.invitation != "date_letter":
            doc["invitation"] = self.invitation
        return doc

    @classmethod
    def from_json(cls, doc: dict) -> LocalGroup:
        """From a group that has passed validation (fhb.registry.quality_standard)."""
        age = doc.get("age") or {}
        return cls(
            code=doc["code"],
            label=doc["label"],
            turns=age.get("turns"),
            age_from=age.get("from"),
            age_to=age.get("to"),
            living_alone=doc.get("living_alone"),
            receives_help=doc.get("receives_help"),
            risk_groups=tuple(doc.get("risk_groups") or ()),
            window_months=doc.get("window_months"),
            not_visited_years=doc.get("not_visited_years"),
            visits_per_year=doc.get("visits_per_year", 1),
            invitation=doc.get("invitation", "date_letter"),
        )


def local_rule_set(year: int) -> RuleSet:
    """The year's rules when the municipality has adopted its own target groups: no statutory
    group; the groups are the standard's (`LocalGroup`)."""
    return RuleSet(
        key=f"local-{year}",
        valid_from=dt.date(year, 1, 1),
        legal_basis=f"{LEGAL_BASIS}: kommunens egne målgrupper, kvalitetsstandard {year}",
        age_rules=(),
        risk_rule=None,
    )


def reason(group: LocalGroup, year: int) -> str:
    """Why a citizen is in a local group, with its basis: the standard of the year under § 4."""
    return f"{group.label}: {group.describe()} (kvalitetsstandard {year}, ældrelovens § 4)"
