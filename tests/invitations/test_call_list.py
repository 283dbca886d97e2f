"""The call list (issue 18): paged, sortable, filtered by consultant (district) and target group,
tel: links; recording a call (outcome, note, next attempt) takes the citizen off the list or moves
them down until the next working day; a call is a contact in the timeline, never a visit."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import District, Offer, OfferStatus, Role
from fhb.offers import offers_sync
from fhb.timeline import citizen_timeline
from invitations import batches
from invitations.models import CallAttempt, LetterBatch
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, BookingStatus, ClosingDay, ConsultantCalendar, Visit

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def calls(copenhagen, team_leader, django_capture_on_commit_callbacks):
    """Sixty open letters sent 1 December: 40 in 2100 (Anna's district), 20 in 2200; 80- and
    75-year-olds. Today is Wednesday 23 December; the 24th is the municipality's closing day."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CPH), tick=False):
        anna = UserFactory(username="anna", first_name="Anna", last_name="Holm", role=Role.CONSULTANT)
        calendar = ConsultantCalendar.objects.create(consultant=anna, weekdays=[0, 1, 2, 3, 4], day_starts=dt.time(9))
        calendar.districts.add(District.objects.create(municipality=copenhagen, name="Ø", postal_codes=["2100"]))
        for i in range(60):
            CitizenFactory(
                birth_date=dt.date(1946 if i % 3 else 1951, 1 + i % 12, 3), postal_code="2100" if i < 40 else "2200",
                last_name=f"Efternavn{i:02d}", phone=f"20 00 00 {i:02d}",
            )  # fmt: skip
        offers_sync(municipality=copenhagen, year=2026)
        batch = batches.batch_plan(
            municipality=copenhagen, user=team_leader, period_start=dt.date(2026, 12, 1),
            period_end=dt.date(2026, 12, 31), groups=["age_80", "age_75"],
            letter_kinds={"age_80": "open_letter", "age_75": "open_letter"},
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            batches.batch_approve(batch=batch, user=team_leader)
        batches.batch_send(batch=LetterBatch.objects.get(pk=batch.pk), user=team_leader)
    ClosingDay.objects.create(municipality=copenhagen, date=dt.date(2026, 12, 24), name="Juleaftensdag")
    with time_machine.travel(dt.datetime(2026, 12, 23, 9, 0, tzinfo=CPH), tick=False):
        yield anna


def test_paged_filtered_sorted_with_tel_links(client, team_leader, calls):
    client.force_login(team_leader)
    url = reverse("call-list")
    page = client.get(url).content.decode()
    assert "60 borgere at ringe til" in page
    assert page.count('href="tel:') == 50 and 'href="tel:20000000"' in page
    assert "page=2" in page
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('href="tel:') == 10
    mine = client.get(url, {"konsulent": calls.pk}).content.decode()
    assert "40 borgere at ringe til" in mine and ", 2200" not in mine
    seventy_five = client.get(url, {"gruppe": "age_75"}).content.decode()
    assert "20 borgere at ringe til" in seventy_five
    by_name = client.get(url, {"sortering": "navn"}).content.decode()
    assert by_name.index("Efternavn00") < by_name.index("Efternavn01") < by_name.index("Efternavn02")
    assert client.get(url, {"sortering": "x", "konsulent": "abc", "gruppe": "x"}).status_code == 200


def test_no_answer_moves_the_citizen_down_until_the_next_working_day(client, team_leader, calls):
    client.force_login(team_leader)
    first = batches.call_list(team_leader.municipality)[0]
    url = reverse("call-record", args=[first.pk])
    page = client.get(url).content.decode()
    assert f'href="tel:{first.citizen.phone.replace(" ", "")}"' in page
    assert 'value="2026-12-28"' in page  # the 24th is closed, 25th-26th holidays, 27th a Sunday
    response = client.post(url, {"outcome": "no_answer", "note": "", "next_attempt": ""}, follow=True)
    assert "står på listen igen fra mandag 28. december" in response.content.decode()
    call = CallAttempt.objects.get()
    assert call.next_attempt == dt.date(2026, 12, 28) and call.called_by == team_leader
    assert first.pk not in [row.pk for row in batches.call_list(team_leader.municipality)]
    listing = client.get(reverse("call-list")).content.decode()
    assert "59 borgere at ringe til" in listing and "1 borger ringes op senere" in listing
    later = client.get(reverse("call-list"), {"senere": "1"}).content.decode()
    assert first.citizen.last_name in later
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, 0, tzinfo=CPH), tick=False):
        rows = list(batches.call_list(team_leader.municipality))
        assert len(rows) == 60 and rows[-1].pk == first.pk and rows[-1].attempts == 1  # at the bottom


def test_outcomes_that_take_the_citizen_off(team_leader, calls):
    rows = list(batches.call_list(team_leader.municipality)[:4])
    with pytest.raises(DomainError, match="aftalt"):
        batches.call_record(letter=rows[0], user=team_leader, outcome="call_again")
    with pytest.raises(DomainError, match="ledig tid"):
        batches.call_record(letter=rows[0], user=team_leader, outcome="booked")
    assert not CallAttempt.objects.exists()  # a refused call is not half-recorded
    batches.call_record(letter=rows[0], user=team_leader, outcome="declined", note="Har hjemmehjælp")
    consultant, start = batches.free_slots_for(rows[1].citizen, start=dt.date(2026, 12, 28))[0]
    batches.call_record(letter=rows[1], user=team_leader, outcome="booked", starts_at=start, consultant=consultant)
    batches.call_record(letter=rows[2], user=team_leader, outcome="gave_up")
    batches.call_record(letter=rows[3], user=team_leader, outcome="call_again", next_attempt=dt.date(2027, 1, 4))
    statuses = [Offer.objects.get(pk=r.offer_id).status for r in rows]
    assert statuses == [OfferStatus.DECLINED, OfferStatus.BOOKED, OfferStatus.NO_RESPONSE, OfferStatus.INVITED]
    assert Booking.objects.filter(citizen=rows[1].citizen, status=BookingStatus.BOOKED).exists()
    assert batches.call_list(team_leader.municipality).count() == 56


def test_a_call_is_a_contact_never_a_visit(team_leader, calls):
    letter = batches.call_list(team_leader.municipality)[0]
    batches.call_record(letter=letter, user=team_leader, outcome="no_answer", note="Telefonsvarer")
    assert not Visit.objects.exists()
    entries = [e for e in citizen_timeline(letter.citizen, show_notes=True) if e.kind == "contact"]
    assert len(entries) == 1 and "Intet svar" in entries[0].detail and "Telefonsvarer" in entries[0].detail
    hidden = [e for e in citizen_timeline(letter.citizen, show_notes=False) if e.kind == "contact"]
    assert "Telefonsvarer" not in hidden[0].detail


def test_api_call_list_and_call(client, team_leader, calls):
    client.force_login(team_leader)
    listing = client.get("/api/v1/letters/call-list/", {"consultant": calls.pk, "order": "navn"}).json()
    assert listing["count"] == 40 and listing["results"][0]["attempts"] == 0
    letter_id = listing["results"][0]["id"]
    made = client.post(f"/api/v1/letters/{letter_id}/call/", {"outcome": "no_answer"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["next_attempt"] == "2026-12-28"
    assert client.get("/api/v1/letters/call-list/", {"later": "1"}).json()["count"] == 1
    bad = client.post(f"/api/v1/letters/{letter_id}/call/", {"outcome": "call_again"}, content_type="application/json")
    assert bad.status_code == 400
    assert client.get("/api/v1/letters/call-list/", {"days": 9999}).status_code == 400
