"""A month's share of the year's group (issue 18): by birth month (the common practice) or spread
evenly over the year's remaining months; the preview says why each citizen is in the batch and
who waits for a later month. Reachable in the web form, the API and `plan_letters`."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import LetterBatch
from tests.factories import CitizenFactory, UserFactory
from visits.models import ConsultantCalendar

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def year_of_80(copenhagen):
    """Turning 80 in 2027: three born in each month of 1947."""
    user = UserFactory(username="anna", first_name="Anna", role=Role.CONSULTANT)
    ConsultantCalendar.objects.create(consultant=user, weekdays=[0, 1, 2, 3, 4], day_starts=dt.time(9))
    people = [CitizenFactory(birth_date=dt.date(1947, month, 2 + 9 * i)) for month in range(1, 13) for i in range(3)]
    offers_sync(municipality=copenhagen, year=2027)
    return people


def plan(leader, start, end, selection):
    return batches.batch_plan(
        municipality=leader.municipality, user=leader, period_start=start, period_end=end, groups=["age_80"],
        selection=selection,
    )  # fmt: skip


def test_birth_month_invites_the_months_birthdays_and_says_who_waits(team_leader, year_of_80):
    batch = plan(team_leader, dt.date(2027, 1, 1), dt.date(2027, 1, 31), "birth_month")
    assert batch.letters.count() == 3
    assert {b.month for b in batch.letters.values_list("citizen__birth_date", flat=True)} == {1}
    assert set(batch.letters.values_list("reason", flat=True)) == {"Fødselsdag i januar"}
    waiting = batch.plan["waiting"]["age_80"]
    assert waiting["total"] == 33
    assert waiting["months"][0] == ["februar", 3] and waiting["months"][-1] == ["december", 3]
    assert batch.plan["groups"][0]["waiting"] == 33


def test_birth_month_catches_up_earlier_birthdays_not_yet_invited(team_leader, year_of_80):
    batch = plan(team_leader, dt.date(2027, 3, 1), dt.date(2027, 3, 31), "birth_month")
    reasons = sorted(set(batch.letters.values_list("reason", flat=True)))
    assert batch.letters.count() == 9
    assert reasons == [
        "Fødselsdag i februar, endnu ikke inviteret",
        "Fødselsdag i januar, endnu ikke inviteret",
        "Fødselsdag i marts",
    ]


def test_even_spreads_the_group_over_the_remaining_months(team_leader, year_of_80):
    batch = plan(team_leader, dt.date(2027, 1, 1), dt.date(2027, 1, 31), "even")
    assert batch.letters.count() == 3  # 36 over 12 months
    assert (
        batch.letters.first().reason
        == "Jævn fordeling: 3 af gruppens 36 i denne brevrunde (12 måneder tilbage af året)"
    )
    later = plan(team_leader, dt.date(2027, 11, 1), dt.date(2027, 12, 31), "even")  # 33 left (3 are in the first)
    assert later.letters.count() == 33  # the rest: two months of two left
    # Earliest birthdays first.
    first = sorted(batch.letters.values_list("citizen__birth_date", flat=True))
    assert [d.month for d in first] == [1, 1, 1]


def test_whole_group_and_a_bad_choice(team_leader, year_of_80):
    assert plan(team_leader, dt.date(2027, 1, 1), dt.date(2027, 1, 31), "all").letters.count() == 36
    with pytest.raises(DomainError) as error:
        plan(team_leader, dt.date(2027, 1, 1), dt.date(2027, 1, 31), "lottery")
    assert error.value.field == "selection"


def test_the_web_form_offers_birth_month_first_and_the_preview_explains(client, team_leader, year_of_80):
    client.force_login(team_leader)
    page = client.get(reverse("batch-list")).content.decode()
    radio = page.split('value="birth_month"')[1].split(">")[0]
    assert "checked" in radio
    form = {"period_start": "2027-01-01", "period_end": "2027-01-31", "groups": ["age_80"], "statuses": ["due"],
            "letter_date": "2026-12-01", "kind_age_80": "date_letter", "selection": "birth_month"}  # fmt: skip
    response = client.post(reverse("batch-list"), form, follow=True)
    page = response.content.decode()
    assert "Venter til en senere brevrunde" in page and "3 med fødselsdag i februar" in page
    assert "Fødselsdag i januar" in page


def test_api_and_command(client, team_leader, year_of_80):
    client.force_login(team_leader)
    created = client.post(
        "/api/v1/letter-batches/",
        {"period_start": "2027-01-01", "period_end": "2027-01-31", "groups": ["age_80"], "selection": "even"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["selection"] == "even" and created.json()["plan"]["letters"] == 3
    batches.batch_cancel(batch=LetterBatch.objects.get(pk=created.json()["id"]), user=team_leader)
    out = StringIO()
    call_command(
        "plan_letters", "--municipality", "101", "--from", "2027-01-01", "--to", "2027-01-31", "--groups", "age_80",
        "--selection", "birth_month", stdout=out,
    )  # fmt: skip
    assert "3 letters" in out.getvalue()
