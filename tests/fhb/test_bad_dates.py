"""Dates and years no citizen or delivery can have: a CPR number born in the future, a year that
has not begun, a year past what fhb computes or past what a date can hold. Each is a clear error
naming what is wrong, never a traceback or a 500."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fhb import cpr as cprlib
from fhb.models import Citizen, RiskEvent, Role
from tests.factories import CitizenFactory, UserFactory

from .helpers import run_command

pytestmark = pytest.mark.django_db
HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"
FUTURE = "0101304235"  # 7th digit 4 and year 30: born 1 January 2030


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-12-31 12:00", tick=False):
        yield


def test_a_cpr_number_born_in_the_future_is_not_a_citizen():
    with pytest.raises(cprlib.InvalidCpr, match=r"01-01-2030\) ligger i fremtiden"):
        cprlib.parse(FUTURE, today=dt.date(2026, 12, 31))
    assert cprlib.parse(FUTURE).birth_date == dt.date(2030, 1, 1)  # the number itself is well formed


def test_every_import_rejects_it_as_a_row_error(capsys, tmp_path, copenhagen):
    citizens = tmp_path / "citizens.csv"
    citizens.write_text(f"{HEADER}\n{FUTURE};Fremtid;Jensen;Testvej 1;2100;København Ø;101;1\n")
    run = run_command(capsys, "import_citizens", str(citizens))
    assert run.code == 1 and run.last_line == "created 0, updated 0, unchanged 0, rejected 1"
    assert "row 2, column cpr, value '0101304235': CPR-nummerets fødselsdato (01-01-2030) ligger i fremtiden" in run.err
    assert not Citizen.objects.exists()

    risk = tmp_path / "risk.csv"
    risk.write_text(f"cpr;risk_group;registered_on\n{FUTURE};lonely;2026-03-01\n")
    run = run_command(capsys, "import_risk_events", str(risk))
    assert run.code == 1 and "column cpr" in run.err and "ligger i fremtiden" in run.err
    assert not RiskEvent.objects.exists()

    visits = tmp_path / "visits.csv"
    visits.write_text(f"cpr;date;kind;outcome\n{FUTURE};2026-03-01;home_visit;completed\n")
    run = run_command(capsys, "import_visits", str(visits))
    assert run.code == 1 and "column cpr" in run.err and "ligger i fremtiden" in run.err


def test_dst_export_refuses_a_year_that_has_not_begun(capsys, tmp_path, copenhagen):
    run = run_command(capsys, "dst_export", "--year", "2027", "--municipality", "101", "--output", str(tmp_path))
    assert run.code == 2 and "--year 2027: Året 2027 er ikke begyndt." in run.err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("year", ["99999", "99999999999999999999", "2100"])
def test_eligibility_refuses_years_past_what_fhb_computes(capsys, copenhagen, year):
    run = run_command(capsys, "eligibility", "--year", year, "--municipality", "101")
    assert run.code == 2 and f"År {year} understøttes ikke: fhb regner på årene 2010–2099." in run.err


API_YEARS = [
    ("api:offer-list", {}),
    ("api:offer-summary", {}),
    ("api:delivery-list", {}),
    ("api:dstmonth-list", {}),
    ("api:dashboard", {}),
]


@pytest.mark.parametrize("bad", ["99999999999999999999", "99999", "2009", "abc", "-1"])
def test_every_api_year_parameter_answers_400(client, citizen, bad):
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    urls = [reverse(name) for name, _ in API_YEARS] + [reverse("api:citizen-eligibility", args=[citizen.pk])]
    for url in urls:
        response = client.get(url, {"year": bad})
        assert response.status_code == 400, url
        assert "year" in response.json(), url
    posted = client.post(reverse("api:delivery-list"), {"year": bad}, content_type="application/json")
    assert posted.status_code == 400 and "year" in posted.json()


def test_a_good_year_still_works(client, citizen):
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    eligibility = client.get(reverse("api:citizen-eligibility", args=[citizen.pk]), {"year": "2026"})
    assert eligibility.status_code == 200 and [e["year"] for e in eligibility.json()] == [2026]
    assert client.get(reverse("api:dstmonth-list"), {"year": "2026"}).status_code == 200


@pytest.mark.parametrize("bad", ["99999999999999999999", "99999", "abc"])
def test_web_pages_fall_back_to_this_year(client, bad):
    CitizenFactory()
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    citizen = Citizen.objects.get()
    for url, name in [
        (reverse("due-list"), "year"),
        (reverse("statistics"), "aar"),
        (reverse("dashboard"), "aar"),
        (reverse("citizen-detail", args=[citizen.pk]), "aar"),
    ]:
        response = client.get(url, {name: bad})
        assert response.status_code == 200, url
