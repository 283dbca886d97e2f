"""Safety nets (issue 18): approving, cancelling, sending and undoing a cancellation are confirmed
first with their consequence in plain Danish; a cancelled, unsent batch can be restored (its times
booked again when free, else a draft to plan again); nothing happens without the confirmation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import District, Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import BatchStatus, LetterBatch
from tests.factories import CitizenFactory, UserFactory
from visits.bookings import booking_create
from visits.models import Booking, BookingStatus, ConsultantCalendar

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def draft(copenhagen, team_leader):
    for name in ("Mette", "Jonas"):
        user = UserFactory(username=name.lower(), first_name=name, last_name="Holm", role=Role.CONSULTANT)
        calendar = ConsultantCalendar.objects.create(
            consultant=user, weekdays=[1, 3], day_starts=dt.time(9), day_ends=dt.time(12), visit_minutes=60,
            travel_minutes=30,
        )  # fmt: skip
        calendar.districts.add(District.objects.create(municipality=copenhagen, name=name, postal_codes=["2100"]))
    for i in range(6):
        CitizenFactory(birth_date=dt.date(1946, 1 + i, 3), postal_code="2100")
    offers_sync(municipality=copenhagen, year=2026)
    return batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31), groups=["age_80"],
    )  # fmt: skip


def test_approve_asks_first_and_says_what_will_happen(client, team_leader, draft, django_capture_on_commit_callbacks):
    client.force_login(team_leader)
    url = reverse("batch-action", args=[draft.pk, "godkend"])
    # One tap on the batch page opens the confirmation; a POST without it changes nothing.
    assert f'href="{url}"' in client.get(reverse("batch-detail", args=[draft.pk])).content.decode()
    assert client.post(url).url == url
    draft.refresh_from_db()
    assert draft.status == BatchStatus.DRAFT and not Booking.objects.exists()
    page = client.get(url).content.decode()
    assert "6 besøg bookes i 2 konsulenters kalendere, og 6 breve dannes (0 på papir" in page
    assert "Besøgene ligger fra 1. december til" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"bekraeft": "1"})
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 6


def test_cancel_and_undo(client, team_leader, draft, django_capture_on_commit_callbacks):
    client.force_login(team_leader)
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_approve(batch=draft, user=team_leader)
    times = sorted(Booking.objects.values_list("consultant_id", "starts_at"))
    page = client.get(reverse("batch-action", args=[draft.pk, "annuller"])).content.decode()
    assert "6 besøg aflyses i 2 konsulenters kalendere. 6 breve sendes ikke" in page
    assert "kan fortrydes" in page
    client.post(reverse("batch-action", args=[draft.pk, "annuller"]), {"bekraeft": "1"})
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()
    detail = client.get(reverse("batch-detail", args=[draft.pk])).content.decode()
    undo = reverse("batch-action", args=[draft.pk, "fortryd"])
    assert undo in detail
    assert "6 besøg bookes på de samme tider" in client.get(undo).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(undo, {"bekraeft": "1"}, follow=True)
    assert "Annulleringen er fortrudt" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == BatchStatus.READY and draft.cancelled_at is None
    again = sorted(Booking.objects.filter(status=BookingStatus.BOOKED).values_list("consultant_id", "starts_at"))
    assert again == times
    assert all(letter.booking.status == BookingStatus.BOOKED for letter in draft.letters.exclude(booking=None))


def test_undo_when_a_time_was_taken_gives_a_draft_to_plan_again(team_leader, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_approve(batch=draft, user=team_leader)
    batches.batch_cancel(batch=draft, user=team_leader)
    letter = draft.letters.exclude(starts_at=None).first()
    booking_create(citizen=CitizenFactory(), consultant=letter.consultant, starts_at=letter.starts_at, user=team_leader)
    restored = batches.batch_restore(batch=draft, user=team_leader)
    assert restored.status == BatchStatus.DRAFT
    assert "1 af brevrundens tider er blevet optaget" in restored.message
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1  # nothing half-booked


def test_undo_is_refused_when_the_citizens_are_in_another_batch(copenhagen, team_leader, draft):
    batches.batch_cancel(batch=draft, user=team_leader)
    other = batches.batch_plan(
        municipality=copenhagen, user=team_leader, period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31), groups=["age_80"],
    )  # fmt: skip
    with pytest.raises(DomainError, match=f"brevrunde {other.pk}"):
        batches.batch_restore(batch=draft, user=team_leader)
    draft.refresh_from_db()
    assert draft.status == BatchStatus.CANCELLED
    with pytest.raises(DomainError, match="Kun en annulleret"):
        batches.batch_restore(batch=other, user=team_leader)


def test_send_says_it_cannot_be_undone(client, team_leader, draft):
    client.force_login(team_leader)
    LetterBatch.objects.filter(pk=draft.pk).update(status=BatchStatus.READY)
    page = client.get(reverse("batch-action", args=[draft.pk, "send"])).content.decode()
    assert "6 borgere står som inviteret med brevdatoen 23. november 2026" in page
    assert "Det kan ikke fortrydes" in page
    assert client.get(reverse("batch-action", args=[draft.pk, "ukendt"])).status_code == 404
    # An action that does not apply to the batch as it stands is not confirmed: back, with why.
    response = client.get(reverse("batch-action", args=[draft.pk, "godkend"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("batch-detail", args=[draft.pk])
    assert "Brevrunden er klar til afsendelse: det kan ikke gøres nu." in response.content.decode()


def test_api_consequence_and_restore(client, team_leader, draft):
    client.force_login(team_leader)
    base = f"/api/v1/letter-batches/{draft.pk}/"
    text = client.get(base + "consequence/", {"action": "approve"}).json()["text"]
    assert text.startswith("6 besøg bookes i 2 konsulenters kalendere")
    assert client.get(base + "consequence/", {"action": "x"}).status_code == 400
    assert client.get(base + "consequence/", {"action": "send"}).status_code == 400  # a draft is not sent
    client.post(base + "cancel/")
    restored = client.post(base + "restore/")
    assert restored.status_code == 200 and restored.json()["status"] == "draft"
