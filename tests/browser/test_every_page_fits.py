"""Every page a consultant, a team leader and an administrator open in the demo, on a phone (390 px)
and a tablet held upright (800 px): nothing wider than the screen (a wide table becomes stacked
rows), and axe-core finds no violation."""

import pytest
from django.utils import timezone

from fhb.demo import demo_seed
from visits.models import Booking, BookingStatus, CollectiveEvent, ConsultantCalendar, FollowUp

from .conftest import axe_violations, sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)
    return demo_seed(today=timezone.localdate(), citizens=600)


def pages() -> dict[str, list[str]]:
    booking = Booking.objects.filter(status=BookingStatus.BOOKED).select_related("citizen").first()
    day = timezone.localtime(booking.starts_at).date().isoformat()
    citizen = booking.citizen_id
    event = CollectiveEvent.objects.first().pk
    follow_up = FollowUp.objects.filter(status="open").first()
    calendar = ConsultantCalendar.objects.first().pk
    consultant = [
        f"/min-dag/?dato={day}", f"/min-dag/?visning=uge&dato={day}", "/borgere/", f"/borgere/{citizen}/",
        f"/borgere/{citizen}/besoeg/ny/?booking={booking.pk}", f"/borgere/{citizen}/book/",
        f"/bookinger/{booking.pk}/aflys/", "/maalgrupper/", "/arrangementer/", f"/arrangementer/{event}/",
        f"/arrangementer/{event}/indtjekning/", "/ringeliste/", f"/borgere/{citizen}/henvendelse/", "/borgere/0/",
    ]  # fmt: skip
    if follow_up:
        consultant.append(f"/opfoelgninger/{follow_up.pk}/afslut/")
    return {
        "konsulent1": consultant,
        "teamleder": [
            "/breve/",
            "/kapacitet/",
            f"/kapacitet/{calendar}/",
            "/overblik/",
            "/overblik/maalretning/",
            "/statistik/",
            "/maalgrupper/proev/",
            "/arrangementer/nyt/",
        ],
        "admin": ["/brevtekster/", "/import/", "/opslagslog/", f"/borgere/{citizen}/opslag/"],
    }


def test_every_page_fits_the_screen_and_passes_axe(browser, live_server, demo):
    problems = []
    for width, height in [(390, 844), (800, 1280)]:
        for user, paths in pages().items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK", bypass_csp=True)
            page = context.new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", "fhb-demo-2026")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                if sideways(page) > 0:
                    problems.append(f"{width} px {user} {path}: {sideways(page)} px too wide")
                problems += [f"{width} px {user} {path}: {v}" for v in axe_violations(page)]
            context.close()
    assert problems == []
