"""Letter batches end to end on hand-built data: plan with capacity and the shortfall proposal,
approve (slots booked, all or nothing), render (one PDF per letter, the print PDF, the manifest;
idempotent under retry), send (offers invited), cancel, responses and the call list."""

import datetime as dt
import json
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse

from fhb.errors import DomainError
from fhb.jobs import jobs_recover
from fhb.models import District, InvitationKind, Offer, OfferStatus, Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import BatchStatus, Letter, LetterBatch
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, BookingStatus, ConsultantCalendar
from visits.services import visit_record

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 07:00", tick=False):
        yield


@pytest.fixture
def mette(copenhagen):
    user = UserFactory(
        username="mette", first_name="Mette", last_name="Kristensen", role=Role.CONSULTANT, phone="33 66 12 34"
    )
    calendar = ConsultantCalendar.objects.create(
        consultant=user, weekdays=[1], day_starts=dt.time(9), day_ends=dt.time(12), visit_minutes=60,
        travel_minutes=30,
    )  # fmt: skip  # Tuesdays 9.00 and 10.30: two visits a week, 10 in December (5 Tuesdays)
    calendar.districts.add(District.objects.create(municipality=copenhagen, name="Østerbro", postal_codes=["2100"]))
    return user


@pytest.fixture
def eighty(copenhagen):
    """Twelve citizens turning 80 in 2026 (the age_80 group), two of them on paper mail."""
    people = [
        CitizenFactory(birth_date=dt.date(1946, 1 + i % 12, 3), first_name=f"Borger{i}", digital_post_exempt=i < 2)
        for i in range(12)
    ]
    offers_sync(municipality=copenhagen, year=2026)
    return people


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Approve as the web does: rendering starts when the approval commits (eager Celery here)."""

    def run(batch, user):
        with django_capture_on_commit_callbacks(execute=True):
            batch = batches.batch_approve(batch=batch, user=user)
        batch.refresh_from_db()
        return batch

    return run


def plan(leader, **kwargs):
    defaults = dict(period_start=DEC[0], period_end=DEC[1], groups=["age_80"])
    return batches.batch_plan(municipality=leader.municipality, user=leader, **{**defaults, **kwargs})


def test_plan_assigns_slots_and_shows_shortfall_and_proposal(team_leader, mette, eighty):
    batch = plan(team_leader)
    assert batch.status == BatchStatus.DRAFT
    p = batch.plan
    assert p["free_slots_before"] == 10 and p["date_letters"] == 10 and p["unplaced"] == 2
    assert batch.letters.count() == 10  # the two that do not fit wait for a later batch
    starts = list(batch.letters.values_list("consultant_id", "starts_at"))
    assert len(set(starts)) == 10 and all(c == mette.pk for c, _ in starts)
    assert all(s.astimezone(CPH).weekday() == 1 for _, s in starts)
    # Proposal: moving age_80 to open letters makes everything fit, with its expected visits.
    proposal = p["proposal"]
    assert proposal[0]["left_out"] == 2
    assert proposal[-1] == {
        "move_to_open": ["age_80"], "date_letters": 0, "left_out": 0, "fits": True, "expected_visits": 1.8,
    }  # fmt: skip  # 12 x national 20.1 % x 0.75
    assert Booking.objects.count() == 0 and Offer.objects.filter(status=OfferStatus.DUE).count() == 12


def test_apply_proposal_replans_the_draft(team_leader, mette, eighty):
    batch = plan(team_leader)
    batch = batches.batch_apply_proposal(batch=batch, user=team_leader, move_to_open=["age_80"])
    assert batch.letters.count() == 12
    assert set(batch.letters.values_list("kind", flat=True)) == {InvitationKind.OPEN_LETTER}
    assert batch.plan["unplaced"] == 0


def test_approve_render_send(team_leader, mette, eighty, approve):
    batch = plan(team_leader)
    batch = approve(batch, team_leader)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY, batch.message
    assert Booking.objects.filter(status=BookingStatus.BOOKED, consultant=mette).count() == 10
    letters = list(batch.letters.all())
    assert all(letter.sha256 and letter.pages == 1 and letter.booking_id for letter in letters)
    manifest = json.loads(default_storage.open(batch.manifest_json.name).read())
    assert len(manifest["letters"]) == 10
    assert {r["channel"] for r in manifest["letters"]} == {"paper", "digital_post"}
    assert batch.print_pdf  # the paper letters for the print shop

    batch = batches.batch_send(batch=batch, user=team_leader)
    invited = Offer.objects.filter(status=OfferStatus.INVITED)
    assert invited.count() == 10
    assert set(invited.values_list("letter_kind", flat=True)) == {InvitationKind.DATE_LETTER}
    assert set(invited.values_list("invited_on", flat=True)) == {dt.date(2026, 11, 23)}
    with pytest.raises(DomainError):
        batches.batch_cancel(batch=batch, user=team_leader)


def test_a_citizen_visited_before_the_letters_are_sent_stays_visited(team_leader, mette, eighty, approve):
    batch = approve(plan(team_leader), team_leader)
    letter = batch.letters.select_related("citizen").first()
    visit_record(
        citizen=letter.citizen, user=mette, kind="home_visit", outcome="completed", visit_date=dt.date(2026, 11, 20),
        note="Besøgt på egen henvendelse",
    )  # fmt: skip
    batch = batches.batch_send(batch=batch, user=team_leader)
    offer = Offer.objects.get(pk=letter.offer_id)
    assert offer.status == OfferStatus.VISITED
    assert [t.to_status for t in offer.transitions.order_by("at", "id")] == ["due", "visited"]
    assert Offer.objects.filter(status=OfferStatus.INVITED).count() == 9
    assert "1 af brevenes tilbud var ændret siden planlægningen" in batch.message


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_letter_text_has_name_date_time_and_consultant(team_leader, mette, eighty, approve):
    batch = approve(plan(team_leader), team_leader)
    letter = Letter.objects.filter(batch=batch).select_related("citizen").order_by("starts_at").first()
    path = default_storage.path(letter.pdf.name)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    assert letter.citizen.first_name in text and letter.citizen.address in text
    assert "tirsdag den 1. december 2026" in text and "kl. 09.00" in text
    assert "Mette Kristensen" in text and "33 66 12 34" in text


def test_rendering_twice_never_duplicates(team_leader, mette, eighty, approve):
    batch = approve(plan(team_leader), team_leader)
    batch.refresh_from_db()
    first = dict(batch.letters.values_list("id", "sha256"))
    ids = list(first)
    # A retried task (worker killed after storing, before acking): the same chunk again.
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RENDERING)
    assert batches.render_chunk(batch.pk, ids) == 0
    batches.batch_render(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and batch.letters_done == 10
    assert dict(batch.letters.values_list("id", "sha256")) == first
    assert Booking.objects.count() == 10
    # Half the letters lost their PDF (killed mid-chunk): a re-run renders only those.
    Letter.objects.filter(pk__in=ids[:5]).update(sha256="", pdf="")
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RENDERING, letters_done=5)
    assert batches.render_chunk(batch.pk, ids) == 5
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and batch.letters_done == 10
    files = default_storage.listdir(f"letters/batch-{batch.pk}")[1]
    assert len([f for f in files if f.startswith("letter-")]) == 10


def test_retry_only_when_failed_or_stalled(
    client, team_leader, mette, eighty, approve, django_capture_on_commit_callbacks
):
    batch = approve(plan(team_leader), team_leader)
    with pytest.raises(DomainError):  # ready: nothing to resume
        batches.batch_retry(batch=batch, user=team_leader)
    # A worker lost mid-chunk: rendering, two letters without a PDF, no progress for 10 minutes.
    lost = list(batch.letters.order_by("id").values_list("id", flat=True)[:2])
    Letter.objects.filter(pk__in=lost).update(sha256="", pdf="")
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RENDERING, letters_done=8)
    batch.refresh_from_db()
    assert not batch.is_stalled
    with pytest.raises(DomainError):  # still moving: a second run would only compete with it
        batches.batch_retry(batch=batch, user=team_leader)
    with time_machine.travel("2026-11-23 07:11", tick=False):
        batch.refresh_from_db()
        assert batch.is_stalled
        with django_capture_on_commit_callbacks(execute=True):
            batches.batch_retry(batch=batch, user=team_leader)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and batch.letters_done == 10
    assert Booking.objects.count() == 10 and batch.letters.count() == 10
    assert batch.restarted_by == team_leader and batch.restarted_at is not None  # who resumed it, and when
    client.force_login(team_leader)
    page = client.get(reverse("batch-detail", args=[batch.pk])).content.decode()
    assert f"Startet igen 23. november 2026 08:11 af {team_leader}" in " ".join(page.split())


def test_a_stalled_batch_is_resumed_by_itself_and_given_up_after_the_attempts(
    team_leader, mette, eighty, approve, django_capture_on_commit_callbacks, settings
):
    """The minute's recovery (fhb.jobs) resumes a batch whose worker was lost once its lease has run
    out, renders only the letters still without a PDF, and stops after JOB_MAX_ATTEMPTS starts,
    saying the letters made are kept."""
    batch = approve(plan(team_leader), team_leader)
    first = dict(batch.letters.values_list("id", "sha256"))
    lost = list(batch.letters.order_by("id").values_list("id", flat=True)[:3])
    Letter.objects.filter(pk__in=lost).update(sha256="", pdf="")
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RENDERING, letters_done=7, attempts=1)
    assert jobs_recover() == {"restarted": 0, "failed": 0}  # within its lease: alive
    with time_machine.travel("2026-11-23 07:11", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"restarted": 1, "failed": 0}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and batch.letters_done == 10 and batch.attempts == 2
    assert dict(batch.letters.values_list("id", "sha256")).keys() == first.keys()
    assert Booking.objects.count() == 10 and batch.restarted_by is None  # by itself, not by a user
    # Lost again and again: after the last attempt it is failed, and says what is kept.
    LetterBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RENDERING, attempts=settings.FHB["JOB_MAX_ATTEMPTS"]
    )
    with time_machine.travel("2026-11-23 07:22", tick=False):  # its last chunk at 07:11, lease 10 minutes
        assert jobs_recover() == {"restarted": 0, "failed": 1}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "er gemt" in batch.message


def test_approve_is_all_or_nothing_when_a_slot_was_taken(team_leader, mette, eighty, approve):
    batch = plan(team_leader)
    first = batch.letters.order_by("starts_at").first()
    Booking.objects.create(
        municipality=first.citizen.municipality, citizen=first.citizen, consultant=mette, starts_at=first.starts_at
    )
    with pytest.raises(DomainError, match="optaget"):
        batches.batch_approve(batch=batch, user=team_leader)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and Booking.objects.count() == 1


def test_cancel_releases_bookings_and_citizens(team_leader, mette, eighty, approve):
    batch = approve(plan(team_leader), team_leader)
    batches.batch_cancel(batch=batch, user=team_leader)
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()
    again = plan(team_leader)  # the same citizens can be planned again
    assert again.letters.count() == 10


def test_responses(team_leader, mette, eighty, approve):
    batch = approve(plan(team_leader), team_leader)
    batches.batch_send(batch=LetterBatch.objects.get(pk=batch.pk), user=team_leader)
    a, b, c = batch.letters.order_by("starts_at")[:3]
    batches.letter_respond(letter=a, user=mette, response="accepted")
    assert Offer.objects.get(pk=a.offer_id).status == OfferStatus.BOOKED
    batches.letter_respond(letter=b, user=mette, response="declined", reason="Har det godt")
    assert Offer.objects.get(pk=b.offer_id).status == OfferStatus.DECLINED
    assert Booking.objects.get(pk=b.booking_id).status == BookingStatus.CANCELLED
    citizen = c.citizen
    slots = batches.free_slots_for(citizen)
    assert slots and all(s.astimezone(CPH).weekday() == 1 for _, s in slots)
    consultant, new_start = slots[0]
    with pytest.raises(DomainError):
        batches.letter_respond(letter=c, user=mette, response="moved")  # no time chosen
    moved = batches.letter_respond(letter=c, user=mette, response="moved", starts_at=new_start, consultant=consultant)
    assert moved.booking.starts_at == new_start and Booking.objects.get(pk=c.booking_id).status == "cancelled"
    assert Offer.objects.get(pk=c.offer_id).status == OfferStatus.BOOKED


def test_open_letter_call_list_and_booking(team_leader, mette, eighty, approve):
    batch = plan(team_leader, letter_kinds={"age_80": "open_letter"})
    approve(batch, team_leader)
    batches.batch_send(batch=LetterBatch.objects.get(pk=batch.pk), user=team_leader)
    assert list(batches.call_list(team_leader.municipality)) == []
    with time_machine.travel("2026-12-08 07:00", tick=False):
        calls = list(batches.call_list(team_leader.municipality))
        assert len(calls) == 12
        consultant, start = batches.free_slots_for(calls[0].citizen)[0]
        batches.letter_respond(letter=calls[0], user=mette, response="accepted", starts_at=start, consultant=consultant)
        batches.letter_respond(letter=calls[1], user=mette, response="no_answer")
        assert len(list(batches.call_list(team_leader.municipality))) == 10
    assert Offer.objects.get(pk=calls[1].offer_id).status == OfferStatus.NO_RESPONSE
