"""A consultant logs in, lists and searches citizens, and opens one — in a real browser."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fhb.models import CitizenAccess
from tests.factories import CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)


def test_login_list_search_and_open_a_citizen(page, live_server, reference_data):
    user = UserFactory(username="mette", first_name="Mette", last_name="Kristensen")
    for i in range(30):
        CitizenFactory(last_name=f"Borgersen{i:02d}", birth_date=dt.date(1946, 5, 17))
    target = CitizenFactory(first_name="Karen", last_name="Søgesen", birth_date=dt.date(1944, 2, 29))
    console_errors = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "mette")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    assert "forkert" in page.inner_text("main")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/min-dag/")  # a consultant lands on the day
    page.click("nav >> text=Borgere")
    page.wait_for_url(f"{live_server.url}/borgere/")
    assert page.inner_text("h1") == "Borgere"
    assert "31 borgere" in page.inner_text("#citizen-results")
    assert "170546-xxxx" in page.inner_text("table")

    page.click("nav.pagination .pagination-number >> text=2")
    assert "page=2" in page.url

    page.fill("#id_q", target.cpr_formatted)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert target.cpr not in page.url and target.cpr[:6] not in page.url
    rows = page.locator("#citizen-results tbody tr")
    expect(rows).to_have_count(1)
    assert "Karen Søgesen" in rows.inner_text()

    page.click("text=Karen Søgesen")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Karen Søgesen"
    assert target.cpr_formatted in page.inner_text("main")
    assert CitizenAccess.objects.filter(citizen=target, lookup__user=user).count() == 2  # the CPR search and the page
    assert not console_errors, console_errors
