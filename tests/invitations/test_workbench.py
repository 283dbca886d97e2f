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
from tests.html import form_values
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


def post(client, values: dict, action: str, **changes):
    data = {**values, **{k: [v] if isinstance(v, str) else v for k, v in changes.items()}, "action": [action]}
    return client.post(reverse("target-group-trial"), data)


def group_index(values: dict, code: str) -> int:
    """The form index of the group with `code` in the posted values."""
    return next(int(k.split("-")[1]) for k, v in values.items() if k.endswith("-code") and v == [code])


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_the_editor_tries_keeps_reorders_and_adopts(client, town, team_leader, consultant):
    client.force_login(consultant)
    assert client.get(reverse("target-group-trial")).status_code == 403
    client.force_login(team_leader)
    page = client.get(reverse("target-group-trial")).content.decode()
    assert "age_82_plus" in page and "2027" in page  # next year, started from the former groups
    values = form_values(page, "trial-form")
    assert values["groups-TOTAL_FORMS"] == ["5"] and values["groups-0-label"] == ["Fylder 70 og bor alene"]
    assert values["groups-0-age_kind"] == ["turns"] and values["groups-0-living_alone"] == ["yes"]

    # The former groups as the form shows them give the same figures as the JSON draft of them.
    tried = post(client, values, "try")
    assert tried.status_code == 200 and 'id="trial-reached">' in tried.content.decode()

    # Change a group: the 82+ become 78+ not visited in 3 years; the figures move.
    i = group_index(values, "age_82_plus")
    changed = {f"groups-{i}-label": "78+ ikke set i 3 år", f"groups-{i}-code": "unseen_78_plus",
               f"groups-{i}-age_from": "78", f"groups-{i}-not_visited_years": "3"}  # fmt: skip
    text = post(client, values, "try", **changed).content.decode()
    assert "78+ ikke set i 3 år" in text and "unseen_78_plus" in text

    # A mistake names the group and the field, keeps what was typed, stores nothing.
    wrong = post(client, values, "try", **changed, **{f"groups-{i}-age_to": "70"})
    body = wrong.content.decode()
    assert wrong.status_code == 400 and "target_groups[unseen_78_plus].age.to" in body
    assert 'value="78+ ikke set i 3 år"' in body and not QualityStandard.objects.exists()
    blank = post(client, values, "try", **{f"groups-{i}-turns": "", f"groups-{i}-age_kind": "turns"})
    assert blank.status_code == 400 and "Skriv den alder, borgerne fylder i året." in blank.content.decode()
    twice = post(client, values, "try", **{f"groups-{i}-code": "age_80"})
    assert twice.status_code == 400 and "Koden age_80 er brugt af flere målgrupper" in twice.content.decode()

    # Add a group (an empty one is left out until it is filled in), and move it to the top.
    more = post(client, values, "add").content.decode()
    grown = form_values(more, "trial-form")
    assert grown["groups-TOTAL_FORMS"] == ["6"] and grown["groups-5-label"] == [""]
    res = post(client, grown, "try")
    assert res.status_code == 200, res.content.decode().split("trial-errors")[1][:1500]  # the empty group is no error
    new = {"groups-5-label": "Mistet ægtefælle", "groups-5-code": "widowed_65_89", "groups-5-age_from": "65",
           "groups-5-age_to": "89", "groups-5-risk_groups": ["widowed"], "groups-5-visits_per_year": "2"}  # fmt: skip
    up = form_values(post(client, {**grown, **{k: [v] if isinstance(v, str) else v for k, v in new.items()}},
                          "up:5").content.decode(), "trial-form")  # fmt: skip
    assert up["groups-5-ORDER"] == ["5"] and up["groups-4-ORDER"] == ["6"]
    assert up["groups-5-risk_groups"] == ["widowed"], up
    # Remove the 75-year-olds and adopt.
    gone = group_index(up, "age_75")
    adopted = post(client, up, "adopt", **{f"groups-{gone}-DELETE": "on"})
    assert adopted.status_code == 302
    standard = QualityStandard.objects.get(year=2027)
    assert standard.adopted_by == team_leader
    codes = [g["code"] for g in standard.target_groups]
    assert codes == ["age_70_living_alone", "age_80", "age_82_plus", "widowed_65_89", "at_risk_65_81"]
    # The year's offers follow the adopted groups at once (the due list and batches work on them).
    from fhb.models import Offer

    assert Offer.objects.filter(year=2027, groups__contains="|widowed_65_89|").count() == 1
    widowed = standard.target_groups[3]
    assert widowed == {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
                       "risk_groups": ["widowed"], "visits_per_year": 2}  # fmt: skip

    # Adopted: who and when, the version listed, the earlier version readable as it was.
    again = client.get(reverse("target-group-trial") + "?aar=2027").content.decode()
    assert "widowed_65_89" in again and "er vedtaget" in again and 'id="trial-versions"' in again
    first_version = standard.history.earliest().history_id
    with time_machine.travel("2026-11-10 11:00 +0100", tick=False):  # a later version
        values = form_values(again, "trial-form")
        assert values["groups-0-label"] == ["Fylder 70 og bor alene"], values
        second = post(client, values, "adopt", **{"groups-0-label": "70 og alene"})
    assert second.status_code == 302, second.content.decode().split("trial-errors")[1][:1500]
    assert QualityStandard.objects.get(year=2027).target_groups[0]["label"] == "70 og alene", (
        QualityStandard.objects.get(year=2027).target_groups,
        second.url,
    )
    old = client.get(reverse("target-group-trial") + f"?aar=2027&version={first_version}")
    assert "Fylder 70 og bor alene" in old.content.decode() and "Du ser versionen fra" in old.content.decode()
    exported = client.get(reverse("target-group-trial") + f"?aar=2027&version={first_version}&format=json")
    assert json.loads(exported.content)["target_groups"][0]["label"] == "Fylder 70 og bor alene"
    assert exported["Content-Disposition"] == 'attachment; filename="kvalitetsstandard_101_2027.json"'


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_json_in_and_out(client, town, team_leader):
    client.force_login(team_leader)
    loaded = client.post(
        reverse("target-group-trial"), {"aar": "2027", "document": json.dumps(DRAFT), "action": "json"}
    )
    values = form_values(loaded.content.decode(), "trial-form")
    assert values["groups-TOTAL_FORMS"] == ["3"] and values["groups-1-code"] == ["widowed_65_89"]
    assert values["groups-0-invitation"] == ["open_letter"] and values["groups-1-visits_per_year"] == ["2"]
    tried = post(client, values, "try").content.decode()
    assert 'id="trial-reached">3<' in tried and "Mistet ægtefælle" in tried
    broken = copy.deepcopy(DRAFT)
    broken["target_groups"][1]["age"] = {"from": 89, "to": 65}
    refused = client.post(reverse("target-group-trial"), {"aar": "2027", "document": json.dumps(broken),
                                                          "action": "json"})  # fmt: skip
    assert refused.status_code == 400 and "target_groups[widowed_65_89].age.to" in refused.content.decode()
    assert "&quot;from&quot;: 89" in refused.content.decode()  # what was typed is kept
    exported = client.get(reverse("target-group-trial") + "?aar=2027&start=former&format=json")
    assert json.loads(exported.content)["target_groups"][0]["code"] == "age_70_living_alone"


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


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_a_draft_is_saved_until_it_is_adopted(client, town, team_leader):
    from invitations.models import TargetGroupDraft

    client.force_login(team_leader)
    values = form_values(client.get(reverse("target-group-trial") + "?aar=2027").content.decode(), "trial-form")
    saved = post(client, values, "save", **{"groups-0-label": "Fylder 70, bor alene"})
    assert saved.status_code == 302 and not QualityStandard.objects.exists()  # saved, not in force
    draft = TargetGroupDraft.objects.get(year=2027)
    assert draft.updated_by == team_leader and draft.document["target_groups"][0]["label"] == "Fylder 70, bor alene"
    page = client.get(reverse("target-group-trial") + "?aar=2027").content.decode()
    assert 'value="Fylder 70, bor alene"' in page and "Gemt udkast fra" in page
    refused = post(client, values, "save", **{"groups-0-code": "Not a code"})
    assert refused.status_code == 400 and TargetGroupDraft.objects.get(year=2027).document == draft.document
    assert post(client, form_values(page, "trial-form"), "adopt").status_code == 302
    assert QualityStandard.objects.get(year=2027).target_groups[0]["label"] == "Fylder 70, bor alene"
    assert not TargetGroupDraft.objects.exists()  # adopted: the draft is gone


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_adopting_withdraws_untouched_offers_the_new_groups_do_not_reach(town, copenhagen, team_leader):
    from fhb.models import Offer
    from fhb.offers import offer_transition, offers_sync
    from invitations.services import target_group_draft_adopt

    turns_75 = CitizenFactory(birth_date=dt.date(1952, 3, 1), household_size=2)  # age_75 under the former groups
    invited_75 = CitizenFactory(birth_date=dt.date(1952, 4, 1), household_size=2)
    offers_sync(municipality=copenhagen, year=2027)  # no standard: the former groups continued
    offer_transition(offer=Offer.objects.get(citizen=invited_75, year=2027), to_status="invited", user=team_leader)
    result = target_group_draft_adopt(municipality=copenhagen, text=json.dumps(DRAFT), year=2027, user=team_leader)
    assert result.withdrawn == 2  # the 75-year-old, and the 82-year-old visited in 2025 (seen lately)
    assert not Offer.objects.filter(citizen__in=[turns_75, town[3]], year=2027).exists()  # untouched
    assert Offer.objects.get(citizen=invited_75, year=2027).status == "invited"  # a letter went out: it stays
    alone_70 = town[0]
    assert Offer.objects.get(citizen=alone_70, year=2027).groups == "|alone_70|"


