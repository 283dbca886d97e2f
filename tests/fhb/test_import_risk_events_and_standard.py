"""interfaces.md §§ 2 and 6: import_risk_events and import_quality_standard."""

import datetime as dt
import json

import pytest

from fhb.models import QualityStandard, RiskEvent, RiskGroup
from tests.factories import CitizenFactory

from .helpers import run_command

HEADER = "cpr;risk_group;registered_on;source;note"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name="file.csv") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_risk_events_upsert(db, capsys, write):
    citizen = CitizenFactory(cpr="0101491235", birth_date=dt.date(1949, 1, 1))
    path = write(f"{HEADER}\n010149-1235;lonely;2026-03-01;concern_referral;Nabo ringede\n")
    first = run_command(capsys, "import_risk_events", path)
    assert first.code == 0 and first.last_line == "created 1, updated 0, unchanged 0, rejected 0"
    event = RiskEvent.objects.get(citizen=citizen)
    assert (event.risk_group.code, event.source, event.note) == ("lonely", "concern_referral", "Nabo ringede")
    assert run_command(capsys, "import_risk_events", path).last_line == "created 0, updated 0, unchanged 1, rejected 0"
    changed = write(f"{HEADER}\n0101491235;lonely;01-03-2026;concern_referral;Datter ringede\n", "v2.csv")
    assert (
        run_command(capsys, "import_risk_events", changed).last_line == "created 0, updated 1, unchanged 0, rejected 0"
    )


def test_risk_event_row_errors(db, capsys, write, frederiksberg):
    CitizenFactory(cpr="0101491235", birth_date=dt.date(1949, 1, 1))
    rows = [
        "0202501234;lonely;2026-03-01;;",  # unknown citizen
        "0101491235;no_such_group;2026-03-01;;",
        "0101491235;lonely;2099-01-01;;",  # future
        "0101491235;lonely;1940-01-01;;",  # before birth
        "0101491235;lonely;2026-03-01;gossip;",  # bad source
    ]
    result = run_command(capsys, "import_risk_events", write(HEADER + "\n" + "\n".join(rows) + "\n"))
    assert result.code == 1
    assert result.last_line == "created 0, updated 0, unchanged 0, rejected 5"
    for fragment in [
        "row 2, column cpr",
        "findes ikke",
        "row 3, column risk_group",
        "row 4, column registered_on",
        "fremtiden",
        "row 5, column registered_on",
        "row 6, column source",
    ]:
        assert fragment in result.err


def test_municipality_defined_group_only_for_that_municipality(db, capsys, write, copenhagen, frederiksberg):
    RiskGroup.objects.create(municipality=frederiksberg, code="caregiver_burden", label="Pårørende")
    CitizenFactory(cpr="0101491235", birth_date=dt.date(1949, 1, 1))  # lives in Copenhagen
    result = run_command(capsys, "import_risk_events", write(f"{HEADER}\n0101491235;caregiver_burden;2026-03-01;;\n"))
    assert result.code == 1 and "ukendt risikogruppe" in result.err


def test_strict_risk_events(db, capsys, write):
    CitizenFactory(cpr="0101491235", birth_date=dt.date(1949, 1, 1))
    text = f"{HEADER}\n0101491235;lonely;2026-03-01;;\n0101491235;bogus;2026-03-01;;\n"
    result = run_command(capsys, "import_risk_events", write(text), "--strict")
    assert result.code == 1 and RiskEvent.objects.count() == 0


STANDARD = {
    "municipality_code": "101",
    "year": 2026,
    "exempt_personal_care_and_practical_help": True,
    "risk_window_months": 18,
    "risk_groups": [
        {"code": "widowed"},
        {"code": "lonely"},
        {"code": "caregiver_burden", "label": "Pårørende med stor plejebyrde"},
    ],
    "invitations": {"age_75": "collective_event", "age_80": "date_letter"},
}


def test_quality_standard_import_and_replace(db, capsys, write):
    path = write(json.dumps(STANDARD), "standard.json")
    result = run_command(capsys, "import_quality_standard", path)
    assert result.code == 0 and result.last_line == "created quality standard 101 2026"
    standard = QualityStandard.objects.get(municipality__code="101", year=2026)
    assert standard.exemption == "personal_care_and_practical_help" and standard.risk_window_months == 18
    # 2026: no statutory § 83 exemption any more; leaving them out is the municipality's own choice
    assert standard.exemption_legal_basis == "Ældreloven § 4: kommunens eget valg (ingen lovbestemt fritagelse)"
    assert sorted(standard.risk_groups.values_list("code", flat=True)) == ["caregiver_burden", "lonely", "widowed"]
    local = RiskGroup.objects.get(code="caregiver_burden")
    assert local.municipality.code == "101" and local.label == "Pårørende med stor plejebyrde"
    replaced = dict(STANDARD, exempt_personal_care_and_practical_help=False, risk_groups=[{"code": "widowed"}])
    result = run_command(capsys, "import_quality_standard", write(json.dumps(replaced), "v2.json"))
    assert result.last_line == "replaced quality standard 101 2026"
    standard.refresh_from_db()
    assert standard.exemption == ""
    assert list(standard.risk_groups.values_list("code", flat=True)) == ["widowed"]
    assert QualityStandard.objects.count() == 1


def test_quality_standard_defaults(db, capsys, write):
    run_command(capsys, "import_quality_standard", write(json.dumps({"municipality_code": "101", "year": 2026})))
    standard = QualityStandard.objects.get()
    assert standard.exemption == "" and standard.risk_window_months == 12
    assert standard.risk_groups.count() == 10  # every built-in group


def test_local_deviation_needs_legal_basis(db, capsys, write):
    langeland = dict(STANDARD, municipality_code="482", risk_groups=[{"code": "widowed"}])
    langeland["deviations"] = [{"code": "exempt_practical_help", "legal_basis": "Velfærdsaftale, Langeland Kommune"}]
    assert run_command(capsys, "import_quality_standard", write(json.dumps(langeland), "l.json")).code == 0
    standard = QualityStandard.objects.get(municipality__code="482")
    assert (standard.exemption, standard.exemption_legal_basis) == (
        "practical_help",
        "Velfærdsaftale, Langeland Kommune",
    )
    langeland["deviations"] = [{"code": "exempt_practical_help"}]
    result = run_command(capsys, "import_quality_standard", write(json.dumps(langeland), "l2.json"))
    assert result.code == 2 and "kræver en hjemmel" in result.err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("not json", "ikke gyldig JSON"),
        (json.dumps([1]), "ét JSON-objekt"),
        (json.dumps(dict(STANDARD, municipality_code="999")), "municipality_code"),
        (json.dumps(dict(STANDARD, year=2005)), "year"),
        (json.dumps(dict(STANDARD, risk_groups=[{"code": "my_group"}])), "kræver en label"),
        (json.dumps(dict(STANDARD, invitations={"age_80": "pigeon"})), "ukendt invitationsform"),
        (json.dumps(dict(STANDARD, invitations={"age_99": "date_letter"})), "ukendt målgruppe"),
        (json.dumps(dict(STANDARD, risk_window_months="12")), "risk_window_months"),
    ],
)
def test_invalid_quality_standard_exits_2_and_stores_nothing(db, capsys, write, doc, message):
    result = run_command(capsys, "import_quality_standard", write(doc, "bad.json"))
    assert result.code == 2
    assert message in result.err
    assert QualityStandard.objects.count() == 0
    assert not RiskGroup.objects.filter(municipality__isnull=False).exists()
