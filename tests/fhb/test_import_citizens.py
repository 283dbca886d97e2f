"""interfaces.md § 1: import_citizens, to the letter."""

import csv
import datetime as dt

import pytest

from fhb.models import Citizen, RiskEvent

from .helpers import run_command

HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"
ROW_A = "010149-1235;Inger;Jensen;Testvej 1;2100;København Ø;101;1"
ROW_B = "0202501234;Poul;Hansen;Testvej 2;2100;København Ø;101;2"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name="extract.csv", encoding="utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


def test_creates_then_unchanged_on_reimport(db, capsys, write):
    path = write(f"{HEADER}\n{ROW_A}\n{ROW_B}\n")
    first = run_command(capsys, "import_citizens", path)
    assert first.code == 0
    assert first.last_line == "created 2, updated 0, unchanged 0, rejected 0"
    inger = Citizen.objects.get(cpr="0101491235")
    assert (inger.birth_date, inger.sex, inger.household_size, inger.municipality.code) == (
        dt.date(1949, 1, 1),
        "M",
        1,
        "101",
    )
    history_rows = Citizen.history.count()
    second = run_command(capsys, "import_citizens", path)
    assert second.last_line == "created 0, updated 0, unchanged 2, rejected 0"
    assert Citizen.history.count() == history_rows  # nothing changed, nothing recorded


def test_update_counts_and_history_without_cpr(db, capsys, write):
    run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n{ROW_B}\n"))
    changed = ROW_A.replace(";1\n", ";2\n").replace("Testvej 1", "Nyvej 9")
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{changed}\n{ROW_B}\n", "v2.csv"))
    assert result.last_line == "created 0, updated 1, unchanged 1, rejected 0"
    inger = Citizen.objects.get(cpr="0101491235")
    assert inger.address == "Nyvej 9"
    latest = inger.history.first()
    assert latest.history_type == "~" and latest.address == "Nyvej 9"
    assert "cpr" not in {f.name for f in Citizen.history.model._meta.get_fields()}


def test_comma_delimiter_bom_and_column_order(db, capsys, write):
    text = "\ufeffmunicipality_code,household_size,cpr,first_name,last_name,address,postal_code,city,extra\n"
    text += '101,1,0101491235,Inger,Jensen,"Testvej 1, st. tv.",2100,København Ø,ignored\n'
    result = run_command(capsys, "import_citizens", write(text))
    assert result.code == 0, result.err
    assert Citizen.objects.get().address == "Testvej 1, st. tv."


def test_row_errors_name_row_column_value_and_reason(db, capsys, write, tmp_path):
    bad_cpr = "3102491234;Ugyldig;Dato;Testvej 3;2100;København Ø;101;1"
    bad_postal = "0303501234;Kaj;Post;Testvej 4;21000;København Ø;101;1"
    bad_two = "0404501234;To;Fejl;Testvej 5;2100;København Ø;999;0"
    errors_csv = tmp_path / "errors.csv"
    result = run_command(
        capsys,
        "import_citizens",
        write(f"{HEADER}\n{ROW_A}\n{bad_cpr}\n{bad_postal}\n{bad_two}\n"),
        "--errors",
        str(errors_csv),
    )
    assert result.code == 1
    assert result.last_line == "created 1, updated 0, unchanged 0, rejected 3"
    assert "row 3, column cpr, value '3102491234'" in result.err and "fødselsdato" in result.err
    assert "row 4, column postal_code, value '21000'" in result.err
    assert "row 5, column municipality_code" in result.err and "row 5, column household_size" in result.err
    rows = list(csv.DictReader(errors_csv.open(encoding="utf-8"), delimiter=";"))
    assert [(r["row"], r["column"]) for r in rows] == [
        ("3", "cpr"),
        ("4", "postal_code"),
        ("5", "municipality_code"),
        ("5", "household_size"),
    ]
    assert all(r["reason"] for r in rows)
    assert Citizen.objects.count() == 1  # valid rows applied, the invalid ones rejected whole


def test_strict_applies_nothing_when_a_row_is_invalid(db, capsys, write):
    bad = "0303501234;Kaj;Post;Testvej 4;21000;København Ø;101;1"
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n{bad}\n"), "--strict")
    assert result.code == 1
    assert result.last_line == "created 0, updated 0, unchanged 0, rejected 1"
    assert Citizen.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "tom"),
        ("cpr;first_name\n0101491235;Inger\n", "mangler de påkrævede kolonner: last_name, address"),
        (f"{HEADER};cpr\n", "mere end én gang"),
    ],
)
def test_unusable_file_exits_2_and_changes_nothing(db, capsys, write, content, message):
    result = run_command(capsys, "import_citizens", write(content))
    assert result.code == 2
    assert message in result.err
    assert Citizen.objects.count() == 0


def test_non_utf8_file_exits_2(db, capsys, write):
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n", encoding="latin-1"))
    assert result.code == 2 and "UTF-8" in result.err
    assert Citizen.objects.count() == 0


