"""Collective events: invitations from the year's offers, answers within capacity, the door
check-in recorded as a visit, and a decline turning into an individual offer (BEK 716 § 2)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import Offer, OfferStatus, QualityStandard, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.events import event_invite, event_save, registration_respond
from visits.models import EventRegistration, Visit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 09:00", tick=False):
        yield


@pytest.fixture
def leader():
    return UserFactory(username="birgitte", role=Role.TEAM_LEADER)


@pytest.fixture
def seventy_fives(copenhagen):
    """Citizens turning 75 in 2026; the quality standard invites 75-year-olds to an event."""
    QualityStandard.objects.create(
        municipality=copenhagen,
        year=2026,
        exemption="personal_care_and_practical_help",
        invitations={"age_75": "collective_event"},
    )
    people = [CitizenFactory(birth_date=dt.date(1951, 3, i + 1), household_size=2) for i in range(4)]
    CitizenFactory(birth_date=dt.date(1951, 6, 1), household_size=2, personal_care=True, practical_help=True)
    CitizenFactory(birth_date=dt.date(1944, 1, 1))  # 82+: not in the event's group
    offers_sync(municipality=copenhagen, year=2026)
    return people


def make_event(leader, **changes):
    values = {
        "title": "Fødselsdag for 75-årige",
        "date": TODAY,
        "starts_at": dt.time(10),
        "venue": "Medborgerhuset",
        "capacity": 2,
        "target_groups": ["age_75"],
    }
    return event_save(user=leader, **(values | changes))


def test_invite_takes_the_groups_not_yet_invited_once(leader, seventy_fives):
    event = make_event(leader)
    assert event_invite(event=event, user=leader) == 4  # not the 82-year-old; all four 75-year-olds
    offers = Offer.objects.filter(citizen__in=seventy_fives)
    assert {(o.status, o.letter_kind, o.invited_on) for o in offers} == {("invited", "collective_event", TODAY)}
    assert event_invite(event=event, user=leader) == 0  # running it again invites no one twice
    assert EventRegistration.objects.count() == 4
    transition = offers.first().transitions.last()
    assert transition.to_status == "invited" and "Fødselsdag for 75-årige" in transition.note


def test_capacity_check_in_and_decline(leader, seventy_fives):
    event = make_event(leader)
    event_invite(event=event, user=leader)
    first, second, third, fourth = EventRegistration.objects.order_by("citizen__birth_date")
    registration_respond(registration=first, action="register", user=leader)
    registration_respond(registration=second, action="register", user=leader)
    with pytest.raises(DomainError, match="fuldt \\(2 pladser\\)"):
        registration_respond(registration=third, action="register", user=leader)

    # check-in at the door records the attendance as a visit and the offer as visited
    checked = registration_respond(registration=first, action="check_in", user=leader)
    visit = Visit.objects.get()
    assert checked.status == "attended" and checked.visit == visit
    assert (visit.kind, visit.outcome, visit.visit_date) == ("collective_event", "completed", TODAY)
    assert Offer.objects.get(citizen=first.citizen).status == OfferStatus.VISITED
    with pytest.raises(DomainError, match="allerede tjekket ind"):
        registration_respond(registration=first, action="check_in", user=leader)
    # a walk-in who was invited but never answered can be checked in too
    registration_respond(registration=fourth, action="check_in", user=leader)

    # a decline: the citizen must be offered an individual visit, and stays so after the nightly sync
    registration_respond(registration=third, action="decline", user=leader, reason="Bryder sig ikke om store selskaber")
    offer = Offer.objects.get(citizen=third.citizen)
    assert (offer.status, offer.letter_kind, offer.individual_required) == ("due", "date_letter", True)
    assert "BEK 716/2019 § 2" in offer.transitions.last().note
    offers_sync(municipality=offer.municipality, year=2026)
    offer.refresh_from_db()
    assert (offer.status, offer.letter_kind) == ("due", "date_letter")
    # and a new event invitation passes them by
    later = make_event(leader, date=TODAY + dt.timedelta(days=30), title="Forårsmøde")
    assert event_invite(event=later, user=leader) == 0


def test_check_in_only_from_the_day(leader, seventy_fives):
    event = make_event(leader, date=TODAY + dt.timedelta(days=7))
    event_invite(event=event, user=leader)
    with pytest.raises(DomainError, match="først tjekkes ind på dagen"):
        registration_respond(registration=EventRegistration.objects.first(), action="check_in", user=leader)
    with pytest.raises(DomainError, match="fortiden"):
        make_event(leader, date=TODAY - dt.timedelta(days=1))
    with pytest.raises(DomainError) as error:
        make_event(leader, starts_at=dt.time(12), ends_at=dt.time(11))
    assert error.value.field == "ends_at"


def test_pages_check_in_with_htmx_and_decline(client, leader, seventy_fives, admin_user):
    client.force_login(leader)
    created = client.post(
        reverse("event-create"),
        {
            "title": "Seniordag",
            "date": "2026-11-23",
            "starts_at": "10:00",
            "venue": "Hallen",
            "capacity": "50",
            "target_groups": ["age_75"],
        },
    )
    assert created.status_code == 302
    event_id = int(created.url.rstrip("/").split("/")[-1])
    client.post(reverse("event-invite", args=[event_id]), {"groups": ["age_75"], "limit": "3"})
    registrations = list(EventRegistration.objects.filter(event_id=event_id).order_by("id"))
    assert len(registrations) == 3
    checkin = client.get(reverse("event-checkin", args=[event_id])).content.decode()
    assert "Tjek ind" in checkin and registrations[0].citizen.full_name in checkin
    row = client.post(
        reverse("registration-action", args=[registrations[0].pk]), {"action": "check_in"}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200 and "Tjekket ind" in row.content.decode() and "<html" not in row.content.decode()
    declined = client.post(
        reverse("registration-action", args=[registrations[1].pk]), {"action": "decline"}, follow=True
    )
    assert "individuelt besøg" in declined.content.decode()
    due = client.get(
        reverse("due-list"), {"year": 2026, "status": "due", "letter_kind": "date_letter"}
    ).content.decode()
    assert registrations[1].citizen.last_name in due
    # a municipality admin sees the events but cannot change them
    client.force_login(admin_user)
    assert client.get(reverse("event-detail", args=[event_id])).status_code == 200
    assert (
        client.post(reverse("registration-action", args=[registrations[2].pk]), {"action": "register"}).status_code
        == 403
    )
    assert client.get(reverse("event-checkin", args=[event_id])).status_code == 403


def test_api_events(client, leader, seventy_fives, frederiksberg):
    client.force_login(leader)
    created = client.post(
        "/api/v1/events/",
        {
            "title": "Seniordag",
            "date": "2026-11-23",
            "starts_at": "10:00",
            "venue": "Hallen",
            "capacity": 10,
            "target_groups": ["age_75"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    assert client.post(f"/api/v1/events/{event_id}/invite/", {}, content_type="application/json").json() == {
        "invited": 4
    }
    registration = client.get("/api/v1/event-registrations/", {"event": event_id}).json()["results"][0]
    done = client.post(
        f"/api/v1/event-registrations/{registration['id']}/respond/",
        {"action": "check_in"},
        content_type="application/json",
    )
    assert done.json()["status"] == "attended" and done.json()["visit"]
    assert client.get(f"/api/v1/events/{event_id}/").json()["counts"]["attended"] == 1
    bad = client.post(
        f"/api/v1/event-registrations/{registration['id']}/respond/",
        {"action": "check_in"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "allerede" in bad.json()["detail"]
    client.force_login(UserFactory(role=Role.TEAM_LEADER, municipality=frederiksberg))
    assert client.get(f"/api/v1/events/{event_id}/").status_code == 404


def test_cancel_offers_the_invited_an_individual_visit(client, leader, seventy_fives):
    event = make_event(leader, date=TODAY + dt.timedelta(days=10))
    event_invite(event=event, user=leader)
    client.force_login(leader)
    response = client.post(reverse("event-cancel", args=[event.pk]), follow=True)
    assert "Arrangementet er aflyst" in response.content.decode()
    offers = Offer.objects.filter(citizen__in=seventy_fives)
    assert {(o.status, o.letter_kind) for o in offers} == {("due", "date_letter")}
    again = client.post(reverse("event-cancel", args=[event.pk]), follow=True)
    assert "allerede aflyst" in again.content.decode()
    with pytest.raises(DomainError, match="aflyst"):
        registration_respond(registration=EventRegistration.objects.first(), action="register", user=leader)
    api = client.post(f"/api/v1/events/{make_event(leader).pk}/cancel/", content_type="application/json")
    assert api.status_code == 200 and api.json()["cancelled"] is True


def test_add_a_citizen_from_the_citizen_page(client, leader, seventy_fives):
    event = make_event(leader)
    walk_in = seventy_fives[0]
    client.force_login(leader)
    page = client.get(reverse("citizen-detail", args=[walk_in.pk])).content.decode()
    assert "Sæt på listen til" in page and "Fødselsdag for 75-årige" in page
    client.post(reverse("citizen-event-add", args=[walk_in.pk]), {"event": event.pk, "action": "register"})
    assert EventRegistration.objects.get(citizen=walk_in).status == "registered"
    twice = client.post(reverse("citizen-event-add", args=[walk_in.pk]), {"event": event.pk}, follow=True)
    assert "allerede på listen" in twice.content.decode()
    assert client.post(reverse("citizen-event-add", args=[walk_in.pk]), {"event": ""}).status_code == 302


def test_event_pages_are_access_logged(client, leader, seventy_fives):
    from fhb.models import CitizenAccess

    event = make_event(leader)
    event_invite(event=event, user=leader)
    client.force_login(leader)
    client.get(reverse("event-checkin", args=[event.pk]))
    client.get(reverse("event-detail", args=[event.pk]))
    logged = CitizenAccess.objects.filter(lookup__user=leader)
    assert (
        logged.filter(lookup__endpoint="event-checkin").count() == 4
        and logged.filter(lookup__endpoint="event-detail").count() == 4
    )
