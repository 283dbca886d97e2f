"""No page, report or API answer about a year after § 79 a names § 79 a as its basis (Ældreloven
§ 4 from 1 July 2025, interfaces.md § 4): the rendered output of each is searched. The same
outputs for 2025 do name it, so the search is not blind."""

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from fhb.models import Citizen
from fhb.offers import offers_sync
from tests.factories import CitizenFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(copenhagen):
    """Citizens with visits every month of 2025 and 2026, and both years' offers."""
    citizens = [CitizenFactory(birth_date=dt.date(1946, 1, 1 + i), household_size=1) for i in range(6)]
    Visit.objects.bulk_create(
        Visit(municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(y, m, 10))
        for c in citizens
        for y in (2025, 2026)
        for m in range(1, 13)
    )
    for year in (2025, 2026):
        offers_sync(municipality=copenhagen, year=year, as_of=dt.date(year, 1, 1))
    return citizens


def _pdf_text(content: bytes) -> str:
    run = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return run.stdout.decode()


def _get(client, url: str, params=None) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def _outputs(client, year: int, citizen: Citizen, django_capture_on_commit_callbacks) -> dict[str, str]:
    out = {
        "citizen page": _get(client, reverse("citizen-detail", args=[citizen.pk]), {"aar": year}),
        "due list": _get(client, reverse("due-list"), {"year": year}),
        "dashboard": _get(client, reverse("dashboard"), {"aar": year}),
        "API eligibility": _get(client, f"/api/v1/citizens/{citizen.pk}/eligibility/", {"year": year}),
        "API offers": _get(client, "/api/v1/offers/", {"year": year}),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("delivery-create"), {"aar": str(year)})
    from reports.models import Delivery

    delivery = Delivery.objects.filter(year=year).latest("pk")
    out["approval report"] = _get(client, reverse("approval-report", args=[delivery.pk]))
    if shutil.which("pdftotext"):
        out["council report (PDF)"] = _pdf_text(client.get(reverse("council-report") + f"?aar={year}").content)
    return out


@time_machine.travel("2027-02-03 10:00 +0100", tick=False)
def test_after_the_repeal_nothing_cites_79a(client, admin_user, two_years, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    citizen = two_years[0]
    later = _outputs(client, 2026, citizen, django_capture_on_commit_callbacks)
    for name, text in later.items():
        assert "79 a" not in text, f"{name} for 2026 cites § 79 a"
    assert "Ældreloven § 4" in later["approval report"] and "Ældreloven § 4" in later["API offers"]
    earlier = _outputs(client, 2025, citizen, django_capture_on_commit_callbacks)
    assert "§ 79 a" in earlier["approval report"] and "§ 79 a" in earlier["API eligibility"]


@time_machine.travel("2027-02-03 10:00 +0100", tick=False)
def test_the_targeting_pages_after_the_repeal_cite_aeldreloven(client, admin_user, two_years):
    """The workbench, "how the targeting works" (page, CSV, API), the letter texts: about 2026 and
    2027 (compared with 2026), none names § 79 a; about 2026 compared with 2025, 2025's does."""
    client.force_login(admin_user)
    outputs = {
        "trial page": _get(client, reverse("target-group-trial"), {"aar": 2027}),
        "targeting page": _get(client, reverse("targeting"), {"aar": 2027}),
        "targeting CSV": _get(client, reverse("targeting"), {"aar": 2027, "format": "csv"}),
        "targeting API": _get(client, "/api/v1/targeting/", {"year": 2027}),
        "letter texts": _get(client, reverse("letter-templates")),
    }
    for name, text in outputs.items():
        assert "79 a" not in text, f"{name} cites § 79 a"
    assert "Ældreloven § 4" in outputs["targeting API"]
    compared = _get(client, reverse("targeting"), {"aar": 2026})
    assert "2025: Serviceloven § 79 a" in compared  # the year before is 2025's, by its own law