def test_missing_file_exits_2(db, capsys, tmp_path):
    assert run_command(capsys, "import_citizens", str(tmp_path / "nope.csv")).code == 2


def test_absent_column_keeps_value_but_empty_cell_clears(db, capsys, write):
    header = f"{HEADER};phone;practical_help"
    run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};12345678;ja\n"))
    citizen = Citizen.objects.get()
    assert (citizen.phone, citizen.practical_help) == ("12345678", True)
    run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n", "absent.csv"))
    citizen.refresh_from_db()
    assert (citizen.phone, citizen.practical_help) == ("12345678", True)
    result = run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};;\n", "empty.csv"))
    assert result.last_line == "created 0, updated 1, unchanged 0, rejected 0"
    citizen.refresh_from_db()
    assert (citizen.phone, citizen.practical_help) == ("", False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("ja", True),
        ("true", True),
        ("yes", True),
        ("0", False),
        ("nej", False),
        ("false", False),
        ("no", False),
        ("", False),
    ],
)
def test_booleans(db, capsys, write, value, expected):
    run_command(capsys, "import_citizens", write(f"{HEADER};personal_care\n{ROW_A};{value}\n"))
    assert Citizen.objects.get().personal_care is expected


def test_dates_in_both_formats_and_widowed_creates_risk_event(db, capsys, write):
    header = f"{HEADER};civil_status;civil_status_date;moved_out_on"
    result = run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};E;03-02-2026;2026-04-01\n"))
    assert result.code == 0, result.err
    citizen = Citizen.objects.get()
    assert citizen.civil_status_date == dt.date(2026, 2, 3)
    assert citizen.moved_out_on == dt.date(2026, 4, 1)
    event = RiskEvent.objects.get()
    assert (event.risk_group.code, event.registered_on, event.source) == ("widowed", dt.date(2026, 2, 3), "registry")
    run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};E;03-02-2026;2026-04-01\n", "again.csv"))
    assert RiskEvent.objects.count() == 1  # idempotent


def test_change_to_widowed_on_reimport_creates_event(db, capsys, write):
    header = f"{HEADER};civil_status;civil_status_date"
    run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};G;1975-06-01\n"))
    assert RiskEvent.objects.count() == 0
    run_command(capsys, "import_citizens", write(f"{header}\n{ROW_A};E;2026-09-10\n", "v2.csv"))
    assert list(RiskEvent.objects.values_list("risk_group__code", "registered_on")) == [
        ("widowed", dt.date(2026, 9, 10))
    ]


def test_duplicate_cpr_in_file_is_rejected(db, capsys, write):
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n{ROW_A.replace('Inger', 'Anden')}\n"))
    assert result.last_line == "created 1, updated 0, unchanged 0, rejected 1"
    assert "står også i række 2" in result.err


def test_dates_before_birth_are_rejected(db, capsys, write):
    result = run_command(capsys, "import_citizens", write(f"{HEADER};moved_out_on\n{ROW_A};1940-01-01\n"))
    assert result.code == 1 and "før borgerens fødselsdato" in result.err


def test_short_row_is_rejected(db, capsys, write):
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n0202501234;Poul\n"))
    assert result.last_line == "created 1, updated 0, unchanged 0, rejected 1"
    assert "row 3, column *" in result.err


def test_same_cpr_in_two_municipalities_are_two_records(db, capsys, write):
    other = ROW_A.replace(";101;", ";147;")
    result = run_command(capsys, "import_citizens", write(f"{HEADER}\n{ROW_A}\n{other}\n"))
    assert result.last_line == "created 2, updated 0, unchanged 0, rejected 0"


def test_civil_status_dead_without_death_column_sets_death_date(db, capsys, write):
    run_command(capsys, "import_citizens", write(f"{HEADER};civil_status;civil_status_date\n{ROW_A};D;2026-01-05\n"))
    assert Citizen.objects.get().deceased_on == dt.date(2026, 1, 5)


def test_an_error_repeats_at_most_the_start_of_a_huge_cell(db, capsys, write):
    huge = "x" * 100_000
    run = run_command(
        capsys, "import_citizens", write(f"{HEADER}\n010149-1235;Inger;Jensen;Testvej 1;{huge};By;101;1\n")
    )
    assert run.code == 1 and len(run.err) < 400
    assert "x" * 80 + "… (100.000 tegn)" in run.err


def test_a_json_file_that_is_not_utf8_is_not_told_to_be_csv(db, capsys, tmp_path):
    path = tmp_path / "standard.json"
    path.write_bytes('{"municipality_code": "101", "year": 2026, "note": "Ærø"}'.encode("latin-1"))
    run = run_command(capsys, "import_quality_standard", str(path))
    assert run.code == 2 and "Gem den med tegnsættet UTF-8" in run.err and "CSV" not in run.err
