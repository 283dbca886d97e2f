"""The safety nets of the consultant's day: cancelling a booked visit asks why and confirms, and can
be undone for FHB_UNDO_MINUTES (if the time is still free); closing a follow-up by hand records what
came of it, and can be undone; a check-in at the door can be undone (the attendance visit goes and
the offer steps back out of visited, as its own history row). Also where a consultant lands, and
the way back to the day after a visit is saved."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import Offer, OfferStatus, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.bookings import booking_cancel, booking_create, booking_restore
from visits.events import event_add_citizen, registration_respond
from visits.models import Booking, CollectiveEvent, RegistrationStatus, Visit
from visits.services import follow_up_close, follow_up_create, follow_up_reopen

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = dt.datetime(2026, 11, 23, 8, tzinfo=CPH)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return MONDAY.replace(hour=hour, minute=minute)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mette():
    return UserFactory(username="mette", first_name="Mette", last_name="Kristensen", role=Role.CONSULTANT)


@pytest.fixture
def citizen(copenhagen, clock):
    c = CitizenFactory(
        first_name="Inger", last_name="Holm", birth_date=dt.date(1944, 1, 1), address="Granvej 78", postal_code="2100"
    )
    offers_sync(municipality=copenhagen, year=2026)
    return c


def test_cancel_asks_why_and_is_undone_within_the_window(citizen, mette, clock):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30), user=mette)
    with pytest.raises(DomainError, match="Vælg hvorfor") as error:
        booking_cancel(booking=booking, user=mette, reason="")
    assert error.value.field == "reason"
    with pytest.raises(DomainError, match="Skriv hvorfor") as error:
        booking_cancel(booking=booking, user=mette, reason="other", note="  ")
    assert error.value.field == "note" and Booking.objects.get().status == "booked"

    booking_cancel(booking=booking, user=mette, reason="citizen_ill")
    offer = Offer.objects.get(citizen=citizen, year=2026)
    assert offer.status == OfferStatus.DUE
    cancelled = Booking.objects.get()
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == ("cancelled", "citizen_ill", mette)

    clock.shift(dt.timedelta(minutes=10))
    booking_restore(booking=booking, user=mette)
    offer.refresh_from_db()
    restored = Booking.objects.get()
    assert restored.status == "booked" and restored.cancel_reason == "" and offer.status == OfferStatus.BOOKED
    assert offer.transitions.order_by("-id").first().note == "Aflysning fortrudt"

    booking_cancel(booking=booking, user=mette, reason="citizen_cancelled")
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(DomainError, match="kun fortrydes i 30 minutter"):
        booking_restore(booking=booking, user=mette)
    assert Booking.objects.get().status == "cancelled"


def test_an_undo_never_double_books(citizen, mette, clock):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30), user=mette)
    booking_cancel(booking=booking, user=mette, reason="moved")
    other = CitizenFactory()
    booking_create(citizen=other, consultant=mette, starts_at=at(11), user=mette)  # takes half the hour
    with pytest.raises(DomainError, match="givet til et andet besøg"):
        booking_restore(booking=booking, user=mette)
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_the_day_cancels_through_a_confirmation_and_offers_the_undo(client, citizen, mette, clock):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30), user=mette)
    client.force_login(mette)
    day = client.get(reverse("agenda")).content.decode()
    cancel_url = reverse("booking-cancel", args=[booking.pk])
    # "Aflys…" is a link to a page that asks: one tap cancels nothing.
    assert f'href="{cancel_url}?next=' in day and f'action="{cancel_url}"' not in day
    page = client.get(cancel_url, {"next": "/min-dag/"}).content.decode()
    assert "Aflys besøget hos Inger Holm" in page and "Borgeren er syg eller indlagt" in page
    # Nothing chosen: refused, nothing cancelled; the note typed is kept.
    refused = client.post(cancel_url, {"note": "ringede kl. 8", "next": "/min-dag/"})
    assert refused.status_code == 200 and Booking.objects.get().status == "booked"
    body = refused.content.decode()
    assert "Besøget er ikke aflyst" in body and 'value="ringede kl. 8"' in body
    done = client.post(cancel_url, {"reason": "citizen_cancelled", "note": "", "next": "/min-dag/"}, follow=True)
    assert done.redirect_chain[-1][0] == "/min-dag/"
    body = done.content.decode()
    assert "er aflyst. Du kan fortryde i 30 minutter" in body
    assert reverse("booking-restore", args=[booking.pk]) in body and "Borgeren har aflyst" in body
    undone = client.post(reverse("booking-restore", args=[booking.pk]), {"next": "/min-dag/"}, follow=True)
    assert "booket igen" in undone.content.decode() and Booking.objects.get().status == "booked"
    # The citizen's page too: "Aflys…" leads to the same question, and the undo is offered there.
    page_url = reverse("citizen-detail", args=[citizen.pk])
    page = client.get(page_url).content.decode()
    assert f'href="{cancel_url}?next=' in page and f'action="{cancel_url}"' not in page
    client.post(cancel_url, {"reason": "consultant_ill", "next": page_url})
    assert reverse("booking-restore", args=[booking.pk]) in client.get(page_url).content.decode()


def test_a_follow_up_is_closed_with_its_outcome_and_reopened(client, citizen, mette, clock):
    follow_up = follow_up_create(
        citizen=citizen, user=mette, data={"kind": "own_activity", "description": "Gåtur"}, after=MONDAY.date()
    )
    with pytest.raises(DomainError, match="Skriv hvad der kom ud") as error:
        follow_up_close(follow_up=follow_up, user=mette, outcome=" ")
    assert error.value.field == "outcome"
    client.force_login(mette)
    url = reverse("follow-up-close", args=[follow_up.pk])
    assert f'href="{url}?next=' in client.get(reverse("agenda")).content.decode()
    refused = client.post(url, {"status": "done", "outcome": ""})
    assert refused.status_code == 200 and "Opfølgningen er ikke afsluttet" in refused.content.decode()
    client.post(url, {"status": "done", "outcome": "Går med i gågruppen om tirsdagen"})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome, follow_up.closed_by) == (
        "done",
        "Går med i gågruppen om tirsdagen",
        mette,
    )
    client.post(reverse("follow-up-reopen", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.status == "open" and follow_up.outcome == "" and follow_up.closed_at is None
    follow_up_close(follow_up=follow_up, user=mette, status="cancelled", outcome="Ønskede det ikke")
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(DomainError, match="kun fortrydes"):
        follow_up_reopen(follow_up=follow_up, user=mette)


def test_a_check_in_at_the_wrong_name_is_undone(copenhagen, citizen, mette, clock):
    leader = UserFactory(role=Role.TEAM_LEADER)
    event = CollectiveEvent.objects.create(
        municipality=copenhagen, title="Seniordag", date=MONDAY.date(), starts_at=dt.time(10), venue="Hallen",
        capacity=40,
    )  # fmt: skip
    registration = event_add_citizen(event=event, citizen=citizen, user=leader)
    registration_respond(registration=registration, action="check_in", user=leader)
    offer = Offer.objects.get(citizen=citizen, year=2026)
    assert offer.status == OfferStatus.VISITED and Visit.objects.count() == 1
    clock.shift(dt.timedelta(minutes=5))
    registration_respond(registration=registration, action="undo_check_in", user=leader)
    registration.refresh_from_db()
    offer.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and registration.visit is None
    assert not Visit.objects.exists() and offer.status == OfferStatus.DUE
    steps = list(offer.transitions.order_by("id").values_list("from_status", "to_status", "note"))
    assert steps[-2][:2] == ("due", "visited") and steps[-1] == ("visited", "due", "Indtjekning fortrudt")
    registration_respond(registration=registration, action="check_in", user=leader)
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(DomainError, match="kun fortrydes"):
        registration_respond(registration=registration, action="undo_check_in", user=leader)


def test_a_consultant_lands_on_the_day_and_returns_to_it_after_the_visit(client, citizen, mette, clock):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30), user=mette)
    client.force_login(mette)
    assert client.get("/").url == reverse("agenda")
    leader = UserFactory(role=Role.TEAM_LEADER)
    client.force_login(leader)
    assert client.get("/").url == reverse("citizen-list")
    client.force_login(mette)
    saved = client.post(
        reverse("visit-create", args=[citizen.pk]),
        {
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-23",
            "booking": booking.pk,
            "action": "save",
        },
    )
    assert saved.status_code == 302 and saved.url == f"{reverse('agenda')}?dato=2026-11-23"


def test_the_day_links_the_address_to_the_map_and_the_phone_to_a_call(client, citizen, mette, clock):
    citizen.phone = "+45 40 93 50 84"
    citizen.save()
    booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30), user=mette)
    client.force_login(mette)
    day = client.get(reverse("agenda")).content.decode()
    assert 'href="tel:+4540935084"' in day
    assert 'href="geo:0,0?q=Granvej+78%2C+2100+' in day
    assert "data-print" in day  # the day sheet
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert 'href="tel:+4540935084"' in page and 'href="geo:0,0?q=Granvej+78%2C+2100+' in page


def test_citizens_are_found_by_address(client, citizen, mette, clock):
    CitizenFactory(first_name="Poul", last_name="Berg", address="Egevej 3", postal_code="2100")
    client.force_login(mette)
    found = client.post(reverse("citizen-list"), {"q": "granvej 78"}, follow=True).content.decode()
    assert "Holm" in found and "Berg" not in found


def test_error_pages_are_danish_on_the_design_system(client, mette):
    client.force_login(mette)
    missing = client.get("/borgere/999999/")
    assert missing.status_code == 404 and "Siden findes ikke" in missing.content.decode()
    assert "dkfds" in missing.content.decode()
    forbidden = client.get(reverse("import-list"))
    assert forbidden.status_code == 403 and "Du har ikke adgang til denne side" in forbidden.content.decode()


def test_an_empty_day_points_to_the_next_booked_one(client, citizen, mette, clock):
    booking_create(citizen=citizen, consultant=mette, starts_at=at(10, 30) + dt.timedelta(days=3), user=mette)
    client.force_login(mette)
    day = client.get(reverse("agenda"), {"dato": "2026-11-22"}).content.decode()  # a Sunday
    assert (
        "Ingen bookede besøg." in day
        and 'href="?dato=2026-11-26"' in day
        and "Næste besøg: Torsdag 26. november" in day
    )
