"""Intake: concern and self referrals, and MedCom hospital notifications (FHIR) as risk events."""

import copy
import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from fhb.errors import DomainError
from fhb.intake import referral_register
from fhb.models import Offer, RiskEvent
from fhb.registry.medcom import hospital_notifications_import
from fhb.registry.tables import ImportFileError
from tests.factories import CitizenFactory
from tests.fhb.helpers import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 09:00", tick=False):
        yield


@pytest.fixture
def seventy(copenhagen):
    """70 in 2026, living with a spouse: in no target group until something happens."""
    return CitizenFactory(birth_date=dt.date(1956, 2, 2), household_size=2, first_name="Erik")


def test_concern_referral_puts_the_citizen_on_the_due_list(seventy, consultant):
    event, refresh = referral_register(
        citizen=seventy,
        user=consultant,
        kind="concern_referral",
        referrer="Datter",
        received_on=dt.date(2026, 11, 20),
        note="Har tabt sig og går ikke ud",
    )
    assert (event.risk_group.code, event.source, event.referrer) == ("concern_referral", "concern_referral", "Datter")
    offer = Offer.objects.get(citizen=seventy, year=2026)
    assert refresh.offer == offer and (offer.status, offer.groups) == ("due", "|at_risk_65_81|")
    assert "Bekymringshenvendelse registreret" in offer.transitions.get().note
    with pytest.raises(DomainError) as error:
        referral_register(citizen=seventy, user=consultant, kind="concern_referral", received_on=dt.date(2026, 11, 21))
    assert error.value.field == "referrer"


def test_referral_outside_the_age_range_says_so(client, consultant):
    young = CitizenFactory(birth_date=dt.date(1963, 1, 1))  # 63
    client.force_login(consultant)
    response = client.post(
        reverse("citizen-referral", args=[young.pk]),
        {"kind": "self_referral", "received_on": "2026-11-23", "note": "Ønsker besøg"},
        follow=True,
    )
    assert "ikke i en målgruppe" in response.content.decode()
    assert RiskEvent.objects.get(citizen=young).source == "self_referral"
    assert not Offer.objects.filter(citizen=young).exists()
    future = client.post(
        reverse("citizen-referral", args=[young.pk]), {"kind": "self_referral", "received_on": "2026-12-24"}
    )
    assert 'href="#id_received_on"' in future.content.decode() and "fremtiden" in future.content.decode()
    bad = client.post(
        reverse("citizen-referral", args=[young.pk]),
        {"kind": "concern_referral", "received_on": "2026-11-23", "note": "Bekymret nabo"},
    )
    assert bad.status_code == 200 and "Bekymret nabo" in bad.content.decode() and "Skriv hvem" in bad.content.decode()


def test_referral_api(client, seventy, consultant, other_citizen):
    client.force_login(consultant)
    response = client.post(
        f"/api/v1/citizens/{seventy.pk}/referral/",
        {"kind": "concern_referral", "referrer": "Hjemmeplejen", "received_on": "2026-11-22"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["offer_status"] == "due"
    assert response.json()["groups"] == ["at_risk_65_81"]
    foreign = client.post(
        f"/api/v1/citizens/{other_citizen.pk}/referral/",
        {"kind": "self_referral", "received_on": "2026-11-22"},
        content_type="application/json",
    )
    assert foreign.status_code == 404


def notification(cpr: str, activity: str, *, end="2026-11-18T10:15:00+01:00", stay="ep-1", bundle_id="b-1") -> dict:
    """A MedCom HospitalNotification message Bundle, trimmed to what the importer reads."""
    header_id = f"mh-{bundle_id}"
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "message",
        "timestamp": "2026-11-18T10:15:02+01:00",
        "entry": [
            {
                "fullUrl": f"https://medcomfhir.dk/MessageHeader/{header_id}",
                "resource": {
                    "resourceType": "MessageHeader",
                    "id": header_id,
                    "eventCoding": {
                        "system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes",
                        "code": "hospital-notification-message",
                    },
                },
            },
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "identifier": [{"system": "urn:oid:1.2.208.176.1.2", "value": cpr}],
                }
            },
            {
                "resource": {
                    "resourceType": "Encounter",
                    "id": "e1",
                    "status": "finished",
                    "episodeOfCare": [{"identifier": {"system": "https://sor2.sum.dsdn.dk/#id=1", "value": stay}}],
                    "period": {"start": "2026-11-10T12:00:00+01:00", "end": end},
                }
            },
            {"resource": {"resourceType": "Organization", "id": "o1", "name": "Hjerteafdelingen, Herlev Hospital"}},
            {
                "resource": {
                    "resourceType": "Provenance",
                    "id": "pv-old",
                    "target": [{"reference": "MessageHeader/earlier"}],
                    "occurredDateTime": "2026-11-10T12:00:02+01:00",
                    "activity": {"coding": [{"code": "admit-inpatient"}]},
                }
            },
            {
                "resource": {
                    "resourceType": "Provenance",
                    "id": "pv",
                    "target": [{"reference": f"MessageHeader/{header_id}"}],
                    "occurredDateTime": "2026-11-18T10:15:02+01:00",
                    "activity": {"coding": [{"code": activity}]},
                }
            },
        ],
    }


