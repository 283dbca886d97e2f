"""Recording a visit: validation, drafts, offers moving, optimistic locking, roles and notes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.models import Offer, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from tests.html import checked_values
from visits.models import Visit
from visits.services import visit_record, visit_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20", tick=False):
        yield


@pytest.fixture
def citizen():
    return CitizenFactory(birth_date=dt.date(1944, 1, 1), deceased_on=None)  # 82+ in 2026: has an offer


@pytest.fixture
def mette():
    return UserFactory(username="mette", role=Role.CONSULTANT)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visit_date": dt.date(1943, 12, 31)}, "visit_date", "før borgerens fødselsdato"),
        ({"visit_date": dt.date(2026, 11, 21)}, "visit_date", "fremtiden"),
        ({"themes": ["astrology"]}, "themes", "Ukendte temaer"),
        ({"kind": "phone_call", "outcome": "no_show", "themes": ["grief"]}, "themes", "gennemført samtale"),
    ],
)
def test_validation(citizen, mette, changes, field, message):
    data = {"kind": "home_visit", "outcome": "completed", "visit_date": dt.date(2026, 11, 1), **changes}
    with pytest.raises(DomainError, match=message) as error:
        visit_record(citizen=citizen, user=mette, **data)
    assert error.value.field == field and Visit.objects.count() == 0


def test_visit_after_death_is_refused(citizen, mette):
    citizen.deceased_on = dt.date(2026, 6, 1)
    citizen.save()
    with pytest.raises(DomainError, match="døde 01-06-2026"):
        visit_record(
            citizen=citizen, user=mette, kind="home_visit", outcome="completed", visit_date=dt.date(2026, 6, 2)
        )


def test_completed_visit_moves_offer_but_drafts_and_calls_do_not(citizen, mette):
    offers_sync(municipality=citizen.municipality, year=2026)
    offer = Offer.objects.get(citizen=citizen, year=2026)
    visit_record(citizen=citizen, user=mette, kind="phone_call", outcome="completed", visit_date=dt.date(2026, 11, 2))
    draft = visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=dt.date(2026, 11, 3),
        is_draft=True,
    )
    offer.refresh_from_db()
    assert offer.status == "due"
    visit_update(visit=draft, user=mette, version=draft.version, is_draft=False, themes=["loneliness", "grief"])
    offer.refresh_from_db()
    assert offer.status == "visited"
    assert Visit.objects.get(pk=draft.pk).themes == ["loneliness", "grief"]


def test_optimistic_locking_refuses_to_overwrite_a_newer_edit(citizen, mette):
    colleague = UserFactory(role=Role.CONSULTANT)
    visit = visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=dt.date(2026, 11, 3),
        note="Første udgave",
    )
    visit_update(visit=visit, user=colleague, version=1, note="Kollegas rettelse")
    with pytest.raises(DomainError, match="nyere udgave"):
        visit_update(visit=visit, user=mette, version=1, note="Min rettelse")
    visit.refresh_from_db()
    assert (visit.note, visit.version) == ("Kollegas rettelse", 2)
    assert visit.history.first().history_user == colleague


def test_form_keeps_input_on_error_and_saves(client, citizen, mette):
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    bad = client.post(
        url,
        {
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-12-24",
            "themes": ["loneliness"],
            "note": "Talte om naboen",
            "action": "save",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "fremtiden" in body and "Talte om naboen" in body
    assert checked_values(body, "themes") == {"loneliness"}
    good = client.post(
        url,
        {
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-19",
            "themes": ["loneliness"],
            "note": "Talte om naboen",
            "action": "save",
        },
    )
    assert good.status_code == 302
    visit = Visit.objects.get()
    edit = client.get(reverse("visit-edit", args=[visit.pk])).content.decode()
    assert "Talte om naboen" in edit and 'name="version" value="1"' in edit
    stale = client.post(
        reverse("visit-edit", args=[visit.pk]),
        {
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-19",
            "note": "x",
            "version": "0",
            "action": "save",
        },
    )
    assert "nyere udgave" in stale.content.decode() and Visit.objects.get().note == "Talte om naboen"


def test_roles_and_notes(client, citizen, mette, frederiksberg):
    visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=dt.date(2026, 11, 3),
        note="Fortroligt notat",
    )
    page = reverse("citizen-detail", args=[citizen.pk])
    client.force_login(mette)
    assert "Fortroligt notat" in client.get(page).content.decode()
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    client.force_login(admin)
    assert "Fortroligt notat" not in client.get(page).content.decode()
    assert client.get(reverse("visit-create", args=[citizen.pk])).status_code == 403
    outsider = UserFactory(role=Role.CONSULTANT, municipality=frederiksberg)
    client.force_login(outsider)
    assert client.get(reverse("visit-create", args=[citizen.pk])).status_code == 404
    assert client.get(reverse("visit-edit", args=[Visit.objects.get().pk])).status_code == 404


def test_api_record_edit_lock_and_note_visibility(client, citizen, mette, frederiksberg):
    client.force_login(mette)
    created = client.post(
        reverse("api:visit-list"),
        {
            "citizen": citizen.pk,
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-19",
            "themes": ["grief"],
            "note": "Notat",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    visit_id = created.json()["id"]
    future = client.post(
        reverse("api:visit-list"),
        {
            "citizen": citizen.pk,
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2027-01-01",
        },
        content_type="application/json",
    )
    assert future.status_code == 400 and "fremtiden" in future.json()["visit_date"][0]
    url = reverse("api:visit-detail", args=[visit_id])
    edited = client.patch(url, {"note": "Rettet", "version": 1}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(url, {"note": "Gammel", "version": 1}, content_type="application/json")
    assert stale.status_code == 400 and "nyere udgave" in stale.json()["detail"]
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    client.force_login(admin)
    listed = client.get(reverse("api:visit-list"), {"citizen": citizen.pk}).json()["results"][0]
    assert "note" not in listed
    assert (
        client.post(
            reverse("api:visit-list"),
            {"citizen": citizen.pk, "kind": "home_visit", "outcome": "completed", "visit_date": "2026-11-19"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(UserFactory(role=Role.CONSULTANT, municipality=frederiksberg))
    assert client.get(url).status_code == 404
    assert client.get(reverse("api:visit-list")).json()["count"] == 0


def test_timeline_orders_offers_risk_events_and_visits(client, citizen, mette):
    from fhb.models import RiskEvent, RiskGroup

    offers_sync(municipality=citizen.municipality, year=2026, as_of=dt.date(2026, 1, 1))
    RiskEvent.objects.create(
        citizen=citizen,
        risk_group=RiskGroup.objects.get(municipality=None, code="lonely"),
        registered_on=dt.date(2026, 3, 2),
        source="concern_referral",
    )
    visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=dt.date(2026, 11, 3),
        note="Hemmeligt notat",
    )
    client.force_login(mette)
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    timeline = page[page.index('id="tidslinje"') : page.index('id="maalgrupper"')]
    visited = timeline.index("Tilbud 2026: Besøgt")
    visit = timeline.index("03-11-2026")
    risk = timeline.index("Risiko: Ensom eller isoleret")
    assert min(visited, visit) < risk  # newest first
    assert "Bekymringshenvendelse" in timeline and "Hemmeligt notat" in timeline
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert "Hemmeligt notat" not in page
