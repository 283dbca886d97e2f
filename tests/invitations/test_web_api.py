"""The letter pages and roles: a team leader plans, previews, approves and downloads; a consultant
works the call list but cannot plan; only the admin edits letter texts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fhb.models import OfferStatus, Role
from fhb.offers import offers_sync
from invitations.models import BatchStatus, LetterBatch, LetterTemplate
from tests.factories import CitizenFactory, UserFactory
from visits.models import ConsultantCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 07:00", tick=False):
        yield


@pytest.fixture
def setup(copenhagen):
    mette = UserFactory(username="mette", first_name="Mette", last_name="Kristensen", role=Role.CONSULTANT)
    ConsultantCalendar.objects.create(consultant=mette, weekdays=[0, 1, 2, 3, 4])
    for i in range(6):
        CitizenFactory(birth_date=dt.date(1946, 3, 1 + i), first_name=f"Otto{i}")
    offers_sync(municipality=copenhagen, year=2026)
    return mette


def test_team_leader_plans_approves_and_downloads(client, team_leader, setup, django_capture_on_commit_callbacks):
    client.force_login(team_leader)
    page = client.get(reverse("batch-list"))
    assert page.status_code == 200 and "Planlæg brevrunde" in page.content.decode()
    bad = client.post(reverse("batch-list"), {"period_start": "2026-12-01", "period_end": "2026-11-01",
                                              "groups": ["age_80"], "statuses": ["due"], "letter_date": "2026-11-23",
                                              "kind_age_80": "date_letter"})  # fmt: skip
    assert bad.status_code == 200 and "slutter før" in bad.content.decode()
    assert 'value="2026-12-01"' in bad.content.decode()  # what was typed is kept
    form = {"period_start": "2026-12-01", "period_end": "2026-12-31", "groups": ["age_80"], "statuses": ["due"],
            "letter_date": "2026-11-23", "kind_age_80": "date_letter"}  # fmt: skip
    response = client.post(reverse("batch-list"), form)
    batch = LetterBatch.objects.get()
    assert response.status_code == 302 and batch.letters.count() == 6
    detail = client.get(reverse("batch-detail", args=[batch.pk])).content.decode()
    assert "Kalenderbelastning" in detail and "Godkend og dan 6 breve" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("batch-action", args=[batch.pk, "godkend"]), {"bekraeft": "1"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY
    manifest = client.get(reverse("batch-file", args=[batch.pk, "manifest.json"]))
    assert manifest.status_code == 200
    letter = batch.letters.first()
    pdf = client.get(reverse("letter-pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert letter.citizen.accesses.filter(lookup__user=team_leader).exists()  # the look-up is logged
    client.post(reverse("batch-action", args=[batch.pk, "send"]), {"bekraeft": "1"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    assert letter.offer.__class__.objects.filter(status=OfferStatus.INVITED).count() == 6


def test_consultant_cannot_plan_but_works_responses(client, setup):
    client.force_login(setup)
    assert client.get(reverse("batch-list")).status_code == 403
    assert client.get(reverse("letter-templates")).status_code == 403
    assert client.get(reverse("call-list")).status_code == 200


def test_admin_edits_a_letter_text_with_preview(client, admin_user, copenhagen):
    client.force_login(admin_user)
    url = reverse("letter-template-edit", args=["open_letter"])
    page = client.get(url).content.decode()
    assert "Kære Karen" in page  # the preview of the default text
    broken = client.post(url, {"subject": "Hej", "body": "Kære {% if %}", "action": "save"})
    assert broken.status_code == 200 and "kan ikke læses" in broken.content.decode()
    debug = client.post(url, {"subject": "Hej", "body": "{% debug %}", "action": "save"})
    assert "kan ikke læses" in debug.content.decode()  # no tag that reaches outside the letter
    assert not LetterTemplate.objects.exists()
    client.post(
        url, {"subject": "Tilbud", "body": "Kære {{ fornavn }}, ring på {{ kommune_telefon }}.", "action": "save"}
    )
    assert LetterTemplate.objects.get().body.startswith("Kære {{ fornavn }}")


def test_calendar_form_keeps_input_on_error(client, team_leader, setup):
    client.force_login(team_leader)
    url = reverse("calendar-edit", args=[setup.pk])
    response = client.post(url, {"weekdays": ["1", "3"], "day_starts": "15:00", "day_ends": "09:00",
                                 "visit_minutes": "60", "travel_minutes": "30", "action": "calendar"})  # fmt: skip
    assert response.status_code == 200 and "slutte efter" in response.content.decode()
    assert ConsultantCalendar.objects.get(consultant=setup).weekdays == [0, 1, 2, 3, 4]
    client.post(url, {"weekdays": ["1", "3"], "day_starts": "09:00", "day_ends": "14:00", "visit_minutes": "60",
                      "travel_minutes": "30", "action": "calendar"})  # fmt: skip
    assert ConsultantCalendar.objects.get(consultant=setup).weekdays == [1, 3]
    assert client.get(reverse("capacity")).status_code == 200


def test_api_plan_approve_send_respond(client, team_leader, setup, django_capture_on_commit_callbacks):
    client.force_login(team_leader)
    bad = client.post("/api/v1/letter-batches/", {"period_start": "2026-12-01", "period_end": "2026-12-31",
                                                  "groups": ["age_80"], "letter_kinds": {"age_80": "fax"}},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "letter_kinds" in bad.json()
    made = client.post("/api/v1/letter-batches/", {"period_start": "2026-12-01", "period_end": "2026-12-31",
                                                   "groups": ["age_80"]}, content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    batch = made.json()
    assert batch["status"] == "draft" and batch["plan"]["date_letters"] == 6
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/letter-batches/{batch['id']}/approve/").status_code == 202
    assert client.get(f"/api/v1/letter-batches/{batch['id']}/").json()["status"] == "ready"
    assert client.get(f"/api/v1/letter-batches/{batch['id']}/files/manifest.csv/").status_code == 200
    retry = client.post(f"/api/v1/letter-batches/{batch['id']}/retry/")  # ready: nothing to resume
    assert retry.status_code == 400 and "står stille" in str(retry.json())
    assert client.post(f"/api/v1/letter-batches/{batch['id']}/send/").json()["status"] == "sent"
    letter = client.get(f"/api/v1/letters/?batch={batch['id']}").json()["results"][0]
    slots = client.get(f"/api/v1/letters/{letter['id']}/slots/").json()
    moved = client.post(f"/api/v1/letters/{letter['id']}/respond/",
                        {"response": "moved", "starts_at": slots[0]["starts_at"], "consultant": slots[0]["consultant"]},
                        content_type="application/json")  # fmt: skip
    assert moved.status_code == 200 and moved.json()["response"] == "moved"
    # A consultant may respond but not plan.
    client.force_login(setup)
    assert client.post("/api/v1/letter-batches/", {}, content_type="application/json").status_code == 403
    assert client.get("/api/v1/letters/call-list/").status_code == 200


def test_plan_letters_command(setup, team_leader, capsys):
    from tests.fhb.helpers import run_command

    run = run_command(capsys, "plan_letters", "--municipality", "101", "--from", "2026-12-01", "--to",
                                 "2026-12-02", "--groups", "age_80")  # fmt: skip
    assert run.code == 0, run.err
    assert "6 letters, 6 date letters with a time" in run.out
    run = run_command(capsys, "plan_letters", "--municipality", "101", "--from", "2026-12-01", "--to",
                                 "2026-11-02", "--groups", "age_80")  # fmt: skip
    assert run.code == 2 and "slutter før" in run.err


def test_respond_page_handles_a_tampered_slot(client, team_leader, setup, django_capture_on_commit_callbacks):
    from invitations import batches

    batch = batches.batch_plan(
        municipality=team_leader.municipality, user=team_leader, period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31), groups=["age_80"], letter_kinds={"age_80": "open_letter"},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_approve(batch=batch, user=team_leader)
    batches.batch_send(batch=LetterBatch.objects.get(pk=batch.pk), user=team_leader)
    letter = batch.letters.first()
    client.force_login(setup)
    url = reverse("letter-respond", args=[letter.pk])
    for slot in ["abc|2026-12-01T09:00", "1|2026-13-45T99:00", "garbage", ""]:
        response = client.post(url, {"response": "accepted", "slot": slot})
        assert response.status_code == 200 and "Vælg en ledig tid" in response.content.decode()
    letter.refresh_from_db()
    assert letter.response == "" and letter.booking_id is None  # nothing half-applied
    done = client.post(url, {"response": "no_answer", "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == reverse("call-list")  # no open redirect
    # Open letters only: no paper letters among them here, so there is no print PDF to fetch.
    client.force_login(team_leader)
    assert not batch.letters.filter(paper=True).exists()
    assert client.get(reverse("batch-file", args=[batch.pk, "tryk.pdf"])).status_code == 404
    assert client.get(reverse("batch-file", args=[batch.pk, "nope.txt"])).status_code == 404


def test_a_stalled_batch_offers_to_resume(client, team_leader, setup, django_capture_on_commit_callbacks):
    client.force_login(team_leader)
    form = {"period_start": "2026-12-01", "period_end": "2026-12-31", "groups": ["age_80"], "statuses": ["due"],
            "letter_date": "2026-11-23", "kind_age_80": "open_letter"}  # fmt: skip
    client.post(reverse("batch-list"), form)
    batch = LetterBatch.objects.get()
    # Approved, but the worker was lost before it rendered anything.
    LetterBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RENDERING, approved_at=dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    )
    status = client.get(reverse("batch-detail", args=[batch.pk]), {"status": 1}).content.decode()
    assert "Fortsæt dannelsen" in status and 'hx-trigger="every 10s"' in status
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("batch-action", args=[batch.pk, "prov-igen"]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY and batch.letters_done == batch.letters_total == 6
