"""A consultant's day in the demo, in a real browser: today's agenda, a visit with two themes, a
screening and a referral, the timeline; a check-in at the event door; a declined event invitation
turning into an individual offer."""

import re

import pytest
from django.utils import timezone

from fhb.demo import demo_seed
from visits.models import EventRegistration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)
    return demo_seed(today=timezone.localdate(), citizens=1500)


def login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "fhb-demo-2026")
    page.click("button[type=submit]")


def test_a_consultants_day(page, live_server, demo):
    login(page, live_server.url, "konsulent1")
    page.click("nav >> text=Min dag")
    if not page.locator("article.fhb-booking").count():
        # A weekend, or a day closed for visits with none left this week (31 December, 1 January):
        # the demo books the coming open days.
        page.click("text=Vis uge")
        if not page.locator("article.fhb-booking").count():
            page.click("text=Næste uge")
    first = page.locator("article.fhb-booking").first
    name = first.locator("strong a").inner_text()
    first.locator("text=Registrér besøg").click()
    assert page.inner_text("h1") == "Registrér besøg" and "markeres bookingen" in page.content()

    page.check("text=Ensomhed og relationer")
    page.check("text=Fysisk funktionsevne og faldrisiko")
    page.click("text=Screeninger")
    page.fill("#id_scr__blood_pressure__systolic", "152")
    page.fill("#id_scr__blood_pressure__diastolic", "88")
    page.click("text=Opfølgning og samtykke")
    page.select_option("#id_opf-0-kind", "civil_society")
    page.fill("#id_opf-0-description", "Seniorklubben i Ry")
    page.fill("#id_note", "Bor alene efter flytning; vil gerne møde andre.")
    if page.input_value("#id_visit_date") > timezone.localdate().isoformat():
        page.fill("#id_visit_date", timezone.localdate().isoformat())
    page.click("text=Gem besøg")

    # Back on the day the visit was booked for, the booking done; the citizen's page has it all.
    assert "/min-dag/?dato=" in page.url and "Besøget er registreret." in page.content()
    page.click(f"article.fhb-booking-done >> text={name}")
    assert page.inner_text("h1") == name
    timeline = page.inner_text(".fhb-timeline")
    assert "Forebyggende hjemmebesøg" in timeline
    assert "Blodtryk: systolisk 152 mmHg, diastolisk 88 mmHg" in timeline
    assert "Opfølgning: Henvisning til civilsamfundsaktivitet" in timeline and "Seniorklubben i Ry" in timeline
    assert "Tilbud" in timeline and "Besøgt" in timeline

    # the birthday event is today: check a citizen in at the door
    page.click("nav >> text=Arrangementer")
    page.click("text=Fødselsdagsarrangement for 75-årige")
    page.click("text=Indtjekning ved døren")
    guest = EventRegistration.objects.filter(event__title__startswith="Fødselsdag", status="registered").first()
    page.fill("#fhb-checkin-filter", guest.citizen.last_name.lower())
    row = page.locator(f"#tilmelding-{guest.pk}")
    row.locator("text=Tjek ind").click()
    page.wait_for_selector(f"#tilmelding-{guest.pk} .fhb-attended")
    assert page.url.endswith("/indtjekning/")  # swapped in place by htmx, no reload
    assert re.search(r"Tjekket ind \d\d:\d\d", row.inner_text())
    assert page.locator("li[data-name]:not(.fhb-hidden)").count() >= 1
    # the wrong name: undone at once, and checked in again
    row.locator("text=Fortryd").click()
    page.wait_for_selector(f"#tilmelding-{guest.pk} >> text=Tjek ind")
    guest.refresh_from_db()
    assert guest.status == "registered" and guest.visit is None
    row.locator("text=Tjek ind").click()
    page.wait_for_selector(f"#tilmelding-{guest.pk} .fhb-attended")

    # someone invited says no: they get an individual offer (BEK 716 § 2)
    page.click(".breadcrumbs >> text=Fødselsdagsarrangement for 75-årige")
    page.select_option("#status", "invited")
    page.click("button:has-text('Vis')")
    declining = page.locator("table tbody tr").first
    citizen_page = declining.locator("td a").first.get_attribute("href")
    declining.locator("text=Takker nej").click()
    assert "individuelt besøg" in page.content()
    page.goto(live_server.url + citizen_page)
    offers = page.inner_text("#tilbud ~ .card")
    assert "Skal tilbydes" in offers and "Datobrev" in offers and "BEK 716/2019 § 2" in offers
