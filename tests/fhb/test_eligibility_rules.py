"""The § 79 a rules, per citizen (the pure function), as tables of cases at the edges."""

import datetime as dt

import pytest

from fhb.eligibility import CitizenFacts, EligibilityError, Policy, eligibility_for, rule_set_for
from fhb.eligibility.rules import window_start
from fhb.law import RULE_SETS, RULES_2019, RULES_CONTINUED, AgeRule, RuleSet

D = dt.date


DEFAULT_POLICY = Policy()


def groups(birth, *, year=2026, as_of=None, household=2, events=(), policy=DEFAULT_POLICY, **facts):
    result = eligibility_for(
        CitizenFacts(cpr="0101010000", birth_date=birth, household_size=household, risk_events=tuple(events), **facts),
        year=year,
        as_of=as_of or D(year, 1, 1),
        policy=policy,
    )
    return result.groups if result else ()


@pytest.mark.parametrize(
    ("birth", "household", "expected"),
    [
        (D(1956, 1, 1), 1, ("age_70_living_alone",)),  # turns 70 on 1 January
        (D(1956, 12, 31), 1, ("age_70_living_alone",)),  # ... or on 31 December
        (D(1956, 6, 1), 2, ()),  # 70 but not living alone
        (D(1955, 12, 31), 1, ()),  # turned 70 last year
        (D(1951, 1, 1), 3, ("age_75",)),
        (D(1951, 12, 31), 1, ("age_75",)),
        (D(1952, 2, 29), 1, ()),  # turns 74
        (D(1946, 2, 28), 1, ("age_80",)),
        (D(1945, 12, 31), 1, ()),  # turns 81: no group from 2019
        (D(1944, 1, 1), 1, ("age_82_plus",)),  # turns 82
        (D(1944, 2, 29), 2, ("age_82_plus",)),  # leap-day birthday, turns 82 in a non-leap year
        (D(1920, 5, 5), 1, ("age_82_plus",)),
        (D(1961, 1, 1), 1, ()),  # 65, no risk event
    ],
)
def test_age_groups_2026_calendar_year_convention(birth, household, expected):
    assert groups(birth, household=household) == expected


@pytest.mark.parametrize(
    ("year", "birth", "expected"),
    [
        (2010, D(1935, 1, 1), ("age_75_plus",)),
        (2015, D(1940, 12, 31), ("age_75_plus",)),
        (2015, D(1941, 1, 1), ()),
        (2016, D(1941, 1, 1), ("age_75",)),
        (2016, D(1940, 6, 1), ()),  # 76: nothing until 80 under the 2016 rules
        (2016, D(1936, 6, 1), ("age_80_plus",)),
        (2018, D(1930, 6, 1), ("age_80_plus",)),
        (2019, D(1939, 6, 1), ("age_80",)),
        (2019, D(1937, 6, 1), ("age_82_plus",)),
        # Lov 508/2019's transition: turning 81 in 2019 had an annual offer under the old rules.
        (2019, D(1938, 6, 1), ("age_80_plus",)),
        (2020, D(1939, 6, 1), ()),  # turns 81 in 2020: no transition any more
    ],
)
def test_each_rule_set_and_the_2019_transition(year, birth, expected):
    assert groups(birth, year=year) == expected


def test_years_before_2010_are_refused():
    with pytest.raises(EligibilityError, match="2009"):
        groups(D(1930, 1, 1), year=2009)


@pytest.mark.parametrize(
    ("event_day", "birth", "as_of", "expected"),
    [
        (D(2025, 1, 1), D(1950, 6, 1), D(2026, 1, 1), ("at_risk_65_81",)),  # window start, inclusive
        (D(2024, 12, 31), D(1950, 6, 1), D(2026, 1, 1), ()),  # a day before the window
        (D(2026, 12, 31), D(1950, 6, 1), D(2026, 1, 1), ("at_risk_65_81",)),  # 31 December, inclusive
        (D(2026, 3, 1), D(1961, 3, 1), D(2026, 1, 1), ("at_risk_65_81",)),  # 65 on the day
        (D(2026, 2, 28), D(1961, 3, 1), D(2026, 1, 1), ()),  # 64 the day before
        (D(2026, 3, 1), D(1944, 3, 2), D(2026, 1, 1), ("age_82_plus", "at_risk_65_81")),  # 81 the day before 82
        (D(2026, 3, 2), D(1944, 3, 2), D(2026, 1, 1), ("age_82_plus",)),  # 82 on the event: too old
        (D(2025, 2, 28), D(1960, 2, 29), D(2026, 1, 1), ()),  # leap-day birthday: 64 on 28 Feb 2025
        (D(2025, 3, 1), D(1960, 2, 29), D(2026, 1, 1), ("at_risk_65_81",)),  # ... 65 on 1 March
        (D(2025, 11, 30), D(1950, 6, 1), D(2026, 11, 30), ("at_risk_65_81",)),  # later as-of moves the window
        (D(2025, 11, 29), D(1950, 6, 1), D(2026, 11, 30), ()),
    ],
)
def test_at_risk_window_and_age_at_event(event_day, birth, as_of, expected):
    assert groups(birth, as_of=as_of, events=[("widowed", event_day)]) == expected


