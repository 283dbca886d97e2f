"""The set-based query agrees with the pure function (the oracle), for random citizens, years,
as-of dates and quality standards — and the command prints it as interfaces.md § 4 says."""

import datetime as dt
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhb.eligibility import CitizenFacts, Policy, eligibility_for, eligibility_rows
from fhb.eligibility.rules import window_start
from fhb.models import Citizen, Municipality, QualityStandard, RiskEvent, RiskGroup
from tests.factories import CitizenFactory

from .helpers import run_command

GROUPS = ["widowed", "lonely", "hospital_discharge", "caregiver_burden"]
policy_st = st.builds(
    Policy,
    exemption=st.sampled_from(["", "personal_care_and_practical_help", "practical_help"]),
    risk_window_months=st.integers(1, 24),
    active_risk_groups=st.frozensets(st.sampled_from(GROUPS)),
)


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@st.composite
def citizen_st(draw, year: int, as_of: dt.date, policy: Policy):
    """A citizen near the edges: ages around each threshold, birthdays on 1 January, 31 December
    and 29 February, events around the window's ends and around the 65th and 82nd birthdays."""
    age = draw(st.one_of(st.integers(62, 90), st.sampled_from([64, 65, 69, 70, 71, 74, 75, 79, 80, 81, 82, 83])))
    birth_year = year - age
    month_day = draw(st.sampled_from(["jan1", "dec31", "feb29", "any"]))
    if month_day == "jan1":
        birth = dt.date(birth_year, 1, 1)
    elif month_day == "dec31":
        birth = dt.date(birth_year, 12, 31)
    elif month_day == "feb29" and birth_year % 4 == 0 and birth_year % 100 != 0:
        birth = dt.date(birth_year, 2, 29)
    else:
        birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
    near = st.one_of(
        st.integers(-800, 400).map(lambda d: as_of + dt.timedelta(days=d)),
        st.sampled_from([65, 81, 82, 79, 80]).flatmap(
            lambda n: st.integers(-1, 1).map(lambda d: _shift(birth, n) + dt.timedelta(days=d))
        ),
        st.just(dt.date(year, 12, 31)),
        st.integers(-1, 1).map(lambda d: window_start(as_of, policy.risk_window_months) + dt.timedelta(days=d)),
        st.integers(0, 2).map(lambda d: dt.date(year + 1, 1, 1) + dt.timedelta(days=d - 1)),
    )
    return {
        "birth_date": birth,
        "household_size": draw(st.integers(1, 3)),
        "personal_care": draw(st.booleans()),
        "practical_help": draw(st.booleans()),
        "deceased_on": draw(st.one_of(st.none(), st.integers(-2, 2).map(lambda d: as_of + dt.timedelta(days=d)))),
        "moved_out_on": draw(st.one_of(st.none(), st.integers(-2, 2).map(lambda d: as_of + dt.timedelta(days=d)))),
        "events": draw(st.lists(st.tuples(st.sampled_from(GROUPS), near), max_size=3, unique=True)),
    }


@pytest.fixture
def custom_group(db):
    return RiskGroup.objects.create(
        municipality=Municipality.objects.get(code="101"), code="caregiver_burden", label="x"
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), year=st.integers(2010, 2030), offset=st.integers(-40, 400), policy=policy_st)
def test_query_equals_oracle(custom_group, data, year, offset, policy):
    municipality = custom_group.municipality
    as_of = dt.date(year, 1, 1) + dt.timedelta(days=offset)
    people = data.draw(st.lists(citizen_st(year, as_of, policy), min_size=1, max_size=12))
    groups = {g.code: g for g in RiskGroup.objects.for_municipality(municipality)}
    with transaction.atomic():
        expected = []
        for i, person in enumerate(people):
            events = person.pop("events")
            citizen = Citizen.objects.create(
                municipality=municipality,
                cpr=f"{i:010d}",
                sex="F",
                first_name="A",
                last_name="B",
                address="x",
                postal_code="2100",
                city="y",
                **person,
            )
            RiskEvent.objects.bulk_create(
                [RiskEvent(citizen=citizen, risk_group=groups[code], registered_on=day) for code, day in events]
            )
            facts = CitizenFacts(cpr=citizen.cpr, risk_events=tuple(events), **person)
            result = eligibility_for(facts, year=year, as_of=as_of, policy=policy)
            if result:
                expected.append((result.cpr, result.groups, result.exempt, result.exemption_reason))
        # Both query plans: one municipality (correlated EXISTS) and the whole country (a set).
        got = [
            (e.cpr, e.groups, e.exempt, e.exemption_reason)
            for e in eligibility_rows(municipality=municipality, year=year, as_of=as_of, policy=policy)
        ]
        got_national = [
            (e.cpr, e.groups, e.exempt, e.exemption_reason)
            for e in eligibility_rows(everyone=True, year=year, as_of=as_of, policy=policy)
        ]
        transaction.set_rollback(True)
    assert got == expected
    assert got_national == expected


