"""The year's target groups for every citizen of a municipality in one set-based query.

Built from the same RuleSet objects as the pure function in oracle.py, and tested against it
(tests/fhb/test_eligibility_query.py). Each group is a boolean column computed in the database;
birth-year groups are ranges on birth_date, at-risk is membership in the set of citizens with a
qualifying risk event, the age at the event computed from year, month and day (so a 29 February
birthday counts from 1 March, as in the oracle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from .. import hooks
from ..law import (
    AgeRule,
    EligibilityError,
    LocalGroup,
    RiskRule,
    RuleSet,
    aeldreloven,
    rule_set_for,
    transition_applies,
)
from ..models import Citizen, Municipality, RiskEvent
from .oracle import Eligibility
from .policy import Policy, policy_for
from .rules import window_start


@dataclass(frozen=True)
class Column:
    code: str
    field: str  # annotation name on the queryset


def _age_q(rule: AgeRule, year: int) -> Q:
    first, last = rule.birth_years(year)
    q = Q(birth_date__lte=dt.date(last, 12, 31))
    if first is not None:
        q &= Q(birth_date__gte=dt.date(first, 1, 1))
    if rule.living_alone:
        q &= Q(household_size=1)
    return q


def _qualifying_events(
    rule: RiskRule, *, group_codes: frozenset[str], start: dt.date, end: dt.date, birth, municipality
):
    """Risk events in an active group inside the window, the citizen aged min..max in completed
    years on the event's date. `birth` and `municipality` are the citizen's birth date and
    municipality id, as expressions (a join or an outer reference)."""
    event_mmdd = ExtractMonth("registered_on") * 100 + ExtractDay("registered_on")
    birth_mmdd = ExtractMonth(birth) * 100 + ExtractDay(birth)
    age = (
        ExtractYear("registered_on")
        - ExtractYear(birth)
        - Case(When(Q(_mmdd__lt=birth_mmdd), then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    # Active groups by code: a built-in group, or the citizen's own municipality's group of that code.
    in_scope = Q(risk_group__municipality__isnull=True) | Q(risk_group__municipality_id=municipality)
    return (
        RiskEvent.objects.filter(
            in_scope,
            risk_group__code__in=sorted(group_codes),
            risk_group__is_active=True,
            registered_on__range=(start, end),
        )
        .annotate(_mmdd=event_mmdd)
        .annotate(_age=age)
        .filter(_age__gte=rule.min_age, _age__lte=rule.max_age)
    )


def _at_risk(
    rule: RiskRule,
    *,
    group_codes: frozenset[str],
    start: dt.date,
    end: dt.date,
    municipalities: list[Municipality] | None,
) -> Q:
    """At risk, as the query plan that wins at each scope (measured in bench/eligibility.py):
    for the whole country an uncorrelated `id IN (set)` (the set is built once and probed); for
    one municipality a correlated EXISTS (a look-up in the risk-event index per citizen), which
    avoids building the set from the whole country's events for every municipality."""
    if municipalities is None:
        events = _qualifying_events(
            rule,
            group_codes=group_codes,
            start=start,
            end=end,
            birth=F("citizen__birth_date"),
            municipality=F("citizen__municipality_id"),
        )
        return Q(pk__in=events.values("citizen_id"))
    events = _qualifying_events(
        rule,
        group_codes=group_codes,
        start=start,
        end=end,
        birth=OuterRef("birth_date"),
        municipality=OuterRef("municipality_id"),
    ).filter(citizen=OuterRef("pk"))
    return Q(Exists(events))


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _local_q(group: LocalGroup, *, year: int, as_of: dt.date, policy: Policy) -> Q:
    """A local target group (interfaces.md § 6 a) as one condition on the citizen: every criterion
    the group names. The same reading as the oracle's `local_group_reason`."""
    q = Q()
    first, last = group.birth_years(year)
    if last is not None:
        q &= Q(birth_date__lte=dt.date(last, 12, 31))
    if first is not None:
        q &= Q(birth_date__gte=dt.date(first, 1, 1))
    if group.living_alone is not None:
        q &= Q(household_size=1) if group.living_alone else Q(household_size__gt=1)
    if group.receives_help is not None:
        helped = Q(personal_care=True) | Q(practical_help=True)
        q &= helped if group.receives_help else ~helped
    if group.risk_groups:
        start = window_start(as_of, group.window_months or policy.risk_window_months)
        events = RiskEvent.objects.filter(
            Q(risk_group__municipality__isnull=True) | Q(risk_group__municipality_id=OuterRef("municipality_id")),
            citizen=OuterRef("pk"),
            risk_group__code__in=sorted(group.risk_groups),
            registered_on__range=(start, dt.date(year, 12, 31)),
        )
        q &= Q(Exists(events))
    period = group.not_visited_period(year)
    if period:
        q &= ~Q(pk__in=_counted_visits().filter(visit_date__range=period).values("citizen_id"))
    return q


def _counted_visits() -> QuerySet:
    """The visits that count (visits contributes them: the core does not import it)."""
    contributors = hooks.get_hooks("counted_visits")
    if not contributors:
        raise EligibilityError("Målgruppen kræver besøgshistorikken (not_visited_years), men den er ikke installeret.")
    return contributors[0]()