def test_at_risk_2016_rules_stop_at_79():
    assert groups(D(1936, 1, 1), year=2016, events=[("widowed", D(2016, 3, 1))]) == ("age_80_plus",)  # 80 at event
    assert groups(D(1937, 6, 1), year=2016, events=[("widowed", D(2016, 3, 1))]) == ("at_risk_65_79",)


def test_only_active_risk_groups_count_including_custom_ones():
    policy = Policy(active_risk_groups=frozenset({"caregiver_burden"}))
    assert groups(D(1950, 6, 1), events=[("widowed", D(2026, 3, 1))], policy=policy) == ()
    assert groups(D(1950, 6, 1), events=[("caregiver_burden", D(2026, 3, 1))], policy=policy) == ("at_risk_65_81",)


def test_window_is_configurable():
    events = [("widowed", D(2024, 7, 1))]
    assert groups(D(1950, 6, 1), events=events) == ()
    assert groups(D(1950, 6, 1), events=events, policy=Policy(risk_window_months=18)) == ("at_risk_65_81",)


@pytest.mark.parametrize(
    ("deceased_on", "moved_out_on", "listed"),
    [
        (D(2026, 1, 1), None, False),  # died on the as-of date
        (D(2025, 12, 31), None, False),
        (D(2026, 1, 2), None, True),  # died the day after: still listed at 1 January
        (None, D(2026, 1, 1), False),
        (None, D(2026, 1, 2), True),
    ],
)
def test_death_and_move_out_around_the_as_of_date(deceased_on, moved_out_on, listed):
    assert bool(groups(D(1944, 1, 1), deceased_on=deceased_on, moved_out_on=moved_out_on)) is listed


@pytest.mark.parametrize(
    ("exemption", "care", "help_", "exempt", "reason"),
    [
        ("", True, True, False, None),
        ("personal_care_and_practical_help", True, True, True, "personal_care_and_practical_help"),
        ("personal_care_and_practical_help", False, True, False, None),
        ("practical_help", False, True, True, "practical_help"),  # a local deviation (Langeland)
        ("practical_help", True, False, False, None),
    ],
)
def test_exemption_is_shown_not_dropped(exemption, care, help_, exempt, reason):
    result = eligibility_for(
        CitizenFacts("0101010000", D(1944, 1, 1), 1, personal_care=care, practical_help=help_),
        year=2026,
        as_of=D(2026, 1, 1),
        policy=Policy(exemption=exemption),
    )
    assert (result.groups, result.exempt, result.exemption_reason) == (("age_82_plus",), exempt, reason)


def test_reasons_name_the_legal_basis():
    """2025 follows § 79 a of 2019 for the whole year; from 2026 the same groups are the
    municipality's continuation under Ældreloven § 4, and no reason cites the repealed § 79 a."""
    result = eligibility_for(
        CitizenFacts("0101010000", D(1955, 3, 3), 1, risk_events=(("lonely", D(2025, 2, 1)),)),
        year=2025,
        as_of=D(2025, 1, 1),
        policy=Policy(),
    )
    assert "stk. 3" in result.reasons["age_70_living_alone"] and "bor alene" in result.reasons["age_70_living_alone"]
    assert (
        "»Ensom eller isoleret« 01-02-2025" in result.reasons["at_risk_65_81"]
        and "stk. 4" in result.reasons["at_risk_65_81"]
    )
    continued = eligibility_for(
        CitizenFacts("0101010000", D(1956, 3, 3), 1, risk_events=(("lonely", D(2026, 2, 1)),)),
        year=2026,
        as_of=D(2026, 1, 1),
        policy=Policy(),
    )
    assert continued.groups == ("age_70_living_alone", "at_risk_65_81")
    for text in continued.reasons.values():
        assert "ældrelovens § 4" in text and "79 a" not in text
    assert "bor alene" in continued.reasons["age_70_living_alone"]


def test_a_new_legal_basis_is_a_data_change():
    future = RuleSet(
        key="2027",
        valid_from=D(2027, 1, 1),
        legal_basis="hypothetical",
        age_rules=(AgeRule("age_78", "x", exact_age=78),),
        risk_rule=RULES_2019.risk_rule,
    )
    rule_sets = (*RULE_SETS, future)
    assert rule_set_for(2027, rule_sets) is future
    assert rule_set_for(2025, rule_sets) is RULES_2019
    assert rule_set_for(2026, rule_sets) is RULES_CONTINUED  # the 2019 groups, continued by choice


@pytest.mark.parametrize(
    ("as_of", "months", "start"),
    [
        (D(2026, 1, 1), 12, D(2025, 1, 1)),
        (D(2026, 3, 31), 1, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2023, 2, 28)),
        (D(2026, 5, 15), 18, D(2024, 11, 15)),
    ],
)
def test_window_start(as_of, months, start):
    assert window_start(as_of, months) == start