def test_discharge_revision_and_cancellation(seventy, admin_user):
    discharge = notification(seventy.cpr, "discharge-inpatient-home")
    result = hospital_notifications_import(data=json.dumps(discharge), user=admin_user)
    assert (result.created, result.rejected) == (1, 0)
    event = RiskEvent.objects.get(citizen=seventy)
    assert (event.risk_group.code, event.registered_on, event.source) == (
        "hospital_discharge",
        dt.date(2026, 11, 18),
        "hospital_notification",
    )
    assert "Herlev" in event.note and event.external_ref == "medcom:ep-1"
    again = hospital_notifications_import(data=json.dumps(discharge))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)  # the same message twice changes nothing
    revised = notification(
        seventy.cpr, "revise-discharge-inpatient-home", end="2026-11-19T08:00:00+01:00", bundle_id="b-2"
    )
    assert hospital_notifications_import(data=json.dumps(revised)).updated == 1
    assert RiskEvent.objects.get(citizen=seventy).registered_on == dt.date(2026, 11, 19)
    cancelled = notification(seventy.cpr, "cancel-discharge-inpatient-home", bundle_id="b-3")
    assert hospital_notifications_import(data=json.dumps(cancelled)).updated == 1
    assert not RiskEvent.objects.filter(citizen=seventy).exists()


def test_formats_errors_and_strict(seventy, tmp_path, capsys):
    other = CitizenFactory(birth_date=dt.date(1950, 1, 1))
    good = notification(seventy.cpr, "discharge-emergency-home", bundle_id="ok")
    admit = notification(other.cpr, "admit-inpatient", bundle_id="admit")
    unknown = notification("0101504444", "discharge-inpatient-home", bundle_id="unknown", stay="ep-9")
    future = notification(
        other.cpr, "discharge-inpatient-home", end="2026-12-01T10:00:00+01:00", bundle_id="future", stay="ep-8"
    )
    broken = copy.deepcopy(good)
    broken["id"] = "broken"
    broken["entry"] = [e for e in broken["entry"] if e["resource"]["resourceType"] != "Patient"]
    ndjson = "\n".join(json.dumps(b) for b in [good, admit, unknown, future, broken])
    path = tmp_path / "advis.ndjson"
    path.write_text(ndjson)

    strict = run_command(capsys, "import_hospital_notifications", str(path), "--strict")
    assert strict.code == 1 and not RiskEvent.objects.exists()
    result = run_command(capsys, "import_hospital_notifications", str(path), "--errors", str(tmp_path / "e.csv"))
    assert result.code == 1
    assert result.last_line == "created 1, updated 0, unchanged 1, rejected 3"
    assert (
        "row 3, column Patient.identifier (Bundle unknown)" in result.err and "findes ikke i registeret" in result.err
    )
    assert "0101504444" not in result.err  # a CPR number is never echoed
    assert "row 4, column Encounter.period.end (Bundle future)" in result.err and "fremtiden" in result.err
    assert "row 5, column Patient (Bundle broken)" in result.err
    # a JSON array and a collection Bundle are read the same way
    collection = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": good}]}
    assert hospital_notifications_import(data=json.dumps(collection)).unchanged == 1
    assert hospital_notifications_import(data=json.dumps([good])).unchanged == 1
    # wrong shapes are a clear error, never a crash
    odd = copy.deepcopy(good)
    odd["id"] = "odd"
    odd["entry"][1]["resource"]["identifier"] = "0101504444"
    shaped = hospital_notifications_import(
        data=json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": odd}, {"resource": "x"}]}
        )
    )
    assert [(e.row, e.reason) for e in shaped.errors] == [
        (1, "følger ikke MedCom HospitalNotification-strukturen"),
        (2, "ikke et FHIR-objekt"),
    ]
    with pytest.raises(ImportFileError):
        hospital_notifications_import(data=json.dumps([good, 42]))
    empty = tmp_path / "empty.json"
    empty.write_text('{"resourceType": "Patient"}')
    assert run_command(capsys, "import_hospital_notifications", str(empty)).code == 2


def test_api_is_for_admins_and_scoped(client, seventy, admin_user, consultant, other_citizen):
    client.force_login(consultant)
    body = notification(seventy.cpr, "discharge-inpatient-home")
    assert client.post("/api/v1/hospital-notifications/", body, content_type="application/json").status_code == 403
    client.force_login(admin_user)
    response = client.post("/api/v1/hospital-notifications/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == 1
    foreign = client.post(
        "/api/v1/hospital-notifications/",
        notification(other_citizen.cpr, "discharge-inpatient-home", stay="x"),
        content_type="application/json",
    )
    assert foreign.json()["rejected"] == 1  # another municipality's citizen is not found


def test_upload_page_accepts_hospital_notifications(client, seventy, admin_user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "advis.json", json.dumps(notification(seventy.cpr, "discharge-inpatient-home")).encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-list"), {"kind": "hospital_notifications", "file": upload}, follow=True)
    assert response.status_code == 200
    assert RiskEvent.objects.filter(citizen=seventy, risk_group__code="hospital_discharge").exists()