def eligibility_queryset(
    *, municipalities: list[Municipality] | None, year: int, as_of: dt.date, policy: Policy
) -> tuple[QuerySet[Citizen], list[Column], RuleSet]:
    """Citizens (of municipalities sharing one policy; None: every municipality) with at least one
    group, annotated with one boolean per group and `exempt`."""
    rules = rule_set_for(year)
    local = policy.local_groups_for(year)
    if local:
        return _with_groups(
            {g.code: _local_q(g, year=year, as_of=as_of, policy=policy) for g in local},
            municipalities=municipalities,
            as_of=as_of,
            policy=policy,
            rules=aeldreloven.local_rule_set(year),
        )
    codes = policy.active_risk_groups
    start, end = window_start(as_of, policy.risk_window_months), dt.date(year, 12, 31)
    conditions: dict[str, Q] = {r.code: _age_q(r, year) for r in rules.age_rules}
    if rules.risk_rule:
        conditions[rules.risk_rule.code] = _at_risk(
            rules.risk_rule, group_codes=codes, start=start, end=end, municipalities=municipalities
        )
    if transition_applies(rules, year):
        old = rules.transition_from
        old_as_of = min(as_of, rules.valid_from - dt.timedelta(days=1))
        any_new_age = Q()
        for rule in rules.age_rules:
            any_new_age |= _age_q(rule, year)
        for rule in old.age_rules:
            if rule.code not in conditions:  # the same group under both rule sets is one group
                conditions[rule.code] = _age_q(rule, year) & ~any_new_age
        if old.risk_rule:
            old_start = window_start(old_as_of, policy.risk_window_months)
            conditions[old.risk_rule.code] = (
                _at_risk(old.risk_rule, group_codes=codes, start=old_start, end=end, municipalities=municipalities)
                & ~conditions[rules.risk_rule.code]
            )

    return _with_groups(conditions, municipalities=municipalities, as_of=as_of, policy=policy, rules=rules)


def _with_groups(
    conditions: dict[str, Q], *, municipalities, as_of: dt.date, policy: Policy, rules: RuleSet
) -> tuple[QuerySet[Citizen], list[Column], RuleSet]:
    columns = [Column(code, f"g_{code}") for code in conditions]
    queryset = (
        Citizen.objects.all() if municipalities is None else Citizen.objects.filter(municipality__in=municipalities)
    )
    queryset = queryset.alive_and_resident_on(as_of)
    for column in columns:
        queryset = queryset.annotate(**{column.field: _flag(conditions[column.code])})
    # Filter on the conditions themselves (not the CASE columns), so the database can test the cheap
    # birth-date ranges first and probe the at-risk set only for citizens outside them.
    any_group = Q()
    for condition in conditions.values():
        any_group |= condition
    exempt = Q(pk__in=[])
    if policy.exemption == "personal_care_and_practical_help":
        exempt = Q(personal_care=True, practical_help=True)
    elif policy.exemption == "practical_help":
        exempt = Q(practical_help=True)
    queryset = queryset.filter(any_group).annotate(exempt=_flag(exempt))
    return queryset, columns, rules


def eligibility_rows(
    *,
    municipality: Municipality | None = None,
    municipalities: list[Municipality] | None = None,
    year: int,
    as_of: dt.date,
    policy: Policy | None = None,
    everyone: bool = False,
) -> Iterator[Eligibility]:
    """Stream the year's Eligibility of every citizen with a group, sorted by CPR: of one
    municipality (under its quality standard unless `policy` is given), or of several that share
    `policy` (one query for all of them)."""
    if everyone:
        municipalities = None  # every municipality shares `policy`: no filter on municipality
    elif municipalities is None:
        municipalities = [municipality]
        policy = policy or policy_for(municipality, year)
    if policy is None:
        raise ValueError("several municipalities need the policy they share")
    queryset, columns, rules = eligibility_queryset(
        municipalities=municipalities, year=year, as_of=as_of, policy=policy
    )
    fields = [c.field for c in columns]
    codes = [c.code for c in columns]
    rows = queryset.order_by("cpr").values_list("cpr", "pk", "birth_date", "exempt", *fields)
    patterns: dict[tuple, tuple[str, ...]] = {}  # few distinct flag patterns: sort each once
    reason = policy.exemption or None
    # A local group's visits a year; a citizen in several gets the largest (interfaces.md § 4).
    per_group = {g.code: g.visits_per_year for g in policy.local_groups_for(year)}
    required: dict[tuple, int] = {}
    for cpr, pk, birth_date, exempt, *flags in _fetch(rows):
        key = tuple(flags)
        groups = patterns.get(key)
        if groups is None:
            groups = patterns[key] = tuple(sorted(code for code, flag in zip(codes, flags, strict=True) if flag))
            required[key] = max((per_group.get(code, rules.visits_required) for code in groups), default=1)
        yield Eligibility(
            cpr=cpr,
            groups=groups,
            visits_required=required[key],
            exempt=bool(exempt),
            exemption_reason=reason if exempt else None,
            citizen_id=pk,
            birth_date=birth_date,
        )


def _fetch(rows: QuerySet) -> Iterator[tuple]:
    """The rows, in batches. On PostgreSQL through a client-side cursor: a server-side cursor (what
    Django's iterator() uses) rules out a parallel plan, which made the national query 2x slower
    (bench/eligibility.py). The result holds only citizens with a group (330,000 rows nationally,
    tens of MB). Elsewhere Django's iterator, which also converts SQLite's dates."""
    if connection.vendor != "postgresql":
        yield from rows.iterator(chunk_size=20_000)
        return
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            yield from batch
