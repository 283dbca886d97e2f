"""The rules for one citizen (§ 79 a, its continuation, or the municipality's own target groups),
as a pure function: readable, and the oracle the set-based query is tested against. It never reads
the clock or the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..law import BUILTIN_RISK_GROUPS, AgeRule, LocalGroup, RuleSet, aeldreloven, rule_set_for, transition_applies
from .policy import Policy
from .rules import age_on, window_start


@dataclass(frozen=True)
class CitizenFacts:
    cpr: str
    birth_date: dt.date
    household_size: int
    personal_care: bool = False
    practical_help: bool = False
    deceased_on: dt.date | None = None
    moved_out_on: dt.date | None = None
    risk_events: tuple[tuple[str, dt.date], ...] = ()  # (risk group code, registered_on)
    visit_years: frozenset[int] = frozenset()  # years with a counted visit (fhb.law.preventive_visit)


@dataclass(slots=True)
class Eligibility:
    """What a citizen must be offered in a year. Not frozen: a national run makes 330,000 of these
    and frozen dataclasses set every field through object.__setattr__."""

    cpr: str
    groups: tuple[str, ...]
    visits_required: int
    exempt: bool
    exemption_reason: str | None
    reasons: dict[str, str] = field(default_factory=dict, compare=False)
    citizen_id: int | None = field(default=None, compare=False)
    birth_date: dt.date | None = field(default=None, compare=False)

    def as_json(self) -> dict:
        return {
            "cpr": self.cpr,
            "groups": list(self.groups),
            "visits_required": self.visits_required,
            "exempt": self.exempt,
            "exemption_reason": self.exemption_reason,
        }


def _age_group(rule: AgeRule, facts: CitizenFacts, year: int) -> str | None:
    first, last = rule.birth_years(year)
    if facts.birth_date.year > last or (first is not None and facts.birth_date.year < first):
        return None
    if rule.living_alone and facts.household_size != 1:
        return None
    return f"{rule.describe()} ({rule.legal_basis})"


def _groups(rules: RuleSet, facts: CitizenFacts, *, year: int, as_of: dt.date, policy: Policy) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in rules.age_rules:
        reason = _age_group(rule, facts, year)
        if reason:
            found[rule.code] = reason
    risk = rules.risk_rule
    if risk is not None:
        start, end = window_start(as_of, policy.risk_window_months), dt.date(year, 12, 31)
        for group, registered_on in sorted(facts.risk_events, key=lambda e: e[1]):
            if group not in policy.active_risk_groups or not start <= registered_on <= end:
                continue
            age = age_on(facts.birth_date, registered_on)
            if risk.min_age <= age <= risk.max_age:
                label = BUILTIN_RISK_GROUPS.get(group, group)  # the name, never the code
                found[risk.code] = f"risikohændelse »{label}« {registered_on:%d-%m-%Y}, {age} år ({risk.legal_basis})"
                break
    return found


def local_group_reason(group: LocalGroup, facts: CitizenFacts, *, year: int, as_of: dt.date, policy: Policy):
    """Why the citizen is in one of the municipality's own groups (interfaces.md § 6 a), or None:
    every criterion the group names must hold."""
    first, last = group.birth_years(year)
    born = facts.birth_date.year
    if (last is not None and born > last) or (first is not None and born < first):
        return None
    if group.living_alone is not None and (facts.household_size == 1) != group.living_alone:
        return None
    if group.receives_help is not None and (facts.personal_care or facts.practical_help) != group.receives_help:
        return None
    if group.risk_groups:
        start = window_start(as_of, group.window_months or policy.risk_window_months)
        end = dt.date(year, 12, 31)
        if not any(code in group.risk_groups and start <= day <= end for code, day in facts.risk_events):
            return None
    period = group.not_visited_period(year)
    if period and any(period[0].year <= y <= period[1].year for y in facts.visit_years):
        return None
    return aeldreloven.reason(group, year)


def eligibility_for(facts: CitizenFacts, *, year: int, as_of: dt.date, policy: Policy) -> Eligibility | None:
    """What `facts`' citizen must be offered in `year`, or None. Raises EligibilityError for years
    the rules do not cover."""
    rules = rule_set_for(year)
    if (facts.deceased_on and facts.deceased_on <= as_of) or (facts.moved_out_on and facts.moved_out_on <= as_of):
        return None
    local = policy.local_groups_for(year)
    if local:
        found = {}
        for group in local:
            reason = local_group_reason(group, facts, year=year, as_of=as_of, policy=policy)
            if reason:
                found[group.code] = reason
        if not found:
            return None
        exempt = policy.is_exempt(personal_care=facts.personal_care, practical_help=facts.practical_help)
        return Eligibility(
            cpr=facts.cpr,
            groups=tuple(sorted(found)),
            visits_required=max(g.visits_per_year for g in local if g.code in found),
            exempt=exempt,
            exemption_reason=policy.exemption if exempt else None,
            reasons=found,
        )
    found = _groups(rules, facts, year=year, as_of=as_of, policy=policy)
    if transition_applies(rules, year):
        # Lov 508/2019: an offer earned under the old rules before 1 July 2019 is still given.
        old = _groups(
            rules.transition_from,
            facts,
            year=year,
            as_of=min(as_of, rules.valid_from - dt.timedelta(days=1)),
            policy=policy,
        )
        has_age_group = any(code in found for code in (r.code for r in rules.age_rules))
        for code, reason in old.items():
            if code in found:
                continue
            is_age = code in (r.code for r in rules.transition_from.age_rules)
            if (is_age and not has_age_group) or (not is_age and rules.risk_rule.code not in found):
                found[code] = f"overgangsregel, lov 508/2019: {reason}"
    if not found:
        return None
    exempt = policy.is_exempt(personal_care=facts.personal_care, practical_help=facts.practical_help)
    return Eligibility(
        cpr=facts.cpr,
        groups=tuple(sorted(found)),
        visits_required=rules.visits_required,
        exempt=exempt,
        exemption_reason=policy.exemption if exempt else None,
        reasons=found,
    )
