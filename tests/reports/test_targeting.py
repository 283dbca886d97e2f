"""How the targeting works (Ældreloven § 4, the committee's report): per target group, this year
beside the year before — invited, visited, declined, uptake by letter kind, follow-ups and
referrals, and home help started within 12 months of the visit (from the registry's history)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fhb.models import Offer, QualityStandard
from reports.targeting import council_rows, targeting
from tests.factories import CitizenFactory
from visits.models import FollowUp, Visit

pytestmark = pytest.mark.django_db

GROUPS_2026 = [
    {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89}, "risk_groups": ["widowed"]},
    {"code": "no_help_80_plus", "label": "80+ uden hjemmehjælp", "age": {"from": 80}, "receives_help": False},
]


def offer(municipality, citizen, year, groups, status, kind="date_letter"):
    return Offer.objects.create(
        municipality=municipality,
        citizen=citizen,
        year=year,
        groups="|" + "|".join(groups) + "|",
        primary_group=sorted(groups)[0],
        status=status,
        letter_kind=kind,
        birth_date=citizen.birth_date,
    )


def visit(municipality, citizen, day):
    return Visit.objects.create(
        municipality=municipality, citizen=citizen, visit_date=day, kind="home_visit", outcome="completed"
    )


@pytest.fixture
def two_years(copenhagen):
    """2025 under the statutory groups, 2026 under two groups of the municipality's own."""
    QualityStandard.objects.create(municipality=copenhagen, year=2026, target_groups=GROUPS_2026)
    with time_machine.travel("2025-01-02 08:00", tick=False):  # the registry's first record of everyone
        people = [CitizenFactory(birth_date=dt.date(1944, 1, 1 + i), household_size=1) for i in range(8)]
    a, b, c, d, e, f, g, h = people
    # 2026: a and b in both groups (a visited, b declined), c visited by open letter, d no answer,
    # e not yet invited, f exempt (left out), g lapsed (left out).
    offer(copenhagen, a, 2026, ["widowed_65_89", "no_help_80_plus"], "visited")
    offer(copenhagen, b, 2026, ["widowed_65_89", "no_help_80_plus"], "declined")
    offer(copenhagen, c, 2026, ["no_help_80_plus"], "visited", kind="open_letter")
    offer(copenhagen, d, 2026, ["no_help_80_plus"], "no_response")
    offer(copenhagen, e, 2026, ["no_help_80_plus"], "due")
    Offer.objects.filter(pk=offer(copenhagen, f, 2026, ["no_help_80_plus"], "exempt").pk).update(exempt=True)
    offer(copenhagen, g, 2026, ["no_help_80_plus"], "lapsed")
    # 2025 (statutory): h visited as an 80-year-old, a as well.
    offer(copenhagen, h, 2025, ["age_80"], "visited")
    offer(copenhagen, a, 2025, ["age_80"], "visited")

    va = visit(copenhagen, a, dt.date(2026, 2, 10))
    visit(copenhagen, c, dt.date(2026, 3, 5))
    vh = visit(copenhagen, h, dt.date(2025, 4, 1))
    visit(copenhagen, a, dt.date(2025, 4, 2))
    FollowUp.objects.create(municipality=copenhagen, citizen=a, visit=va, kind="civil_society")
    FollowUp.objects.create(municipality=copenhagen, citizen=a, visit=va, kind="new_contact")
    FollowUp.objects.create(municipality=copenhagen, citizen=h, visit=vh, kind="gp")
    # The registry: h received practical help from 1 October 2025, within 12 months of the visit;
    # c received it in 2027, more than 12 months after; a had it already before the 2026 visit.
    for who, when in ((h, "2025-10-01 06:00"), (a, "2026-01-15 06:00"), (c, "2027-04-01 06:00")):
        with time_machine.travel(when, tick=False):
            who.practical_help = True
            who.save()
    return people


