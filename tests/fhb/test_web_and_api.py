"""The upload page, the citizen list's filters, the API's contract and the deploy checks."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fhb.models import Citizen, ImportJob, RiskEvent
from tests.factories import CitizenFactory, DistrictFactory, RiskEventFactory
from tests.html import checked_values

HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"


def test_upload_runs_the_import_and_offers_an_error_report(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    content = (
        f"{HEADER}\n0101491235;Inger;Jensen;Testvej 1;2100;København Ø;101;1\n"
        "0202501234;Poul;Hansen;Testvej 2;2100;København Ø;147;1\n"  # another municipality
        "0303501234;Kaj;Post;Testvej 4;21;København Ø;101;1\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import-list"),
            {"kind": "citizens", "file": SimpleUploadedFile("udtraek.csv", content), "strict": ""},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-detail", args=[job.pk])
    assert (job.status, job.created, job.rejected, job.applied) == ("done", 1, 2, True)
    assert not job.upload  # register data is not kept after the import (test_upload_file_lifecycle)
    page = client.get(response.url).content.decode()
    assert "1 oprettet" in page and "2 afvist" in page and "Frederiksberg" in page
    report = client.get(reverse("import-errors", args=[job.pk]))
    lines = report.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "row;column;value;reason"
    assert lines[1].startswith("3;municipality_code;147;") and lines[2].startswith("4;postal_code;21;")
    assert Citizen.objects.count() == 1


def test_upload_of_unusable_file_fails_cleanly(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import-list"), {"kind": "risk_events", "file": SimpleUploadedFile("x.csv", b"foo;bar\n1;2\n")}
        )
    job = ImportJob.objects.get()
    assert job.status == "failed" and "mangler de påkrævede kolonner" in job.message
    assert "intet er ændret" in client.get(reverse("import-detail", args=[job.pk])).content.decode()


def test_upload_form_keeps_choice_and_explains_missing_file(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("import-list"), {"kind": "risk_events"})
    body = response.content.decode()
    assert response.status_code == 200 and "Dette felt er påkrævet" in body
    assert checked_values(body, "kind") == {"risk_events"}
    assert ImportJob.objects.count() == 0


def test_htmx_status_partial_polls_while_running(client, admin_user):
    job = ImportJob.objects.create(
        municipality=admin_user.municipality,
        kind="citizens",
        filename="x.csv",
        uploaded_by=admin_user,
        status="running",
        rows_total=200,
        rows_done=50,
    )
    client.force_login(admin_user)
    partial = client.get(reverse("import-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'value="25"' in partial and "<html" not in partial


@time_machine.travel("2026-06-15", tick=False)
def test_citizen_list_filters(client, consultant):
    young = CitizenFactory(birth_date=dt.date(1961, 6, 15), last_name="Ungersen")  # 65 today
    old = CitizenFactory(birth_date=dt.date(1936, 6, 16), last_name="Gammelsen", postal_code="8600")  # 89 today
    dead = CitizenFactory(birth_date=dt.date(1940, 1, 1), last_name="Dødsen", deceased_on=dt.date(2026, 1, 1))
    RiskEventFactory(citizen=young)
    district = DistrictFactory(postal_codes=["8600"])
    client.force_login(consultant)

    def names(**params):
        body = client.get(reverse("citizen-list"), params).content.decode()
        return {c.last_name for c in (young, old, dead) if c.last_name in body}

    assert names() == {"Ungersen", "Gammelsen"}
    assert names(include_inactive="on") == {"Ungersen", "Gammelsen", "Dødsen"}
    assert names(age_min=65, age_max=65) == {"Ungersen"}
    assert names(age_min=66) == {"Gammelsen"}
    assert names(age_max=88) == {"Ungersen"}
    assert names(district=district.pk) == {"Gammelsen"}
    assert names(postal_code="8600") == {"Gammelsen"}
    assert names(risk_group=young.risk_events.get().risk_group_id) == {"Ungersen"}
    assert names(name="ungers") == {"Ungersen"}


def test_register_risk_event_from_citizen_page_keeps_input_on_error(client, consultant, citizen):
    client.force_login(consultant)
    url = reverse("citizen-detail", args=[citizen.pk])
    lonely = RiskEventFactory.build().risk_group
    bad = client.post(
        url, {"risk_group": lonely.pk, "registered_on": "2099-01-01", "source": "other", "note": "Naboen ringede"}
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "fremtiden" in body and "Naboen ringede" in body
    good = client.post(
        url, {"risk_group": lonely.pk, "registered_on": "2026-01-05", "source": "concern_referral", "note": ""}
    )
    assert good.status_code == 302
    assert RiskEvent.objects.get(citizen=citizen).source == "concern_referral"


def test_api_lookup_token_and_risk_event_create(client, consultant, citizen):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=consultant).key}")
    found = api.post(reverse("api:citizen-lookup"), {"cpr": citizen.cpr_formatted}, format="json")
    assert found.status_code == 200 and found.json()["cpr"] == citizen.cpr_formatted
    bad = api.post(reverse("api:citizen-lookup"), {"cpr": "3102491234"}, format="json")
    assert bad.status_code == 400 and "fødselsdato" in bad.json()["cpr"][0]
    created = api.post(
        reverse("api:riskevent-list"),
        {"citizen": citizen.pk, "risk_group": "lonely", "registered_on": "2026-02-01", "source": "self_referral"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["risk_group_label"] == "Ensom eller isoleret"
    duplicate = api.post(
        reverse("api:riskevent-list"),
        {"citizen": citizen.pk, "risk_group": "lonely", "registered_on": "2026-02-01"},
        format="json",
    )
    assert duplicate.status_code == 400 and "allerede" in duplicate.json()["registered_on"][0]


def test_openapi_schema_and_docs(client, consultant):
    client.force_login(consultant)
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/citizens/" in paths and "/api/v1/citizens/lookup/" in paths and "/api/v1/risk-events/" in paths
    assert client.get(reverse("api-docs")).status_code == 200


def test_english_is_available(client, consultant):
    client.force_login(consultant)
    assert "Borgere" in client.get(reverse("citizen-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("citizen-list")).content.decode()
    assert "Citizens" in body and 'lang="en"' in body


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = dict(
        {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        DJANGO_SETTINGS_MODULE="fhb.settings.production",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="fhb.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    missing = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in env.items() if k != "SECRET_KEY"},
    )
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr


@pytest.mark.parametrize(
    ("day", "basis"), [("2025-06-30 10:00", "Serviceloven § 79 a"), ("2026-12-31 10:00", "Ældreloven § 4")]
)
def test_the_header_names_the_law_in_force_today(client, consultant, day, basis):
    with time_machine.travel(day, tick=False):
        client.force_login(consultant)
        page = client.get(reverse("citizen-list")).content.decode()
    assert f'<strong class="authority-name">{basis}</strong>' in page
