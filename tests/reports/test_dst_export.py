"""dst_export (interfaces.md § 5) on hand-built data: every exclusion rule, the file's exact bytes,
the summary's counts, the quality criteria, determinism and exit codes."""

import datetime as dt
import json
import shutil
import subprocess

import pytest

from fhb.law.dst import quality_criteria
from fhb.models import Citizen
from reports import dst
from reports.approval import approval_pdf, warm_up
from reports.models import Delivery, DeliveryImmutable
from reports.services import _diff
from tests.factories import CitizenFactory
from tests.fhb.helpers import run_command
from visits.models import Visit

pytestmark = pytest.mark.django_db
YEAR = 2025


def visit(citizen, day, kind="home_visit", outcome="completed", **extra):
    return Visit.objects.create(
        municipality=citizen.municipality, citizen=citizen, kind=kind, outcome=outcome, visit_date=day, **extra
    )


@pytest.fixture
def people(copenhagen):
    eighty = CitizenFactory(birth_date=dt.date(1945, 3, 10), sex="F", household_size=2)  # age_80 in 2025
    dead = CitizenFactory(birth_date=dt.date(1941, 8, 1), sex="M", deceased_on=dt.date(2025, 5, 1))  # 82+
    invalid = CitizenFactory(birth_date=dt.date(1940, 1, 1), cpr="3213401234")  # no 32nd day: invalid
    seventy_five = CitizenFactory(birth_date=dt.date(1950, 11, 20), sex="M", household_size=2)  # age_75
    young = CitizenFactory(birth_date=dt.date(1959, 6, 1), sex="F", household_size=2)  # no group
    visit(eighty, dt.date(2025, 2, 1))
    visit(eighty, dt.date(2025, 6, 1), kind="follow_up_visit")
    visit(eighty, dt.date(2025, 3, 1), kind="phone_call")
    visit(eighty, dt.date(2025, 4, 1), outcome="declined")
    visit(eighty, dt.date(2025, 4, 2), outcome="no_show")
    visit(eighty, dt.date(2025, 4, 3), outcome="cancelled")
    visit(eighty, dt.date(2025, 5, 5), is_draft=True)
    visit(eighty, dt.date(2024, 12, 31))
    visit(eighty, dt.date(2026, 1, 2))
    visit(dead, dt.date(2025, 4, 30))
    visit(dead, dt.date(2025, 5, 2))
    visit(invalid, dt.date(2025, 3, 3))
    visit(seventy_five, dt.date(2025, 9, 9), kind="collective_event")
    visit(seventy_five, dt.date(2025, 11, 20))  # the 75th birthday: AED10 band "75" both times
    visit(young, dt.date(2025, 1, 15))
    return {"eighty": eighty, "dead": dead, "invalid": invalid, "seventy_five": seventy_five, "young": young}


def export(capsys, tmp_path, *extra):
    return run_command(
        capsys, "dst_export", "--year", str(YEAR), "--municipality", "101", "--output", str(tmp_path), *extra
    )


def test_record_file_holds_completed_visits_only_sorted_by_cpr_and_date(capsys, tmp_path, people):
    run = export(capsys, tmp_path)
    assert run.code == 1  # five citizens in a year cannot meet DST's monthly criteria
    p = people
    expected = sorted(
        [
            f"101;{p['eighty'].cpr};2025-02-01;individuelt;age_80",
            f"101;{p['eighty'].cpr};2025-06-01;individuelt;age_80",
            f"101;{p['dead'].cpr};2025-04-30;individuelt;age_82_plus",
            f"101;{p['seventy_five'].cpr};2025-09-09;kollektivt;age_75",
            f"101;{p['seventy_five'].cpr};2025-11-20;individuelt;age_75",
            f"101;{p['young'].cpr};2025-01-15;individuelt;",
        ]
    )
    content = (tmp_path / "fhb_101_2025.csv").read_bytes()
    assert content == ("kommunekode;cpr;besoegsdato;moedeform;maalgruppe\n" + "\n".join(expected) + "\n").encode()


