"""Moving a visit (issue 18): the dialog lists free times around the letter's time — the week
before and after — pages on by two weeks, filters by date and consultant, never offers a taken time
(booked or completed), lets a visit move within its own full week, and shows errors at the field
in DKFDS form style with what was chosen kept."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fhb.models import Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import LetterBatch
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, BookingStatus, ConsultantCalendar

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def sent_letter(copenhagen, team_leader, django_capture_on_commit_callbacks):
    """A date letter for Monday 11 January 2027 at 9.00 with Anna; Bo visits too."""
    people = {}
    for name in ("Anna", "Bo"):
        user = UserFactory(username=name.lower(), first_name=name, last_name="Holm", role=Role.CONSULTANT)
        ConsultantCalendar.objects.create(
            consultant=user, weekdays=[0, 2], day_starts=dt.time(9), day_ends=dt.time(12), visit_minutes=60,
            travel_minutes=30,
        )  # fmt: skip
        people[name] = user
    CitizenFactory(birth_date=dt.date(1947, 1, 5), phone="20 30 40 50")
    offers_sync(municipality=copenhagen, year=2027)
    batch = batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=dt.date(2027, 1, 11),
        period_end=dt.date(2027, 1, 11), groups=["age_80"],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_approve(batch=batch, user=team_leader)
    batches.batch_send(batch=LetterBatch.objects.get(pk=batch.pk), user=team_leader)
    letter = batch.letters.get()
    assert timezone.localtime(letter.starts_at) == dt.datetime(2027, 1, 11, 9, tzinfo=CPH)
    return letter, people


def test_times_around_the_letter_never_taken(client, team_leader, sent_letter):
    letter, people = sent_letter
    # Bo's Wednesday 13 January at 10.30 holds a completed visit: not a free time.
    Booking.objects.create(
        municipality=letter.batch.municipality, citizen=CitizenFactory(), consultant=people["Bo"],
        starts_at=dt.datetime(2027, 1, 13, 10, 30, tzinfo=CPH), status=BookingStatus.COMPLETED,
        created_by=team_leader,
    )  # fmt: skip
    client.force_login(team_leader)
    url = reverse("letter-respond", args=[letter.pk])
    page = client.get(url).content.decode()
    assert "Ny tid: ledige tider 4. januar–17. januar 2027" in page  # a week before the time, two weeks
    assert "Mandag 4. januar" in page and "Onsdag 13. januar" in page and "Mandag 11. januar" in page
    assert f'value="{people["Bo"].pk}|2027-01-13T10:30:00+01:00"' not in page
    assert f'value="{people["Anna"].pk}|2027-01-13T10:30:00+01:00"' in page
    assert "?fra=2027-01-18" in page and "?fra=2026-12-21" in page  # later and earlier weeks
    assert 'href="tel:20304050"' in page
    # One consultant's times; a later fortnight.
    only_bo = client.get(url, {"konsulent": people["Bo"].pk, "fra": "2027-01-18"}).content.decode()
    assert f'value="{people["Anna"].pk}|' not in only_bo and f'value="{people["Bo"].pk}|2027-01-18T09:00' in only_bo


def test_a_move_within_a_full_week_frees_its_own_place(client, team_leader, sent_letter):
    letter, people = sent_letter
    anna = people["Anna"]
    anna.weekly_visit_capacity = 1  # the letter's visit fills Anna's week
    anna.save()
    client.force_login(team_leader)
    url = reverse("letter-respond", args=[letter.pk])
    page = client.get(url, {"konsulent": anna.pk}).content.decode()
    wednesday = f"{anna.pk}|2027-01-13T09:00:00+01:00"
    assert f'value="{wednesday}"' in page
    response = client.post(url + f"?konsulent={anna.pk}", {"response": "moved", "slot": wednesday})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert timezone.localtime(letter.starts_at) == dt.datetime(2027, 1, 13, 9, tzinfo=CPH)
    assert Booking.objects.filter(consultant=anna, status=BookingStatus.BOOKED).count() == 1


def test_errors_show_at_the_field_and_keep_the_choice(client, team_leader, sent_letter):
    letter, _people = sent_letter
    client.force_login(team_leader)
    url = reverse("letter-respond", args=[letter.pk])
    page = client.post(url, {"response": "moved", "reason": "ferie"}).content.decode()
    assert "Svaret er ikke gemt — ret dette:" in page
    assert 'class="form-error-message"' in page and "Vælg en ledig tid." in page
    assert 'value="moved"' in page
    assert "checked" in page.split('value="moved"')[1].split(">")[0]
    assert 'value="ferie"' in page


def test_api_slots_window_and_filter(client, team_leader, sent_letter):
    letter, people = sent_letter
    client.force_login(team_leader)
    url = f"/api/v1/letters/{letter.pk}/slots/"
    slots = client.get(url).json()
    assert slots[0]["starts_at"].startswith("2027-01-04") and slots[-1]["starts_at"] < "2027-01-18"
    bo = client.get(url, {"consultant": people["Bo"].pk, "days": 3}).json()
    assert {s["consultant"] for s in bo} == {people["Bo"].pk} and all(s["starts_at"] < "2027-01-07" for s in bo)
    assert client.get(url, {"days": 100}).status_code == 400
    # A date far ahead is held at two years from today, never a server error.
    far = client.get(url, {"from": "9999-12-31"})
    assert far.status_code == 200
    page = client.get(reverse("letter-respond", args=[letter.pk]), {"fra": "9999-12-31"})
    assert page.status_code == 200 and "2028" in page.content.decode()
