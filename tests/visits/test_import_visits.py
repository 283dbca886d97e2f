"""interfaces.md § 3: import_visits, to the letter; and visits moving the year's offer."""

import datetime as dt

import pytest

from fhb.models import Offer, OfferStatus
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, UserFactory
from tests.fhb.helpers import run_command
from visits.models import Visit

HEADER = "cpr;date;kind;outcome;consultant;note"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name="visits.csv") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def inger(db):
    return CitizenFactory(cpr="0101441235", birth_date=dt.date(1944, 1, 1), first_name="Inger")


def run(capsys, *args):
    return run_command(capsys, "import_visits", *args)


def test_import_creates_then_is_unchanged_and_keeps_unknown_consultants_by_name(capsys, write, inger):
    UserFactory(username="mette", first_name="Mette", last_name="Kristensen")
    text = (
        f"{HEADER}\n0101441235;2025-03-04;home_visit;completed;mette;Snak om fald\n"
        "010144-1235;05-03-2025;phone_call;completed;Mette Kristensen;\n"
        "0101441235;2024-06-01;home_visit;declined;Tidligere Konsulent;\n"
    )
    result = run(capsys, write(text))
    assert result.code == 0, result.err
    assert result.last_line == "created 3, updated 0, unchanged 0, rejected 0"
    visits = {v.visit_date: v for v in Visit.objects.all()}
    assert visits[dt.date(2025, 3, 4)].consultant.username == "mette"
    assert visits[dt.date(2025, 3, 5)].consultant.username == "mette"  # matched by full name
    assert (visits[dt.date(2024, 6, 1)].consultant, visits[dt.date(2024, 6, 1)].consultant_name) == (
        None,
        "Tidligere Konsulent",
    )
    assert run(capsys, write(text)).last_line == "created 0, updated 0, unchanged 3, rejected 0"
    changed = text.replace("Snak om fald", "Snak om ensomhed")
    assert run(capsys, write(changed, "v2.csv")).last_line == "created 0, updated 1, unchanged 2, rejected 0"


def test_row_errors(capsys, write, inger, tmp_path):
    inger.deceased_on = dt.date(2025, 6, 1)
    inger.save()
    rows = [
        "0101441235;2025-07-01;home_visit;completed;;",  # after death
        "0101441235;1943-01-01;home_visit;completed;;",  # before birth
        "0101441235;2099-01-01;home_visit;completed;;",  # future
        "0101441235;2025-01-01;coffee;completed;;",
        "0101441235;2025-01-01;home_visit;maybe;;",
        "0202501234;2025-01-01;home_visit;completed;;",  # unknown citizen
    ]
    result = run(capsys, write(HEADER + "\n" + "\n".join(rows) + "\n"), "--errors", str(tmp_path / "e.csv"))
    assert result.code == 1 and result.last_line == "created 0, updated 0, unchanged 0, rejected 6"
    for fragment in [
        "row 2, column date",
        "efter borgerens død",
        "row 3, column date",
        "før borgerens fødselsdato",
        "row 4, column date",
        "fremtiden",
        "row 5, column kind",
        "row 6, column outcome",
        "row 7, column cpr",
        "findes ikke",
    ]:
        assert fragment in result.err
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").startswith("row;column;value;reason")


def test_strict_and_unusable_file(capsys, write, inger):
    text = f"{HEADER}\n0101441235;2025-03-04;home_visit;completed;;\n0101441235;2025-03-04;nope;completed;;\n"
    result = run(capsys, write(text), "--strict")
    assert result.code == 1 and Visit.objects.count() == 0
    assert run(capsys, write("cpr;date\n0101441235;2025-01-01\n", "bad.csv")).code == 2


def test_completed_visit_moves_the_offer_declined_too_but_calls_do_not(capsys, write, inger, db):
    # All three turn 82 or more in 2026: each has an offer that year.
    other = CitizenFactory(cpr="0202441234", birth_date=dt.date(1944, 2, 2))
    caller = CitizenFactory(cpr="0303441234", birth_date=dt.date(1944, 3, 3))
    offers_sync(municipality=inger.municipality, year=2026, as_of=dt.date(2026, 1, 1))
    text = (
        f"{HEADER}\n0101441235;2026-03-04;home_visit;completed;;\n"
        "0202441234;2026-03-04;collective_event;declined;;\n"
        "0303441234;2026-03-04;phone_call;completed;;\n"
    )
    assert run(capsys, write(text)).code == 0
    status = {o.citizen_id: o.status for o in Offer.objects.filter(year=2026)}
    assert status == {inger.pk: OfferStatus.VISITED, other.pk: OfferStatus.DECLINED, caller.pk: OfferStatus.DUE}
    last = Offer.objects.get(citizen=inger, year=2026).transitions.last()
    assert (last.from_status, last.to_status, last.note) == ("due", "visited", "Besøg registreret")


def test_visits_upload_page_and_citizen_page(client, inger, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from fhb.models import ImportJob, Role

    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    client.force_login(admin)
    content = f"{HEADER}\n0101441235;2025-03-04;home_visit;completed;Gammel Konsulent;\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-list"), {"kind": "visits", "file": SimpleUploadedFile("b.csv", content)})
    job = ImportJob.objects.get()
    assert (job.status, job.created) == ("done", 1)
    page = client.get(reverse("citizen-detail", args=[inger.pk])).content.decode()
    assert "Forebyggende hjemmebesøg" in page and "04-03-2025" in page and "Gammel Konsulent" in page