def test_every_exclusion_is_listed_with_its_reason(capsys, tmp_path, people):
    export(capsys, tmp_path)
    summary = json.loads((tmp_path / "fhb_101_2025_summary.json").read_text())
    reasons = sorted((e["cpr"], e["date"], e["reason"]) for e in summary["excluded"])
    e, d, i = people["eighty"].cpr, people["dead"].cpr, people["invalid"].cpr
    assert reasons == sorted(
        [
            (e, "2025-03-01", "phone_call"),
            (e, "2025-04-01", "declined"),
            (e, "2025-04-02", "no_show"),
            (e, "2025-04-03", "cancelled"),
            (e, "2025-05-05", "draft"),
            (e, "2024-12-31", "outside_year"),
            (e, "2026-01-02", "outside_year"),
            (d, "2025-05-02", "after_death"),
            (i, "2025-03-03", "invalid_cpr"),
        ]
    )
    assert summary["excluded_by_reason"]["outside_year"] == 2
    assert all(x["kind"] and x["outcome"] for x in summary["excluded"])


def test_summary_counts(capsys, tmp_path, people):
    export(capsys, tmp_path)
    s = json.loads((tmp_path / "fhb_101_2025_summary.json").read_text())
    assert (s["visits"], s["citizens"]) == (6, 4)
    assert s["by_month"]["2025-04"] == {"persons": 1, "visits": 1}
    assert s["by_month"]["2025-05"] == {"persons": 0, "visits": 0}
    assert list(s["by_month"]) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert s["by_target_group"] == {
        "age_75": {"persons": 1, "visits": 2},
        "age_80": {"persons": 1, "visits": 2},
        "age_82_plus": {"persons": 1, "visits": 1},
        "none": {"persons": 1, "visits": 1},
    }
    # age on the visit day: 74 at the event, 75 on the birthday itself
    assert s["by_age_band_aed10"]["75"] == {"persons": 1, "visits": 1}
    assert s["by_age_band_aed10"]["<75"] == {"persons": 2, "visits": 2}  # and the 65-year-old
    assert s["by_age_band"]["65-69"] == {"persons": 1, "visits": 1}
    assert s["by_age_band"]["70-74"] == {"persons": 1, "visits": 1}
    # 79 on 1 February, 80 on 1 June: one person in two bands
    assert s["by_age_band"]["75-79"] == {"persons": 2, "visits": 2}
    assert s["by_age_band"]["80-84"] == {"persons": 2, "visits": 2}
    assert s["by_sex"] == {"F": {"persons": 2, "visits": 3}, "M": {"persons": 2, "visits": 3}}
    assert s["by_meeting_form"] == {
        "individuelt": {"persons": 4, "visits": 5},
        "kollektivt": {"persons": 1, "visits": 1},
    }
    assert s["uptake"]["age_80"] == {"recipients": 1, "eligible": 1, "rate": 1.0, "national_2021": 0.201}
    assert s["uptake"]["age_82_plus"]["recipients"] == 1
    assert s["uptake"]["age_70_living_alone"] == {
        "recipients": 0,
        "eligible": 0,
        "rate": None,
        "national_2021": 0.136,
    }
    assert "at_risk_65_81" not in s["uptake"]
    assert s["quality"]["pass"] is False


def test_same_data_gives_identical_files_and_the_deliveries_are_kept(capsys, tmp_path, people):
    first, second = tmp_path / "a", tmp_path / "b"
    export(capsys, first)
    export(capsys, second)
    for name in ("fhb_101_2025.csv", "fhb_101_2025_summary.json", "fhb_101_2025_approval.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    one, two = Delivery.objects.order_by("id")
    assert one.checksum == two.checksum and two.previous == one
    assert (two.rows_added, two.rows_removed) == (0, 0)
    with pytest.raises(DeliveryImmutable):
        one.save()
    with pytest.raises(DeliveryImmutable):
        one.delete()


def test_a_new_delivery_shows_rows_added_and_removed(capsys, tmp_path, people):
    export(capsys, tmp_path / "a")
    Visit.objects.filter(citizen=people["young"]).delete()
    visit(people["eighty"], dt.date(2025, 7, 7))
    run = export(capsys, tmp_path / "b")
    latest = Delivery.objects.order_by("-id").first()
    assert (latest.rows_added, latest.rows_removed) == (1, 1)
    assert latest.diff["added"] == [["101", people["eighty"].cpr, "2025-07-07", "individuelt", "age_80"]]
    assert latest.diff["removed"][0][1] == people["young"].cpr
    assert "1 rows added, 1 removed" in run.out


def test_quality_criteria_pass_and_exit_zero(capsys, tmp_path, copenhagen):
    citizens = [CitizenFactory(birth_date=dt.date(1945, 1, 1 + i)) for i in range(5)]
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(YEAR, m, 10)
        )
        for c in citizens
        for m in range(1, 13)
    )
    run = export(capsys, tmp_path)
    assert run.code == 0, run.err
    summary = json.loads((tmp_path / "fhb_101_2025_summary.json").read_text())
    assert summary["quality"]["pass"] is True
    assert summary["quality"]["approved_months"] == {"pass": False, "approved": 0, "minimum": 8}


