"""The visit form saved as the consultant types (app.js posts action=autosave): one draft, updated in
place, no follow-ups until the real save, the booking closed only by the real save, a colleague's
newer edit refused (409); once saved, the next page tells the device to delete its copy."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from fhb.models import Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.bookings import booking_create
from visits.models import Booking, FollowUp, Visit
from visits.services import visit_update

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 40, tzinfo=CPH), tick=False):
        yield


@pytest.fixture
def mette():
    return UserFactory(role=Role.CONSULTANT)


@pytest.fixture
def citizen(copenhagen):
    c = CitizenFactory(birth_date=dt.date(1946, 5, 1))
    offers_sync(municipality=copenhagen, year=2026)
    return c


BASE = {"kind": "home_visit", "outcome": "completed", "visit_date": "2026-11-23"}


def test_autosave_keeps_one_draft_and_the_real_save_finishes_it(client, citizen, mette):
    booking = booking_create(
        citizen=citizen, consultant=mette, starts_at=dt.datetime(2026, 11, 23, 10, 45, tzinfo=CPH), user=mette
    )
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    page = client.get(url, {"booking": booking.pk}).content.decode()
    key = f"visit:{mette.pk}:new:{citizen.pk}"
    assert f'data-autosave="{key}"' in page and 'data-autosave-server="1"' in page
    row = {"opf-TOTAL_FORMS": "1", "opf-INITIAL_FORMS": "0", "opf-0-kind": "own_activity", "opf-0-description": "Gåtur"}
    first = client.post(url, {**BASE, **row, "note": "Taler om", "booking": booking.pk, "action": "autosave"})
    assert first.status_code == 200 and first.json()["message"] == "Kladde gemt 10:40"
    draft = first.json()["draft"]
    second = client.post(
        url, {**BASE, **row, "note": "Taler om sin søster", "booking": booking.pk, "draft": draft,
              "version": first.json()["version"], "action": "autosave"},
    )  # fmt: skip
    assert second.json()["draft"] == draft and second.json()["version"] == first.json()["version"] + 1
    visit = Visit.objects.get()
    assert visit.is_draft and visit.note == "Taler om sin søster" and not FollowUp.objects.exists()
    assert Booking.objects.get().status == "booked"  # a draft closes nothing

    saved = client.post(
        url, {**BASE, **row, "note": "Taler om sin søster i Aarhus", "booking": booking.pk, "draft": draft,
              "version": second.json()["version"], "device_key": key, "action": "save"},
    )  # fmt: skip
    assert saved.status_code == 302
    visit = Visit.objects.get()
    assert not visit.is_draft and visit.note == "Taler om sin søster i Aarhus"
    assert Booking.objects.get().status == "completed" and Booking.objects.get().visit == visit
    assert list(FollowUp.objects.values_list("description", flat=True)) == ["Gåtur"]
    day = client.get(saved.url).content.decode()
    assert f'<meta name="fhb-saved-drafts" content="{key}">' in day  # the device deletes its copy
    assert "fhb-saved-drafts" not in client.get(saved.url).content.decode()  # once


def test_autosave_never_overwrites_a_newer_edit(client, citizen, mette):
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    first = client.post(url, {**BASE, "note": "Første", "action": "autosave"}).json()
    colleague = UserFactory(role=Role.CONSULTANT)
    visit_update(visit=Visit.objects.get(), user=colleague, version=first["version"], note="Kollegaens")
    stale = client.post(
        url, {**BASE, "note": "Mit", "draft": first["draft"], "version": first["version"], "action": "autosave"}
    )
    assert stale.status_code == 409 and "nyere udgave" in stale.json()["message"]
    assert Visit.objects.get().note == "Kollegaens"


def test_autosave_names_what_is_wrong_and_saves_nothing(client, citizen, mette):
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    bad = client.post(url, {**BASE, "scr__blood_pressure__systolic": "400", "action": "autosave"})
    assert bad.status_code == 400 and "scr__blood_pressure__systolic" in bad.json()["errors"]
    assert not Visit.objects.exists()


def test_a_final_visit_is_not_autosaved(client, citizen, mette):
    client.force_login(mette)
    client.post(reverse("visit-create", args=[citizen.pk]), {**BASE, "note": "x", "action": "save"})
    visit = Visit.objects.get()
    edit = reverse("visit-edit", args=[visit.pk])
    assert 'data-autosave-server="0"' in client.get(edit).content.decode()
    refused = client.post(edit, {**BASE, "note": "y", "version": visit.version, "action": "autosave"})
    assert refused.status_code == 400 and Visit.objects.get().note == "x" and not Visit.objects.get().is_draft


def test_a_saved_visit_is_never_saved_twice(client, citizen, mette):
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    first = client.post(url, {**BASE, "note": "Første", "action": "autosave"}).json()
    done = {**BASE, "note": "Færdig", "draft": first["draft"], "version": first["version"]}
    assert client.post(url, {**done, "action": "save"}).status_code == 302
    # A second tap on "Gem", and an autosave that arrives late: still one visit, as saved.
    again = client.post(url, {**done, "action": "save"}, follow=True)
    assert "Besøget er allerede gemt." in again.content.decode()
    late = client.post(url, {**done, "note": "Sent", "action": "autosave"})
    assert late.status_code == 409
    visit = Visit.objects.get()
    assert not visit.is_draft and visit.note == "Færdig"
