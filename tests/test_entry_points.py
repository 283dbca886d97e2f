"""The same operation gives the same result whatever starts it: the command line, the web page or
the API. Each test runs one operation from each of its entry points on the same data and compares
the state it leaves."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fhb.models import Citizen, District, Offer, RiskGroup, Role
from fhb.offers import offers_sync
from invitations import batches
from invitations.models import BatchStatus, LetterBatch
from reports.models import Delivery
from tests.factories import CitizenFactory, UserFactory
from tests.fhb.helpers import run_command
from visits.models import ConsultantCalendar, Visit

pytestmark = pytest.mark.django_db
HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"
# In December: one turns 80 this year (2026), one next year (2027) and one lives alone and turns 70 next year.
EXTRACT = (
    f"{HEADER}\n"
    "0303461234;Inger;Jensen;Testvej 1;2100;København Ø;101;2\n"
    "0404471235;Poul;Hansen;Testvej 2;2100;København Ø;101;2\n"
    "0505571236;Bodil;Nielsen;Testvej 3;2100;København Ø;101;1\n"
)


@pytest.fixture(autouse=True)
def december():
    with time_machine.travel("2026-12-07 09:00", tick=False):
        yield


def offers() -> list[tuple]:
    return sorted(Offer.objects.values_list("citizen__cpr", "year", "status", "groups", "letter_kind"))


def test_registry_import_syncs_offers_alike_from_the_command_and_the_page(
    capsys, tmp_path, client, copenhagen, django_capture_on_commit_callbacks
):
    path = tmp_path / "extract.csv"
    path.write_text(EXTRACT)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_command(capsys, "import_citizens", str(path)).code == 0
    from_command = offers()
    assert {year for _, year, *_ in from_command} == {2026, 2027}  # this year and next, as the nightly job
    assert len(from_command) == 3

    Offer.objects.all().delete()
    Citizen.objects.all().delete()
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-list"), {"kind": "citizens", "file": SimpleUploadedFile("x.csv", EXTRACT.encode())})
    assert offers() == from_command


def test_a_risk_event_by_hand_brings_the_offer_in_line_as_a_referral_does(client, copenhagen):
    """A 70-year-old with a partner is in no group until a risk event makes them at risk."""
    consultant = UserFactory(role=Role.CONSULTANT)
    client.force_login(consultant)
    by_page, by_api, by_referral = (CitizenFactory(birth_date=dt.date(1956, 6, 1), household_size=2) for _ in range(3))
    offers_sync(municipality=copenhagen, year=2026)
    assert not Offer.objects.exists()

    lonely = RiskGroup.objects.get(municipality=None, code="lonely")
    page = client.post(
        reverse("citizen-detail", args=[by_page.pk]),
        {"risk_group": lonely.pk, "registered_on": "2026-12-01", "source": "other", "note": "Naboen ringede"},
        follow=True,
    )
    assert "Borgeren står nu på listen over borgere, der skal tilbydes besøg i år." in page.content.decode()
    api = client.post(
        reverse("api:riskevent-list"),
        {"citizen": by_api.pk, "risk_group": "lonely", "registered_on": "2026-12-01"},
        content_type="application/json",
    )
    assert api.status_code == 201
    client.post(
        reverse("citizen-referral", args=[by_referral.pk]),
        {"kind": "concern_referral", "received_on": "2026-12-01", "referrer": "Datteren"},
    )
    rows = {o.citizen_id: (o.year, o.status, o.primary_group) for o in Offer.objects.all()}
    assert rows == {c.pk: (2026, "due", "at_risk_65_81") for c in (by_page, by_api, by_referral)}


@pytest.fixture
def year_of_visits(copenhagen):
    citizens = [CitizenFactory(birth_date=dt.date(1945, 1, 1 + i)) for i in range(6)]
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(2025, m, 9)
        )
        for c in citizens
        for m in range(1, 13)
    )


def test_dst_delivery_is_the_same_from_the_command_the_page_and_the_api(
    capsys, tmp_path, client, year_of_visits, django_capture_on_commit_callbacks
):
    run = run_command(capsys, "dst_export", "--year", "2025", "--municipality", "101", "--output", str(tmp_path))
    assert run.code == 0
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("delivery-create"), {"aar": "2025"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api:delivery-list"), {"year": 2025}, content_type="application/json")
    deliveries = list(Delivery.objects.order_by("id"))
    assert [d.source for d in deliveries] == ["command", "web", "api"]
    assert {(d.status, d.checksum, d.visits, d.citizens) for d in deliveries} == {
        ("done", deliveries[0].checksum, 72, 6)
    }


def test_a_delivery_under_way_holds_the_command_back_as_it_holds_the_page(
    capsys, tmp_path, client, copenhagen, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    running = Delivery.objects.create(  # under way: its worker was heard from just now (fhb.jobs)
        municipality=copenhagen, year=2025, status=Delivery.Status.RUNNING, heartbeat_at=timezone.now()
    )
    run = run_command(capsys, "dst_export", "--year", "2025", "--municipality", "101", "--output", str(tmp_path))
    assert run.code == 2 and f"Indberetning #{running.pk} for 2025 dannes allerede" in run.err
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("delivery-create"), {"aar": "2025"})
    assert page.url == reverse("delivery-detail", args=[running.pk])  # the one under way
    assert Delivery.objects.count() == 1


@pytest.fixture
def approved_batch(copenhagen, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    consultant = UserFactory(role=Role.CONSULTANT, phone="33 66 00 00")
    ConsultantCalendar.objects.create(consultant=consultant, weekdays=[0, 1, 2, 3, 4]).districts.add(
        District.objects.create(municipality=copenhagen, name="Alle", postal_codes=["2100"])
    )
    leader = UserFactory(role=Role.TEAM_LEADER)

    def make():
        for i in range(3):
            CitizenFactory(birth_date=dt.date(1947, 2, 1 + i), digital_post_exempt=i == 0)
        offers_sync(municipality=copenhagen, year=2027)
        batch = batches.batch_plan(
            municipality=copenhagen, user=leader, period_start=dt.date(2027, 1, 11), period_end=dt.date(2027, 1, 29),
            groups=["age_80"], letter_kinds={"age_80": "date_letter"},
        )  # fmt: skip
        return batches.batch_approve(batch=batch, user=leader), leader

    return make


def rendered(batch: LetterBatch) -> tuple:
    batch.refresh_from_db()
    letters = list(batch.letters.order_by("id"))
    return (
        batch.status,
        batch.message,
        batch.letters_done,
        batch.letters_total,
        batch.progress_at is not None,
        batch.rendered_at is not None,
        bool(batch.print_pdf),
        bool(batch.manifest_json),
        bool(batch.manifest_csv),
        [(bool(letter.pdf), len(letter.sha256), letter.pages) for letter in letters],
    )


def test_render_letters_goes_through_the_service_approval_starts(
    capsys, approved_batch, django_capture_on_commit_callbacks
):
    by_command, _ = approved_batch()  # approved; the rendering it queued never ran
    assert LetterBatch.objects.get(pk=by_command.pk).status == BatchStatus.APPROVED
    run = run_command(capsys, "render_letters", str(by_command.pk))
    assert run.code == 0 and run.out.splitlines()[-1] == f"batch {by_command.pk}: Klar til afsendelse"

    with django_capture_on_commit_callbacks(execute=True):
        by_approval, _ = approved_batch()
    assert rendered(by_command) == rendered(by_approval)
    assert rendered(by_command)[0] == BatchStatus.READY