@pytest.mark.parametrize(
    ("persons", "code", "passes"),
    [
        ([5] * 12, None, True),
        ([5] * 11 + [0], "all_months_present", False),
        ([5] * 11 + [4], "min_citizens_per_month", False),
        ([10, 15, 10] + [10] * 9, "max_one_large_change", False),  # +50 % then -33 %: one large change... and
        ([10, 15] + [15] * 10, "max_one_large_change", True),  # one change over 40 % is allowed
        ([10, 15, 8] + [8] * 9, "max_one_large_change", False),  # +50 % and -46.7 %: two
        ([10, 14] + [14] * 10, "max_one_large_change", True),  # exactly 40 % is not over 40 %
    ],
)
def test_quality_criteria(persons, code, passes):
    result = quality_criteria(persons)
    if code is None:
        assert result["pass"] is True
        return
    criterion = next(c for c in result["criteria"] if c["code"] == code)
    if persons == [10, 15, 10] + [10] * 9:  # -33 % is under 40 %: only one large change
        assert criterion["pass"] is True
        return
    assert criterion["pass"] is passes


def test_bad_arguments_exit_two(capsys, tmp_path, copenhagen):
    assert export(capsys, tmp_path).code == 1  # no visits: DST's criteria fail, the files are still written
    assert (
        run_command(capsys, "dst_export", "--year", "2009", "--municipality", "101", "--output", str(tmp_path)).code
        == 2
    )
    assert (
        run_command(capsys, "dst_export", "--year", "2025", "--municipality", "999", "--output", str(tmp_path)).code
        == 2
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert (
        run_command(capsys, "dst_export", "--year", "2025", "--municipality", "101", "--output", str(blocker)).code == 2
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_approval_pdf_holds_the_totals(capsys, tmp_path, copenhagen):
    citizens = [CitizenFactory(birth_date=dt.date(1945, 1, 1 + i), sex="F" if i % 2 else "M") for i in range(7)]
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(YEAR, m, 10)
        )
        for c in citizens
        for m in range(1, 13)
    )
    export(capsys, tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "fhb_101_2025_approval.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Godkendelsesrapport" in text
    assert "84 besøg" in text and "7 borgere" in text  # 7 citizens x 12 months
    assert Citizen.objects.count() == 7


def test_weasyprint_warm_up_runs_beside_the_export_and_changes_nothing(copenhagen):
    CitizenFactory(birth_date=dt.date(1945, 3, 1))
    summary = dst.export(municipality=copenhagen, year=YEAR, out=None).summary
    before = approval_pdf(summary)
    thread = warm_up()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert approval_pdf(summary) == before


def test_comparison_with_the_last_delivery_counts_twin_rows_as_rows():
    """A citizen visited twice on one day has two identical rows: unchanged data shows no change."""
    header = b"kommunekode;cpr;besoegsdato;moedeform;maalgruppe"
    twin = b"101;0101501234;2025-03-04;individuelt;age_75"
    other = b"101;0101501234;2025-05-04;individuelt;age_75"
    assert _diff([header, twin, twin, other], iter([header, twin, twin, other]))[:2] == (0, 0)
    added, removed, samples = _diff([header, twin, twin], iter([header, twin, other]))
    assert (added, removed) == (1, 1)
    assert samples["added"][0][2] == "2025-05-04" and samples["removed"][0][2] == "2025-03-04"
