"""Working days and one capacity model (issue 18): no visit is planned or booked on a public
holiday or the municipality's closing day; a consultant's week never holds more than its capacity;
the dashboard and the batch preview show the planner's figures; the letter date cannot lie in the
past; a team leader is not bookable. Closing days are edited on the capacity page and in the API."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fhb.errors import DomainError
from fhb.models import Role
from fhb.offers import offers_sync
from invitations import batches
from reports.dashboards import consultant_load
from tests.factories import CitizenFactory, UserFactory
from visits.bookings import booking_create
from visits.models import Booking, ClosingDay, ConsultantCalendar
from visits.workdays import closed_days

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
JANUARY = (dt.date(2027, 1, 1), dt.date(2027, 1, 31))


@pytest.fixture(autouse=True)
def frozen():
    # A Tuesday in December: the team leader plans January.
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def anna(copenhagen):
    """Visits Monday to Friday at 9.00, 10.30 and 12.00 (15 slots a week), at most 5 a week."""
    user = UserFactory(username="anna", first_name="Anna", last_name="Holm", role=Role.CONSULTANT)
    user.weekly_visit_capacity = 5
    user.save()
    ConsultantCalendar.objects.create(
        consultant=user, weekdays=[0, 1, 2, 3, 4], day_starts=dt.time(9), day_ends=dt.time(13), visit_minutes=60,
        travel_minutes=30,
    )  # fmt: skip
    return user


@pytest.fixture
def turning_80(copenhagen):
    """Forty citizens turning 80 in 2027."""
    people = [CitizenFactory(birth_date=dt.date(1947, 1 + i % 12, 1 + i % 27)) for i in range(40)]
    offers_sync(municipality=copenhagen, year=2027)
    return people


def test_public_holidays_and_own_closing_days(copenhagen, team_leader):
    ClosingDay.objects.create(municipality=copenhagen, date=dt.date(2026, 12, 24), name="Juleaftensdag")
    days = closed_days(copenhagen.pk, dt.date(2026, 12, 20), dt.date(2027, 1, 2))
    assert days == {
        dt.date(2026, 12, 24): "Juleaftensdag",
        dt.date(2026, 12, 25): "Juledag",
        dt.date(2026, 12, 26): "Anden juledag",
        dt.date(2027, 1, 1): "Nytårsdag",
    }
    # Store Bededag was abolished from 2024: the fourth Friday after Easter 2027 is a working day.
    assert dt.date(2027, 4, 23) not in closed_days(copenhagen.pk, dt.date(2027, 4, 1), dt.date(2027, 4, 30))


def test_january_batch_skips_new_years_day_and_closing_days_and_keeps_the_weekly_cap(
    copenhagen, team_leader, anna, turning_80, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    ClosingDay.objects.create(municipality=copenhagen, date=dt.date(2027, 1, 4), name="Studiedag")
    batch = batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=JANUARY[0], period_end=JANUARY[1], groups=["age_80"]
    )
    days = [
        timezone.localtime(at).date()
        for at in batch.letters.exclude(starts_at=None).values_list("starts_at", flat=True)
    ]
    assert days, "the batch planned no visit"
    assert dt.date(2027, 1, 1) not in days and dt.date(2027, 1, 4) not in days
    per_week: dict[dt.date, int] = {}
    for day in days:
        week = day - dt.timedelta(days=day.weekday())
        per_week[week] = per_week.get(week, 0) + 1
    assert max(per_week.values()) <= 5
    # Five weeks touch January: 28/12 (1 Jan closed, only the 1st is in the period: nothing), 4/1 … 25/1.
    assert per_week == {
        dt.date(2027, 1, 4): 5,
        dt.date(2027, 1, 11): 5,
        dt.date(2027, 1, 18): 5,
        dt.date(2027, 1, 25): 5,
    }
    assert batch.plan["unplaced"] == 20

    # The preview and the dashboard show the same capacity figures, from the planner's function.
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_approve(batch=batch, user=team_leader)
    preview = {w["monday"]: w for w in batch.plan["load"][0]["week_load"]}
    load = consultant_load(copenhagen, timezone.localdate())
    row = next(r for r in load["rows"] if r["consultant_id"] == anna.pk)
    compared = 0
    for week, cell in zip(load["weeks"], row["weeks"], strict=True):
        if week.isoformat() in preview:
            expected = preview[week.isoformat()]
            assert cell["capacity"] == expected["capacity"]
            assert cell["booked"] == expected["booked"] + expected["planned"]
            assert not cell["over"]
            compared += 1
    assert compared == 4  # the dashboard's eight weeks from 30 November reach 24 January
    # Replanning the same period finds every week full: nothing more is booked.
    again = batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=JANUARY[0], period_end=JANUARY[1], groups=["age_80"]
    )
    assert again.plan["date_letters"] == 0


def test_bookings_refuse_closed_days_and_team_leaders(copenhagen, anna, team_leader):
    citizen = CitizenFactory()
    ClosingDay.objects.create(municipality=copenhagen, date=dt.date(2026, 12, 31), name="Nytårsaftensdag")
    with pytest.raises(DomainError, match="Nytårsdag"):
        booking_create(
            citizen=citizen, consultant=anna, user=team_leader, starts_at=dt.datetime(2027, 1, 1, 9, tzinfo=CPH)
        )
    with pytest.raises(DomainError, match="Nytårsaftensdag"):
        booking_create(
            citizen=citizen, consultant=anna, user=team_leader, starts_at=dt.datetime(2026, 12, 31, 9, tzinfo=CPH)
        )
    with pytest.raises(DomainError, match="konsulent"):
        booking_create(
            citizen=citizen, consultant=team_leader, user=team_leader, starts_at=dt.datetime(2027, 1, 5, 9, tzinfo=CPH)
        )
    booking_create(citizen=citizen, consultant=anna, user=team_leader, starts_at=dt.datetime(2027, 1, 5, 9, tzinfo=CPH))


def test_the_booking_form_offers_consultants_only(client, copenhagen, anna, team_leader):
    citizen = CitizenFactory()
    client.force_login(team_leader)
    page = client.get(reverse("booking-create", args=[citizen.pk])).content.decode()
    assert "Anna Holm" in page
    assert f'value="{team_leader.pk}"' not in page


def test_the_letter_date_cannot_lie_in_the_past_or_after_the_period(copenhagen, team_leader, anna, turning_80):
    with pytest.raises(DomainError, match="før i dag") as error:
        batches.batch_plan(
            municipality=copenhagen, user=team_leader, period_start=JANUARY[0], period_end=JANUARY[1],
            groups=["age_80"], letter_date=dt.date(2026, 11, 30),
        )  # fmt: skip
    assert error.value.field == "letter_date"
    with pytest.raises(DomainError, match="efter perioden"):
        batches.batch_plan(
            municipality=copenhagen, user=team_leader, period_start=JANUARY[0], period_end=JANUARY[1],
            groups=["age_80"], letter_date=dt.date(2027, 2, 1),
        )  # fmt: skip


def test_a_letter_dated_later_moves_the_first_visit_later(copenhagen, team_leader, anna, turning_80):
    batch = batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31),
        groups=["age_80"], statuses=["due"], letter_date=dt.date(2026, 12, 14),
    )  # fmt: skip
    first = min(batch.letters.exclude(starts_at=None).values_list("starts_at", flat=True), default=None)
    assert first is None or first >= dt.datetime(2026, 12, 17, tzinfo=CPH)


def test_capacity_page_adds_and_removes_closing_days(client, copenhagen, frederiksberg, anna, team_leader):
    client.force_login(team_leader)
    url = reverse("capacity")
    page = client.get(url).content.decode()
    assert "Juledag" in page and "Helligdag" in page
    # A public holiday is refused with the reason, and the name typed is kept.
    page = client.post(url, {"date": "2026-12-25", "name": "Juledag igen"}).content.decode()
    assert "allerede helligdag: Juledag" in page and 'value="Juledag igen"' in page
    assert not ClosingDay.objects.exists()
    # A new closing day with a booking on it: saved, and the page says the booking must be moved.
    eve = dt.datetime(2026, 12, 24, 9, tzinfo=CPH)
    Booking.objects.create(
        municipality=copenhagen, citizen=CitizenFactory(), consultant=anna, starts_at=eve, created_by=team_leader
    )
    response = client.post(url, {"date": "2026-12-24", "name": "Juleaftensdag"}, follow=True)
    page = response.content.decode()
    assert "24. december 2026 er lukkedag. 1 besøg er allerede booket" in page
    day = ClosingDay.objects.get(municipality=copenhagen)
    assert day.history.first().history_user == team_leader
    # Another municipality's closing day is not ours to remove.
    theirs = ClosingDay.objects.create(municipality=frederiksberg, date=dt.date(2026, 12, 31), name="Nytårsaftensdag")
    client.post(url, {"action": "delete-closing-day", "closing_day": theirs.pk})
    assert ClosingDay.objects.filter(pk=theirs.pk).exists()
    client.post(url, {"action": "delete-closing-day", "closing_day": "x"})
    client.post(url, {"action": "delete-closing-day", "closing_day": day.pk})
    assert not ClosingDay.objects.filter(municipality=copenhagen).exists()


def test_calendar_keeps_the_weekly_cap(client, copenhagen, anna, team_leader):
    client.force_login(team_leader)
    url = reverse("calendar-edit", args=[anna.pk])
    assert 'value="5"' in client.get(url).content.decode()
    data = {"weekdays": [0, 2], "day_starts": "09:00", "day_ends": "14:00", "visit_minutes": 60, "travel_minutes": 30}
    client.post(url, {**data, "weekly_cap": "8"})
    anna.refresh_from_db()
    assert anna.weekly_visit_capacity == 8
    client.post(url, {**data, "weekly_cap": ""})
    anna.refresh_from_db()
    assert anna.weekly_visit_capacity is None
    assert "12" in client.get(reverse("capacity")).content.decode()  # the municipality's default shows


def test_closing_days_api(client, copenhagen, frederiksberg, anna, team_leader, consultant):
    client.force_login(team_leader)
    url = "/api/v1/closing-days/"
    created = client.post(url, {"date": "2026-12-31", "name": "Nytårsaftensdag"}, content_type="application/json")
    assert created.status_code == 201, created.content
    refused = client.post(url, {"date": "2027-01-01", "name": "Nytår"}, content_type="application/json")
    assert refused.status_code == 400 and "Nytårsdag" in refused.content.decode()
    ClosingDay.objects.create(municipality=frederiksberg, date=dt.date(2026, 12, 24), name="Juleaftensdag")
    assert [d["name"] for d in client.get(url).json()] == ["Nytårsaftensdag"]
    closed = client.get(url + "closed/", {"from": "2026-12-20", "to": "2027-01-02"}).json()
    assert [(d["name"], d["kind"]) for d in closed] == [
        ("Juledag", "public_holiday"),
        ("Anden juledag", "public_holiday"),
        ("Nytårsaftensdag", "closing_day"),
        ("Nytårsdag", "public_holiday"),
    ]
    assert client.get(url + "closed/", {"from": "x", "to": "2027-01-02"}).status_code == 400
    assert client.delete(f"{url}{created.json()['id']}/").status_code == 204
    assert not ClosingDay.objects.filter(municipality=copenhagen).exists()
    client.force_login(consultant)
    assert client.get(url).status_code == 403
