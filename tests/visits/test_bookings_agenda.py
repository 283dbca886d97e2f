"""Bookings (no double booking, the offer follows) and the consultant's agenda."""

import contextlib
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from fhb.errors import DomainError
from fhb.models import Offer, OfferStatus, Role
from fhb.offers import offer_transition, offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.bookings import booking_cancel, booking_create
from visits.models import Booking, Visit

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CPH)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 07:00", tick=False):  # Monday 08:00 in Copenhagen
        yield


@pytest.fixture
def mette():
    return UserFactory(username="mette", first_name="Mette", last_name="Kristensen", role=Role.CONSULTANT)


@pytest.fixture
def citizen(copenhagen):
    c = CitizenFactory(birth_date=dt.date(1944, 1, 1), phone="40 93 50 84", address="Granvej 78")
    offers_sync(municipality=copenhagen, year=2026)
    return c


def test_booking_moves_the_offer_and_cancelling_moves_it_back(citizen, mette):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(24, 9), user=mette)
    offer = Offer.objects.get(citizen=citizen, year=2026)
    assert booking.offer == offer and offer.status == OfferStatus.BOOKED
    booking_cancel(booking=booking, user=mette, reason="citizen_ill")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DUE and Booking.objects.get().status == "cancelled"
    # invited first: a cancellation goes back to invited
    offer_transition(offer=offer, to_status=OfferStatus.INVITED, user=mette)
    second = booking_create(citizen=citizen, consultant=mette, starts_at=at(25, 9), user=mette)
    booking_cancel(booking=second, user=mette, reason="consultant_ill")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.INVITED


def test_no_double_booking_and_other_refusals(citizen, mette, frederiksberg):
    booking_create(citizen=citizen, consultant=mette, starts_at=at(24, 9), duration_minutes=60, user=mette)
    other = CitizenFactory()
    with pytest.raises(DomainError, match="allerede et besøg 24-11-2026 09:00–10:00") as error:
        booking_create(citizen=other, consultant=mette, starts_at=at(24, 9, 30), user=mette)
    assert error.value.field == "starts_at"
    booking_create(citizen=other, consultant=mette, starts_at=at(24, 10), user=mette)  # back to back is fine
    with pytest.raises(DomainError, match="passeret"):
        booking_create(citizen=other, consultant=mette, starts_at=at(23, 7), user=mette)
    stranger = UserFactory(role=Role.CONSULTANT, municipality=frederiksberg)
    with pytest.raises(DomainError, match="konsulent fra kommunen"):
        booking_create(citizen=other, consultant=stranger, starts_at=at(24, 13), user=mette)
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    with pytest.raises(DomainError, match="konsulent fra kommunen"):
        booking_create(citizen=other, consultant=admin, starts_at=at(24, 13), user=mette)
    assert Booking.objects.count() == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from([15, 30, 45, 60, 90])), min_size=1, max_size=12))
def test_accepted_bookings_never_overlap(slots):
    """Whatever is asked for, what is accepted never overlaps (quarter-hour grid, one day)."""
    with time_machine.travel("2026-11-23 07:00", tick=False):
        consultant = UserFactory(role=Role.CONSULTANT)
        citizen = CitizenFactory()
        for quarter, minutes in slots:
            start = at(24, 8) + dt.timedelta(minutes=15 * quarter)
            with contextlib.suppress(DomainError):
                booking_create(
                    citizen=citizen, consultant=consultant, starts_at=start, duration_minutes=minutes, user=consultant
                )
        booked = sorted(Booking.objects.filter(consultant=consultant), key=lambda b: b.starts_at)
        assert booked
        for first, second in itertools.pairwise(booked):
            assert first.ends_at <= second.starts_at


def test_agenda_shows_the_day_and_the_week(client, citizen, mette, team_leader):
    booking_create(citizen=citizen, consultant=mette, starts_at=at(23, 10, 30), user=mette, note="Datter deltager")
    booking_create(citizen=CitizenFactory(first_name="Ove"), consultant=mette, starts_at=at(26, 9), user=mette)
    client.force_login(mette)
    day = client.get(reverse("agenda")).content.decode()
    assert "10:30" in day and citizen.full_name in day and "Granvej 78" in day and 'href="tel:40935084"' in day
    assert "82 år og derover" in day and "Ikke besøgt før" in day and "Datter deltager" in day and "Ove" not in day
    from fhb.models import CitizenAccess

    assert CitizenAccess.objects.filter(lookup__user=mette, lookup__endpoint="agenda", citizen=citizen).exists()
    week = client.get(reverse("agenda"), {"visning": "uge"}).content.decode()
    assert "Ove" in week and "Torsdag 26. november" in week
    # a team leader looks at Mette's agenda; a consultant cannot choose someone else
    client.force_login(team_leader)
    assert citizen.full_name in client.get(reverse("agenda"), {"konsulent": mette.pk}).content.decode()
    other = UserFactory(role=Role.CONSULTANT)
    client.force_login(other)
    assert citizen.full_name not in client.get(reverse("agenda"), {"konsulent": mette.pk}).content.decode()


def test_recording_the_booked_visit_completes_the_booking(client, citizen, mette):
    booking = booking_create(citizen=citizen, consultant=mette, starts_at=at(23, 8, 30), user=mette)
    client.force_login(mette)
    form = client.get(reverse("visit-create", args=[citizen.pk]), {"booking": booking.pk}).content.decode()
    assert 'value="2026-11-23"' in form and 'name="booking"' in form
    response = client.post(
        reverse("visit-create", args=[citizen.pk]),
        {
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-23",
            "booking": booking.pk,
            "action": "save",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "completed" and booking.visit == Visit.objects.get()
    assert Offer.objects.get(citizen=citizen).status == OfferStatus.VISITED


def test_booking_page_and_api(client, citizen, mette, admin_user, other_citizen):
    client.force_login(mette)
    page = client.post(
        reverse("booking-create", args=[citizen.pk]),
        {"consultant": mette.pk, "day": "2026-11-24", "time": "09:00", "duration_minutes": 60, "kind": "home_visit"},
    )
    assert page.status_code == 302
    clash = client.post(
        reverse("booking-create", args=[citizen.pk]),
        {
            "consultant": mette.pk,
            "day": "2026-11-24",
            "time": "09:30",
            "duration_minutes": 60,
            "kind": "home_visit",
            "note": "Tolk",
        },
    )
    assert (
        clash.status_code == 200
        and "allerede et besøg" in clash.content.decode()
        and 'value="Tolk"' in clash.content.decode()
    )
    api = client.post(
        "/api/v1/bookings/",
        {
            "citizen": citizen.pk,
            "consultant": mette.pk,
            "starts_at": "2026-11-24T11:00:00+01:00",
            "duration_minutes": 45,
        },
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert client.get("/api/v1/bookings/", {"date": "2026-11-24"}).json()["count"] == 2
    cancelled = client.post(
        f"/api/v1/bookings/{api.json()['id']}/cancel/", {"reason": "citizen_ill"}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled"
    foreign = client.post(
        "/api/v1/bookings/",
        {"citizen": other_citizen.pk, "consultant": mette.pk, "starts_at": "2026-11-24T13:00:00+01:00"},
        content_type="application/json",
    )
    assert foreign.status_code == 400  # another municipality's citizen does not exist for Mette
    client.force_login(admin_user)
    assert client.get("/api/v1/bookings/").status_code == 403
    assert client.get(reverse("agenda")).status_code == 403