def test_command_json_and_csv_format(db, capsys):
    CitizenFactory(cpr="0101441234", birth_date=dt.date(1944, 1, 1), personal_care=True, practical_help=True)
    CitizenFactory(cpr="0202511234", birth_date=dt.date(1951, 2, 2), household_size=2)
    CitizenFactory(cpr="0303601234", birth_date=dt.date(1960, 3, 3))  # 66: no group
    QualityStandard.objects.create(
        municipality=Municipality.objects.get(code="101"), year=2026, exemption="personal_care_and_practical_help"
    )
    result = run_command(capsys, "eligibility", "--year", "2026", "--municipality", "101")
    assert result.code == 0
    assert result.out == (
        '[{"cpr": "0101441234", "groups": ["age_82_plus"], "visits_required": 1, "exempt": true, '
        '"exemption_reason": "personal_care_and_practical_help"}, '
        '{"cpr": "0202511234", "groups": ["age_75"], "visits_required": 1, "exempt": false, '
        '"exemption_reason": null}]\n'
    )
    assert json.loads(result.out)[1]["groups"] == ["age_75"]
    csv_out = run_command(capsys, "eligibility", "--year", "2026", "--format", "csv").out
    assert csv_out == (
        "cpr,groups,visits_required,exempt,exemption_reason\n"
        "0101441234,age_82_plus,1,true,personal_care_and_practical_help\n"
        "0202511234,age_75,1,false,\n"
    )


def test_command_multiple_groups_joined_and_as_of(db, capsys):
    citizen = CitizenFactory(
        cpr="0101561234", birth_date=dt.date(1956, 1, 1), household_size=1, deceased_on=dt.date(2026, 6, 1)
    )
    RiskEvent.objects.create(
        citizen=citizen,
        risk_group=RiskGroup.objects.get(code="lonely", municipality=None),
        registered_on=dt.date(2026, 2, 1),
    )
    out = run_command(capsys, "eligibility", "--year", "2026", "--format", "csv").out
    assert out.splitlines()[1] == "0101561234,age_70_living_alone|at_risk_65_81,1,false,"
    later = run_command(capsys, "eligibility", "--year", "2026", "--as-of", "01-06-2026", "--format", "csv").out
    assert later.splitlines() == ["cpr,groups,visits_required,exempt,exemption_reason"]  # died on the as-of date


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2009"], "2009"),
        (["--year", "2026", "--as-of", "2026-02-30"], "ugyldig dato"),
        (["--year", "2026", "--municipality", "999"], "Unknown municipality"),
    ],
)
def test_command_bad_arguments_exit_2(db, capsys, args, message):
    result = run_command(capsys, "eligibility", *args)
    assert result.code == 2 and message in result.err


def test_command_merges_municipalities_with_their_own_standards_in_cpr_order(db, capsys, frederiksberg):
    cph = Municipality.objects.get(code="101")
    QualityStandard.objects.create(municipality=cph, year=2026, exemption="personal_care_and_practical_help")
    both = {"personal_care": True, "practical_help": True}
    CitizenFactory(cpr="0303441234", birth_date=dt.date(1944, 3, 3), **both)  # Copenhagen: exempt
    CitizenFactory(cpr="0202441234", birth_date=dt.date(1944, 2, 2), municipality=frederiksberg, **both)  # not
    CitizenFactory(cpr="0404511234", birth_date=dt.date(1951, 4, 4), municipality=frederiksberg)
    rows = json.loads(run_command(capsys, "eligibility", "--year", "2026").out)
    assert [(r["cpr"], r["exempt"]) for r in rows] == [
        ("0202441234", False),
        ("0303441234", True),
        ("0404511234", False),
    ]