@time_machine.travel("2026-12-06 10:00", tick=False)
def test_the_groups_this_year_beside_the_year_before(copenhagen, two_years):
    report = targeting(copenhagen, 2026, dt.date(2026, 12, 6))
    assert report["local"] and report["legal_basis"].startswith("Ældreloven § 4")
    assert "§ 79 a" in report["compare_legal_basis"]
    codes = [row["code"] for row in report["rows"]]
    assert codes == ["widowed_65_89", "no_help_80_plus", "age_80"]  # the standard's order, then last year's
    widowed, no_help, age_80 = (row["years"] for row in report["rows"])
    assert (widowed[0].in_group, widowed[0].invited, widowed[0].visited, widowed[0].declined) == (2, 2, 1, 1)
    assert (no_help[0].in_group, no_help[0].invited, no_help[0].visited, no_help[0].no_response) == (5, 4, 2, 1)
    assert no_help[0].uptake == 0.5
    assert no_help[0].by_kind["open_letter"] == {"sent": 1, "visited": 1}
    assert no_help[0].kind_rate("date_letter") == pytest.approx(1 / 3)
    assert (widowed[0].follow_ups, widowed[0].referrals) == (2, 1)
    assert (age_80[1].follow_ups, age_80[1].referrals) == (1, 1)
    assert widowed[1].in_group == 0 and not report["rows"][2]["in_year"]
    # Home help: a had it before the visit (not counted); c got it after more than 12 months.
    assert (no_help[0].help_base, no_help[0].help_started, no_help[0].help_open) == (1, 0, 1)
    # 2025: h got help within 12 months; a did not (until January 2026: within 12 months too).
    assert (age_80[1].help_base, age_80[1].help_started) == (2, 2)


@time_machine.travel("2028-01-10 10:00", tick=False)
def test_a_window_that_is_over_is_no_longer_open(copenhagen, two_years):
    no_help = next(
        r for r in targeting(copenhagen, 2026, dt.date(2028, 1, 10))["rows"] if r["code"] == "no_help_80_plus"
    )
    assert (no_help["years"][0].help_base, no_help["years"][0].help_started, no_help["years"][0].help_open) == (1, 0, 0)


def test_the_council_report_hides_small_cells(copenhagen, two_years):
    rows = council_rows(targeting(copenhagen, 2026, dt.date(2026, 12, 6)))
    no_help = dict((name, values) for name, values, _rate in rows[1]["measures"])
    assert no_help["I målgruppen"] == [5, 0]  # 0 is shown, 1 and 2 are not
    assert no_help["Besøgt"] == [None, 0]
    assert no_help["Andel besøgt af inviterede"] == [None, None]


@time_machine.travel("2026-12-06 10:00", tick=False)
def test_page_csv_api_and_dashboard(client, team_leader, consultant, copenhagen, two_years):
    client.force_login(consultant)
    assert client.get(reverse("targeting")).status_code == 403
    assert client.get("/api/v1/targeting/").status_code == 403
    client.force_login(team_leader)
    page = client.get(reverse("targeting") + "?aar=2026").content.decode()
    assert "Mistet ægtefælle" in page and "80+ uden hjemmehjælp" in page and "kun i 2025" in page
    assert "§ 79 a" not in page.split("2025:")[0]  # the year's basis is Ældreloven § 4; 2025's is § 79 a
    csv = client.get(reverse("targeting") + "?aar=2026&format=csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Målgruppe;code;År;I målgruppen;Inviteret;Besøgt")
    assert lines[1].startswith("Mistet ægtefælle;widowed_65_89;2026;2;2;1;1;0;0.5000")
    api = client.get("/api/v1/targeting/?year=2026").json()
    assert api["groups"][1]["group"] == "no_help_80_plus"
    assert api["groups"][1]["years"]["2026"]["uptake_by_letter_kind"]["open_letter"] == {
        "sent": 1,
        "visited": 1,
        "rate": 1.0,
    }
    dashboard = client.get(reverse("dashboard") + "?aar=2026").content.decode()
    assert "Kommunens egne målgrupper" in dashboard and "Mistet ægtefælle" in dashboard
    pdf = client.get(reverse("council-report") + "?aar=2026")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
