"""A consultant's day in the field, on a phone (390x844) and on a tablet held upright (800x1280):
log in and land on the day; cancel a visit through its confirmation and undo it; record a visit with
WHO-5 answered item by item while the connection drops and comes back — nothing typed is lost, and
a save without a connection is held; record the day's last visit; the day sheet prints on one page.
On every page: axe-core finds nothing, and nothing is wider than the screen."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from fhb.models import Municipality, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, BookingStatus, Screening, Visit

from .conftest import axe_violations, sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "tablet": (800, 1280)}


@pytest.fixture
def reference_data(transactional_db):
    import importlib

    from django.apps import apps

    importlib.import_module("fhb.migrations.0002_reference_data").load(apps, None)


@pytest.fixture
def day(reference_data):
    """Three visits booked today for Anna: 09:00, 10:30 and 13:00."""
    anna = UserFactory(username="anna", first_name="Anna", last_name="Holm", role=Role.CONSULTANT)
    today = timezone.localdate()
    people = [
        CitizenFactory(first_name="Inger", last_name="Berg", address="Granvej 78", phone="40 93 50 84",
                       birth_date=dt.date(today.year - 80, 3, 1)),
        CitizenFactory(first_name="Poul", last_name="Dahl", address="Egevej 3", phone="22 11 33 44",
                       birth_date=dt.date(today.year - 75, 6, 1)),
        CitizenFactory(first_name="Ruth", last_name="Eskildsen", address="Søvej 12", phone="",
                       birth_date=dt.date(today.year - 82, 9, 1)),
    ]  # fmt: skip
    offers_sync(municipality=Municipality.objects.get(code="101"), year=today.year)
    tz = timezone.get_current_timezone()
    bookings = [
        Booking.objects.create(
            municipality_id=c.municipality_id,
            citizen=c,
            consultant=anna,
            created_by=anna,
            starts_at=dt.datetime.combine(today, dt.time(hour, minute), tzinfo=tz),
            note="Ring på hos naboen" if i == 1 else "",
        )
        for i, (c, (hour, minute)) in enumerate(zip(people, [(9, 0), (10, 30), (13, 0)], strict=True))
    ]
    return anna, people, bookings


def check(page, where: str) -> None:
    assert sideways(page) <= 0, f"{where}: {sideways(page)} px wider than the screen"
    assert axe_violations(page) == [], where


@pytest.mark.parametrize("size", SIZES)
def test_a_day_in_the_field(browser, live_server, day, size):
    anna, (inger, _poul, _ruth), (first, second, last) = day
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    url = live_server.url

    page.goto(f"{url}/login/")
    check(page, "login")
    page.fill("#id_username", "anna")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    assert page.url.startswith(f"{url}/min-dag/")  # a consultant lands on the day
    expect(page.locator("article.fhb-booking")).to_have_count(3)
    check(page, "Min dag")
    header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
    if size == "phone":
        assert header < 200, f"the header takes {header} px of a phone's 844"
    for target in page.locator("article.fhb-booking a, article.fhb-booking .button").all():
        assert target.bounding_box()["height"] >= 44, target.inner_text()  # thumb-sized
    assert page.locator(f"#booking-{first.pk} a[href='tel:40935084']").count() == 1
    assert page.locator(f"#booking-{first.pk} a[href^='geo:0,0?q=Granvej+78']").count() == 1

    # Cancel the 10:30: a page asks why; nothing chosen, nothing happens; then cancel, and undo.
    page.locator(f"#booking-{second.pk} >> text=Aflys…").click()
    expect(page.locator("h1")).to_have_text("Aflys besøget hos Poul Dahl")
    check(page, "cancel")
    page.click("button:has-text('Aflys besøget')")
    expect(page.locator(".alert-error")).to_be_focused()  # the error summary takes the focus
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.BOOKED
    page.check("text=Borgeren er syg eller indlagt")
    page.click("button:has-text('Aflys besøget')")
    expect(page.locator(".alert-success")).to_contain_text("er aflyst. Du kan fortryde")
    assert Booking.objects.get(pk=second.pk).cancel_reason == "citizen_ill"
    expect(page.locator(f"#booking-{second.pk}")).to_contain_text("Borgeren er syg eller indlagt")
    check(page, "Min dag with a cancelled visit")
    page.locator(f"#booking-{second.pk} >> text=Fortryd aflysningen").click()
    expect(page.locator(".alert-success")).to_contain_text("booket igen")
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.BOOKED

    # The 09:00: WHO-5 item by item, while the signal comes and goes.
    page.locator(f"#booking-{first.pk} >> text=Registrér besøg").click()
    expect(page.locator("h1")).to_have_text("Registrér besøg")
    page.check("text=Ensomhed og relationer")
    page.click("summary:has-text('Screeninger')")
    answers = ["Det meste af tiden (4)", "Det meste af tiden (4)", "Lidt mere end halvdelen af tiden (3)",
               "Lidt mere end halvdelen af tiden (3)", "Lidt mindre end halvdelen af tiden (2)"]  # fmt: skip
    for i, answer in enumerate(answers, start=1):
        page.locator(f"#screening-wellbeing fieldset:has(input[name='scr__wellbeing__item{i}'])").get_by_text(
            answer, exact=True
        ).click()
    expect(page.locator("#id_scr__wellbeing__score")).to_have_value("64")  # (4+4+3+3+2) x 4, not by hand
    # A follow-up row added, filled, and an empty one removed.
    page.click("summary:has-text('Opfølgning og samtykke')")
    page.click("button:has-text('Tilføj opfølgning')")
    expect(page.locator("#opf-rows fieldset:visible")).to_have_count(2)
    page.select_option("#id_opf-1-kind", "own_activity")
    page.fill("#id_opf-1-description", "Gågruppen tirsdag")
    page.locator("#opf-rows fieldset").first.locator("button:has-text('Fjern opfølgningen')").click()
    expect(page.locator("#opf-rows fieldset:visible")).to_have_count(1)
    page.locator("#id_note").press_sequentially("Inger taler om sin søster. ")
    page.locator("#id_duration_minutes").press("Enter")  # Enter does not send a half-filled visit
    expect(page.locator("#fhb-save-status")).to_contain_text("Kladde gemt", timeout=10_000)
    assert page.url.split("?")[0].endswith("/besoeg/ny/")
    check(page, "visit form")

    context.set_offline(True)
    page.locator("#id_note").press_sequentially("Hun vil gerne med i gågruppen.")
    expect(page.locator("#fhb-save-status")).to_contain_text("Gemt på enheden", timeout=10_000)
    page.click("button:has-text('Gem besøg')")
    expect(page.locator("#fhb-save-status")).to_contain_text("Ingen forbindelse")
    assert "Hun vil gerne" not in Visit.objects.get().note  # the server has only the first part
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#fhb-save-status")).to_contain_text("Kladde gemt", timeout=10_000)
    assert Visit.objects.get().note == "Inger taler om sin søster. Hun vil gerne med i gågruppen."
    key = f"fhb-visit:visit:{anna.pk}:new:{inger.pk}"
    assert page.evaluate(f"localStorage.getItem('{key}') !== null")

    # The tab closed and opened again: the device copy is put back.
    page.goto(f"{url}/borgere/{inger.pk}/besoeg/ny/?booking={first.pk}")
    expect(page.locator("#fhb-save-status")).to_contain_text("Gendannet fra enheden")
    expect(page.locator("#id_note")).to_have_value("Inger taler om sin søster. Hun vil gerne med i gågruppen.")
    page.click("button:has-text('Gem besøg')")
    expect(page.locator(".alert-success")).to_contain_text("Besøget er registreret.")
    assert "/min-dag/" in page.url  # back to the day
    visit = Visit.objects.get()
    assert not visit.is_draft and visit.themes == ["loneliness"]
    assert Screening.objects.get(visit=visit).values["score"] == 64
    assert list(visit.follow_ups.values_list("kind", "description")) == [("own_activity", "Gågruppen tirsdag")]
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.COMPLETED
    page.wait_for_function(f"localStorage.getItem('{key}') === null", timeout=5_000)  # gone once the server has it
    check(page, "Min dag after a visit")

    # The last visit of the day: Ruth declined at the door.
    page.locator(f"#booking-{last.pk} >> text=Registrér besøg").click()
    page.check("text=Takket nej")
    page.click("button:has-text('Gem besøg')")
    expect(page.locator(".alert-success")).to_contain_text("Besøget er registreret.")
    assert Booking.objects.filter(status=BookingStatus.COMPLETED).count() == 2

    # The day sheet: one printed page, no navigation or buttons.
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible() and not page.locator(".fhb-booking-actions").first.is_visible()
    if size == "tablet":  # Chromium's print to PDF, with the print stylesheet
        pdf = page.pdf(format="A4", print_background=True)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    page.emulate_media(media="screen")

    # Something typed and never saved stays on the device only until "Log af".
    page.goto(f"{url}/borgere/{inger.pk}/besoeg/ny/")
    page.locator("#id_note").press_sequentially("Ringer i morgen")
    stored = "Object.keys(localStorage).filter(k => k.startsWith('fhb-visit:')).length"
    assert page.evaluate(stored) == 1
    page.click("button:has-text('Log af')")
    page.wait_for_url(f"{url}/login/**")
    assert page.evaluate(stored) == 0
    context.close()
