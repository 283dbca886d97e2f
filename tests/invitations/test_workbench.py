"""Trying a year's target groups before adopting them (invitations/workbench.py): the figures, the
page (draft kept on error, adopting it) and the API."""

import copy
import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from fhb.eligibility import Policy
from fhb.law import LocalGroup
from fhb.models import Municipality, QualityStandard, RiskEvent, RiskGroup, Role
from invitations.workbench import trial
from tests.factories import CitizenFactory, UserFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db

DRAFT = {
    "municipality_code": "101",
    "year": 2027,
    "target_groups": [
        {"code": "alone_70", "label": "Fylder 70 og bor alene", "age": {"turns": 70}, "living_alone": True,
         "invitation": "open_letter"},
        {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
         "risk_groups": ["widowed"], "visits_per_year": 2},
        {"code": "unseen_78_plus", "label": "78+ ikke set i 3 år", "age": {"from": 78}, "not_visited_years": 3},
    ],
}  # fmt: skip


@pytest.fixture
def town(copenhagen):
    widowed = RiskGroup.objects.get(municipality=None, code="widowed")
    alone_70 = CitizenFactory(birth_date=dt.date(1957, 5, 1), household_size=1)  # 70 in 2027, alone
    widow = CitizenFactory(birth_date=dt.date(1950, 5, 1), household_size=1)  # 77 in 2027
    RiskEvent.objects.create(citizen=widow, risk_group=widowed, registered_on=dt.date(2026, 10, 1))
    unseen = CitizenFactory(birth_date=dt.date(1945, 5, 1), household_size=2)  # 82 in 2027, never visited
    seen = CitizenFactory(birth_date=dt.date(1945, 6, 1), household_size=2, practical_help=True)
    Visit.objects.create(municipality=copenhagen, citizen=seen, visit_date=dt.date(2025, 4, 1), kind="home_visit",
                         outcome="completed")  # fmt: skip
    UserFactory(role=Role.CONSULTANT, weekly_visit_capacity=10)
    return alone_70, widow, unseen, seen


def test_the_figures(town, copenhagen):
    _alone_70, _widow, _unseen, _seen = town
    policy = Policy(target_groups=tuple(LocalGroup.from_json(g) for g in DRAFT["target_groups"]))
    result = trial(copenhagen, year=2027, policy=policy)
    by = {g.code: g for g in result.groups}
    assert (by["alone_70"].citizens, by["widowed_65_89"].citizens, by["unseen_78_plus"].citizens) == (1, 1, 1)
    assert result.reached == 3 and result.in_several == 0
    # 2026 (no standard: the former groups continued) reached only the widow, at risk at 76.
    assert (result.new, result.dropped, result.kept) == (2, 0, 1)
    assert by["alone_70"].invitation == "open_letter" and by["alone_70"].rate_source == "national"
    assert by["widowed_65_89"].expected_visits == round(by["widowed_65_89"].rate * 2, 1)  # two visits a year
    assert result.weekly_capacity == 10 and result.capacity_visits == 10 * result.working_weeks
    assert dict(result.reach["household"]) == {"alone": 2, "not_alone": 1}
    assert dict(result.reach["risk"])["risk_event"] == 1
    assert result.legal_basis.startswith("Ældreloven § 4")


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_the_page_tries_keeps_and_adopts(client, town, team_leader, consultant):
    client.force_login(consultant)
    assert client.get(reverse("target-group-trial")).status_code == 403
    client.force_login(team_leader)
    page = client.get(reverse("target-group-trial")).content.decode()
    assert "age_82_plus" in page and "2027" in page  # next year, started from the former groups
    tried = client.post(reverse("target-group-trial"), {"aar": "2027", "document": json.dumps(DRAFT), "action": "try"})
    text = tried.content.decode()
    assert tried.status_code == 200 and 'id="trial-reached">3<' in text and "Mistet ægtefælle" in text
    broken = copy.deepcopy(DRAFT)
    broken["target_groups"][1]["age"] = {"from": 89, "to": 65}
    refused = client.post(reverse("target-group-trial"), {"aar": "2027", "document": json.dumps(broken)})
    assert refused.status_code == 400 and "target_groups[widowed_65_89].age.to" in refused.content.decode()
    assert "&quot;from&quot;: 89" in refused.content.decode()  # what was typed is kept
    assert not QualityStandard.objects.exists()
    adopted = client.post(reverse("target-group-trial"), {"aar": "2027", "document": json.dumps(DRAFT),
                                                          "action": "adopt"})  # fmt: skip
    assert adopted.status_code == 302 and adopted.url.endswith("?year=2027")
    standard = QualityStandard.objects.get(year=2027)
    assert standard.adopted_by == team_leader and len(standard.target_groups) == 3
    again = client.get(reverse("target-group-trial") + "?aar=2027").content.decode()
    assert "unseen_78_plus" in again  # the adopted standard is where the next draft starts


def test_the_api(client, town, team_leader, consultant):
    client.force_login(consultant)
    assert client.post("/api/v1/target-groups/trial/", DRAFT, content_type="application/json").status_code == 403
    client.force_login(team_leader)
    answer = client.post("/api/v1/target-groups/trial/", DRAFT, content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["reached"] == 3 and {g["code"] for g in body["groups"]} == {"alone_70", "widowed_65_89",
                                                                             "unseen_78_plus"}  # fmt: skip
    other = {**DRAFT, "municipality_code": "147"}
    refused = client.post("/api/v1/target-groups/trial/", other, content_type="application/json")
    assert refused.status_code == 400 and "municipality_code" in " ".join(refused.json()["problems"])
    late = client.post("/api/v1/target-groups/trial/", {**DRAFT, "year": 2100}, content_type="application/json")
    assert late.status_code == 400
    assert not QualityStandard.objects.exists() and Municipality.objects.get(code="101")