def test_risk_groups_are_offered_by_their_names(copenhagen):
    from invitations.standard_forms import risk_group_choices

    choices = dict(
        risk_group_choices(copenhagen, {"risk_groups": [{"code": "widowed"}, {"code": "x_y", "label": "X"}]})
    )
    assert choices["widowed"] == "Mistet ægtefælle/samlever" and choices["x_y"] == "X"


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_the_standard_and_its_draft_through_the_api(client, town, team_leader, consultant):
    client.force_login(consultant)
    assert client.get("/api/v1/quality-standards/2027/").status_code == 403
    client.force_login(team_leader)
    url = "/api/v1/quality-standards/2027/"
    assert client.get(url).json() == {"year": 2027, "adopted": None, "draft": None, "versions": []}
    saved = client.put(url + "draft/", DRAFT, content_type="application/json")
    assert saved.status_code == 200 and not QualityStandard.objects.exists()
    assert client.get(url).json()["draft"]["document"]["target_groups"][1]["code"] == "widowed_65_89"
    wrong_year = client.put(url, {**DRAFT, "year": 2026}, content_type="application/json")
    assert wrong_year.status_code == 400 and "2026" in wrong_year.json()["year"][0]
    broken = copy.deepcopy(DRAFT)
    broken["target_groups"][0]["colour"] = "red"
    refused = client.put(url, broken, content_type="application/json")
    assert refused.status_code == 400 and any("colour" in p for p in refused.json()["problems"])
    assert not QualityStandard.objects.exists()
    adopted = client.put(url, DRAFT, content_type="application/json")
    assert adopted.status_code == 200 and adopted.json()["eligible"] == 3
    body = client.get(url).json()
    assert body["adopted"]["adopted_by"] == team_leader.get_full_name() and body["draft"] is None
    assert len(body["versions"]) == 1
    assert client.delete(url + "draft/").status_code == 204
    # Another municipality's team leader sees none of it, and cannot open its versions.
    version = QualityStandard.history.get().history_id
    client.force_login(UserFactory(role=Role.TEAM_LEADER, municipality=Municipality.objects.get(code="147")))
    assert client.get(url).json() == {"year": 2027, "adopted": None, "draft": None, "versions": []}
    assert client.get(reverse("target-group-trial") + f"?aar=2027&version={version}").status_code == 404
