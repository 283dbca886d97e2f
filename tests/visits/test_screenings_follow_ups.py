"""Screenings with structured values, follow-ups with consent, and how they are recorded with a
visit (service, form, API): validation names the field, nothing is half-saved."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fhb.errors import DomainError
from fhb.models import RiskEvent, Role
from tests.factories import CitizenFactory, UserFactory
from visits.models import FollowUp, Screening, Visit
from visits.screenings import ScreeningError, bmi_of, screening_read
from visits.services import follow_up_close, visit_record

pytestmark = pytest.mark.django_db
BORN = dt.date(1944, 1, 1)
DAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 09:00", tick=False):
        yield


@pytest.fixture
def citizen():
    return CitizenFactory(birth_date=BORN, sex="K")


@pytest.fixture
def mette():
    return UserFactory(username="mette", role=Role.CONSULTANT)


def read(kind, **values):
    return screening_read(kind, values, birth_date=BORN, sex="K", on=DAY)


def test_readings_and_their_levels():
    assert read("blood_pressure", systolic=128, diastolic=78)["level"] == "normal"
    assert read("blood_pressure", systolic=150, diastolic=85)["level"] == "attention"
    red = read("blood_pressure", systolic="185", diastolic="100", pulse="72")
    assert red["level"] == "red" and red["values"] == {"systolic": 185, "diastolic": 100, "pulse": 72}
    assert bmi_of({"weight_kg": Decimal("50.0"), "height_cm": Decimal(170)}) == Decimal("17.3")
    bmi = read("bmi", weight_kg="50,0", height_cm="170")  # a decimal comma is fine
    assert bmi["level"] == "red" and "17,3" in bmi["finding"] and bmi["values"]["weight_kg"] == 50
    # 30-second chair stand: the normal range for a woman of 82 starts at 9, for a man at 10
    assert read("chair_rise", repetitions=9)["level"] == "normal"
    assert read("chair_rise", repetitions=8)["level"] == "attention"
    assert screening_read("chair_rise", {"repetitions": 9}, birth_date=BORN, sex="M", on=DAY)["level"] == "attention"
    assert read("chair_rise", repetitions=0)["level"] == "red"
    assert read("loneliness", score=7)["level"] == "attention"
    assert read("wellbeing", score=24)["level"] == "red"


@pytest.mark.parametrize(
    ("kind", "values", "measure", "message"),
    [
        ("blood_pressure", {"systolic": 300, "diastolic": 80}, "systolic", "mellem 60 og 260"),
        ("blood_pressure", {"systolic": 120}, "diastolic", "skal udfyldes"),
        ("blood_pressure", {"systolic": 90, "diastolic": 95}, "systolic", "lavere end det systoliske"),
        ("chair_rise", {"repetitions": "7,5"}, "repetitions", "helt tal"),
        ("wellbeing", {"score": "god"}, "score", "et tal"),
        ("iq", {"score": 100}, "", "Ukendt screening"),
    ],
)
def test_invalid_readings_name_the_measure(kind, values, measure, message):
    with pytest.raises(ScreeningError, match=message) as error:
        screening_read(kind, values, birth_date=BORN, sex="K", on=DAY)
    assert error.value.measure == measure


def test_visit_with_screenings_and_follow_ups_all_or_nothing(citizen, mette):
    follow_ups = [
        {"kind": "civil_society", "description": "Besøgsven via Ældre Sagen"},
        {"kind": "handover", "unit": "dementia_coordinator", "consent_given": True, "consent_to": "Demenskoordinator"},
        {"kind": "new_visit", "due_on": dt.date(2026, 12, 15)},
    ]
    visit = visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=DAY,
        themes=["loneliness", "physical_ability"],
        screenings={"blood_pressure": {"systolic": 190, "diastolic": 100}, "loneliness": {"score": 7}},
        follow_ups=follow_ups,
    )
    assert sorted(visit.screenings.values_list("kind", "level")) == [
        ("blood_pressure", "red"),
        ("loneliness", "attention"),
    ]
    handover = visit.follow_ups.get(kind="handover")
    assert handover.consent_to == "Demenskoordinator" and handover.assigned_to == mette
    assert visit.follow_ups.get(kind="new_visit").due_on == dt.date(2026, 12, 15)
    # the red blood pressure makes the citizen at risk (interfaces.md § 2: screening_red), once
    event = RiskEvent.objects.get(citizen=citizen, risk_group__code="screening_red")
    assert event.registered_on == DAY and event.source == "screening" and "blodtryk" in event.note.lower()

    # A hand-over without consent refuses the whole visit: nothing is saved.
    with pytest.raises(DomainError, match="samtykke") as error:
        visit_record(
            citizen=citizen,
            user=mette,
            kind="home_visit",
            outcome="completed",
            visit_date=DAY,
            screenings={"bmi": {"weight_kg": 70, "height_cm": 165}},
            follow_ups=[{"kind": "handover", "unit": "home_help_83"}],
        )
    assert error.value.field == "consent_given"
    assert Visit.objects.count() == 1 and Screening.objects.count() == 2 and FollowUp.objects.count() == 3


@pytest.mark.parametrize(
    ("follow_up", "field"),
    [
        ({"kind": "handover", "consent_given": True}, "unit"),
        ({"kind": "new_contact"}, "due_on"),
        ({"kind": "new_visit", "due_on": dt.date(2026, 11, 1)}, "due_on"),
        ({"kind": "civil_society"}, "description"),
        ({"kind": "gp"}, "consent_given"),
        ({"kind": "gp", "unit": "housing_116", "consent_given": True}, "unit"),
    ],
)
def test_follow_up_rules(citizen, mette, follow_up, field):
    with pytest.raises(DomainError) as error:
        visit_record(
            citizen=citizen, user=mette, kind="home_visit", outcome="completed", visit_date=DAY, follow_ups=[follow_up]
        )
    assert error.value.field == field and Visit.objects.count() == 0


def test_no_screenings_on_a_phone_call_and_no_red_event_from_a_draft(citizen, mette):
    with pytest.raises(DomainError, match="gennemført besøg i hjemmet"):
        visit_record(
            citizen=citizen,
            user=mette,
            kind="phone_call",
            outcome="completed",
            visit_date=DAY,
            screenings={"wellbeing": {"score": 20}},
        )
    draft = visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=DAY,
        is_draft=True,
        screenings={"wellbeing": {"score": 20}},
    )
    assert draft.screenings.get().level == "red" and not RiskEvent.objects.filter(citizen=citizen).exists()


def test_form_keeps_everything_when_a_screening_value_is_wrong(client, citizen, mette):
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    data = {
        "kind": "home_visit",
        "outcome": "completed",
        "visit_date": "2026-11-20",
        "themes": ["grief"],
        "note": "Talte om sorgen",
        "scr__blood_pressure__systolic": "145",
        "scr__blood_pressure__diastolic": "400",
        "opf-TOTAL_FORMS": "2",
        "opf-INITIAL_FORMS": "0",
        "opf-0-kind": "civil_society",
        "opf-0-description": "Sorggruppe i kirken",
        "opf-1-kind": "",
        "action": "save",
    }
    bad = client.post(url, data)
    assert bad.status_code == 200 and Visit.objects.count() == 0
    html = bad.content.decode()
    assert "mellem 30 og 160" in html and 'value="145"' in html and 'value="400"' in html
    assert "Talte om sorgen" in html and 'value="Sorggruppe i kirken"' in html
    # a hand-over without consent is named on its own row
    bad = client.post(
        url, {**data, "scr__blood_pressure__diastolic": "90", "opf-1-kind": "handover", "opf-1-unit": "housing_116"}
    )
    assert bad.status_code == 200 and "Opfølgning 2" in bad.content.decode() and Visit.objects.count() == 0
    good = client.post(url, {**data, "scr__blood_pressure__diastolic": "90"})
    assert good.status_code == 302
    visit = Visit.objects.get()
    assert visit.screenings.get().values == {"systolic": 145, "diastolic": 90}
    assert visit.follow_ups.get().description == "Sorggruppe i kirken"
    # editing shows the values again, and keeps the screening when saved unchanged
    page = client.get(reverse("visit-edit", args=[visit.pk])).content.decode()
    assert 'value="145"' in page and "Sorggruppe i kirken" in page


def test_follow_up_close_and_visit_from_a_follow_up(client, citizen, mette):
    visit = visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=dt.date(2026, 11, 10),
        follow_ups=[
            {"kind": "new_visit", "due_on": dt.date(2026, 11, 19)},
            {"kind": "own_activity", "description": "Gåtur"},
        ],
    )
    again, walk = visit.follow_ups.order_by("kind")  # new_visit, own_activity
    client.force_login(mette)
    agenda = client.get(reverse("agenda")).content.decode()
    assert "overskredet" in agenda and "Gåtur" in agenda
    follow_up_close(follow_up=walk, user=mette, outcome="Går med i gågruppen")
    with pytest.raises(DomainError, match="allerede afsluttet"):
        follow_up_close(follow_up=walk, user=mette, outcome="Igen")
    response = client.post(
        reverse("visit-create", args=[citizen.pk]),
        {
            "kind": "follow_up_visit",
            "outcome": "completed",
            "visit_date": "2026-11-20",
            "follow_up": again.pk,
            "action": "save",
        },
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == "done" and again.done_visit.kind == "follow_up_visit"
    # Closed by hand, it stays on the day with its undo for FHB_UNDO_MINUTES, then goes.
    agenda = client.get(reverse("agenda")).content.decode()
    assert "Gåtur" in agenda and reverse("follow-up-reopen", args=[walk.pk]) in agenda
    FollowUp.objects.filter(pk=walk.pk).update(closed_at=timezone.now() - dt.timedelta(minutes=31))
    assert "Gåtur" not in client.get(reverse("agenda")).content.decode()


def test_api_screenings_follow_ups_and_health_data_visibility(client, citizen, mette):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    client.force_login(mette)
    response = client.post(
        "/api/v1/visits/",
        {
            "citizen": citizen.pk,
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-20",
            "screenings": [{"kind": "bmi", "values": {"weight_kg": 64.5, "height_cm": 160}}],
            "follow_ups": [{"kind": "gp", "consent_given": True, "consent_to": "Egen læge", "description": "Blodtryk"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["screenings"][0]["level"] == "normal" and "25,2" in body["screenings"][0]["finding"]
    bad = client.post(
        "/api/v1/visits/",
        {
            "citizen": citizen.pk,
            "kind": "home_visit",
            "outcome": "completed",
            "visit_date": "2026-11-20",
            "screenings": [{"kind": "bmi", "values": {"weight_kg": 640, "height_cm": 160}}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "screenings" in bad.json()
    follow_ups = client.get("/api/v1/follow-ups/", {"citizen": citizen.pk}).json()["results"]
    assert [f["kind"] for f in follow_ups] == ["gp"]
    url = f"/api/v1/follow-ups/{follow_ups[0]['id']}"
    missing = client.post(f"{url}/close/", {}, content_type="application/json")
    assert missing.status_code == 400 and "outcome" in missing.json()
    closed = client.post(f"{url}/close/", {"outcome": "Lægen er orienteret"}, content_type="application/json")
    assert closed.json()["status"] == "done" and closed.json()["outcome"] == "Lægen er orienteret"
    reopened = client.post(f"{url}/reopen/", content_type="application/json")
    assert reopened.json()["status"] == "open" and reopened.json()["outcome"] == ""
    refused = client.post(
        "/api/v1/follow-ups/",
        {"citizen": citizen.pk, "kind": "handover", "unit": "housing_116"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "consent_given" in refused.json()
    made = client.post(
        "/api/v1/follow-ups/",
        {
            "citizen": citizen.pk,
            "kind": "handover",
            "unit": "housing_116",
            "consent_given": True,
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["consent_to"] == "Boligindretning (§ 116)"
    client.force_login(admin)  # health data: no notes, no screenings for a municipality admin
    visit = client.get(f"/api/v1/visits/{body['id']}/").json()
    assert "screenings" not in visit and "note" not in visit
    assert client.get("/api/v1/follow-ups/").status_code == 403


def test_timeline_shows_screenings_follow_ups_and_events_to_those_who_may_see_them(client, citizen, mette):
    from visits.events import event_add_citizen, event_save, registration_respond

    visit_record(
        citizen=citizen,
        user=mette,
        kind="home_visit",
        outcome="completed",
        visit_date=DAY,
        screenings={"wellbeing": {"score": 72}},
        follow_ups=[{"kind": "handover", "unit": "assistive_devices_112", "consent_given": True}],
    )
    event = event_save(
        user=mette, title="Seniordag", date=DAY, starts_at=dt.time(10), venue="Hallen", capacity=10, target_groups=[]
    )
    registration_respond(
        registration=event_add_citizen(event=event, citizen=citizen, user=mette), action="check_in", user=mette
    )
    client.force_login(mette)
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    timeline = page[page.index('id="tidslinje"') :]
    for text in [
        "Trivsel (WHO-5): score 72",
        "Opfølgning: Overdragelse til anden kommunal enhed: Hjælpemidler (§ 112)",
        "samtykke til Hjælpemidler (§ 112)",
        "Deltog i »Seniordag«",
        "Kollektivt arrangement",
    ]:
        assert text in timeline, text
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert "WHO-5" not in page and "Deltog i »Seniordag«" in page
