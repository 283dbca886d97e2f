"""A team leader opens next year's due list, filters to 80-year-olds not yet invited and downloads
them — in a real browser."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fhb.models import Role
from tests.factories import CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)


def test_team_leader_filters_next_years_80_year_olds_and_downloads(page, live_server, reference_data):
    UserFactory(username="birgitte", role=Role.TEAM_LEADER)
    next_year = timezone.localdate().year + 1
    turning_80 = [CitizenFactory(birth_date=dt.date(next_year - 80, m, 10), last_name=f"Firs{m}") for m in (2, 7)]
    CitizenFactory(birth_date=dt.date(next_year - 85, 3, 3), last_name="Femogfirs")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "birgitte")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.click("nav >> text=Målgrupper")
    page.select_option("#year", str(next_year))
    page.click("text=Vis")
    assert page.inner_text("h1") == f"Målgrupper {next_year}"
    summary = page.inner_text("#summary")
    assert "80 år" in summary and "82 år og derover" in summary

    page.select_option("#id_group", "age_80")
    page.check("#id_not_invited")
    page.click("text=Anvend filtre")
    rows = page.locator("#offers tbody tr")
    expect(rows).to_have_count(2)  # waits for the filtered page: count() alone raced its loading
    assert "Femogfirs" not in page.inner_text("#offers")

    with page.expect_download() as download_info:
        page.click("text=Hent CSV")
    with open(download_info.value.path(), encoding="utf-8-sig") as downloaded:
        content = downloaded.read()
    exported = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert sorted(r["efternavn"] for r in exported) == sorted(c.last_name for c in turning_80)
    assert all(r["målgrupper"] == "80 år" and r["status"] == "Skal tilbydes" for r in exported)  # labels
    assert all(r["målgruppekoder"] == "age_80" and r["statuskode"] == "due" for r in exported)  # and the codes
