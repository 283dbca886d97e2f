"""A team leader plans next month's letters by birth month on a tablet, approves through the
confirmation that says what will happen, cancels and undoes the cancellation — in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fhb.models import Municipality, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, BookingStatus, ConsultantCalendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)


def test_plan_by_birth_month_approve_cancel_and_undo(page, live_server, reference_data):
    today = timezone.localdate()
    start = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # next month
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    UserFactory(username="birgitte", role=Role.TEAM_LEADER)
    anna = UserFactory(username="anna", first_name="Anna", last_name="Holm", role=Role.CONSULTANT)
    ConsultantCalendar.objects.create(consultant=anna, weekdays=[0, 1, 2, 3, 4], day_starts=dt.time(9))
    later = 1 + start.month % 12  # the month after: they wait (or, in December, January: caught up)
    for i in range(3):
        CitizenFactory(birth_date=dt.date(start.year - 80, start.month, 3 + i), last_name=f"Maaned{i}")
    for i in range(2):
        CitizenFactory(birth_date=dt.date(start.year - 80, later, 3 + i), last_name=f"Senere{i}")
    offers_sync(municipality=Municipality.objects.get(code="101"), year=start.year)

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "birgitte")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/breve/")
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", end.isoformat())
    for box in page.locator("input[name=groups]").all():
        box.uncheck()
    page.check("input[name=groups][value=age_80]")
    expect(page.locator("input[name=selection][value=birth_month]")).to_be_checked()  # the common practice
    page.click("#batch-form button[type=submit]")

    expect(page.locator("#letters tbody tr")).to_have_count(3 if later > start.month else 5)
    assert "Fødselsdag i" in page.inner_text("#letters")
    if later > start.month:
        assert "2 med fødselsdag i" in page.inner_text("#waiting")

    page.click("text=Godkend og dan")
    expect(page.locator("h1")).to_have_text("Godkend brevrunden?")
    assert "bookes i 1 konsulents kalendere" in page.inner_text("#consequence")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success").first).to_contain_text("Brevrunden er godkendt")
    booked = Booking.objects.filter(status=BookingStatus.BOOKED).count()
    assert booked in (3, 5)

    page.click("text=Annullér brevrunden")
    assert "aflyses i 1 konsulents kalendere" in page.inner_text("#consequence")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success").first).to_contain_text("annulleret")
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()

    page.click("text=Fortryd annulleringen")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success").first).to_contain_text("Annulleringen er fortrudt")
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == booked
