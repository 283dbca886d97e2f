"""The municipality's own target groups from 2026 (interfaces.md §§ 4 and 6 a, Ældreloven § 4):
the standard's `target_groups` validated and stored, eligibility under them (the pure function and
the set-based query agree), and `eligibility --quality-standard` that stores nothing."""

import copy
import datetime as dt
import json
import shutil
import subprocess

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhb.eligibility import CitizenFacts, Policy, eligibility_for, eligibility_rows
from fhb.law import LocalGroup
from fhb.models import Citizen, Municipality, QualityStandard, RiskEvent, RiskGroup
from tests.factories import CitizenFactory
from visits.models import Visit

from .helpers import run_command

pytestmark = pytest.mark.django_db

STANDARD = {
    "municipality_code": "101",
    "year": 2026,
    "risk_groups": [{"code": "widowed"}, {"code": "lonely"}],
    "target_groups": [
        {"code": "alone_70", "label": "Fylder 70 og bor alene", "age": {"turns": 70}, "living_alone": True,
         "invitation": "open_letter"},
        {"code": "no_help_80_plus", "label": "80+ uden hjemmehjælp", "age": {"from": 80}, "receives_help": False},
        {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
         "risk_groups": ["widowed"], "window_months": 6, "visits_per_year": 2},
        {"code": "unseen_78_plus", "label": "78+ ikke set i 3 år", "age": {"from": 78}, "not_visited_years": 3},
    ],
}  # fmt: skip


@pytest.fixture
def write(tmp_path):
    def write(doc: dict, name="standard.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        return str(path)

    return write


@pytest.fixture
def people(copenhagen):
    widowed = RiskGroup.objects.get(municipality=None, code="widowed")
    alone_70 = CitizenFactory(cpr="0101561234", birth_date=dt.date(1956, 1, 1), household_size=1)
    CitizenFactory(cpr="0101561235", birth_date=dt.date(1956, 1, 1), household_size=2)  # 70, not alone: none
    helped_85 = CitizenFactory(cpr="0101411234", birth_date=dt.date(1941, 1, 1), household_size=2, practical_help=True)
    unhelped_85 = CitizenFactory(cpr="0101411236", birth_date=dt.date(1941, 1, 1), household_size=2)
    widow_66 = CitizenFactory(cpr="0101601234", birth_date=dt.date(1960, 1, 1), household_size=1)
    RiskEvent.objects.create(citizen=widow_66, risk_group=widowed, registered_on=dt.date(2025, 9, 1))
    old_widow = CitizenFactory(cpr="0101601236", birth_date=dt.date(1960, 1, 1), household_size=1)
    RiskEvent.objects.create(citizen=old_widow, risk_group=widowed, registered_on=dt.date(2025, 3, 1))  # > 6 months
    seen_79 = CitizenFactory(cpr="0101471234", birth_date=dt.date(1947, 1, 1), household_size=2, personal_care=True)
    Visit.objects.create(municipality=copenhagen, citizen=seen_79, visit_date=dt.date(2024, 5, 1), kind="home_visit",
                         outcome="completed")  # fmt: skip
    unseen_79 = CitizenFactory(cpr="0101471236", birth_date=dt.date(1947, 1, 1), household_size=2, personal_care=True)
    Visit.objects.create(municipality=copenhagen, citizen=unseen_79, visit_date=dt.date(2024, 5, 1), kind="phone_call",
                         outcome="completed")  # a call is no visit  # fmt: skip
    return alone_70, helped_85, unhelped_85, widow_66, unseen_79


EXPECTED = [
    {"cpr": "0101411234", "groups": ["unseen_78_plus"], "visits_required": 1, "exempt": False,
     "exemption_reason": None},  # 85, receives help: not in no_help_80_plus
    {"cpr": "0101411236", "groups": ["no_help_80_plus", "unseen_78_plus"], "visits_required": 1, "exempt": False,
     "exemption_reason": None},
    {"cpr": "0101471236", "groups": ["unseen_78_plus"], "visits_required": 1, "exempt": False,
     "exemption_reason": None},
    {"cpr": "0101561234", "groups": ["alone_70"], "visits_required": 1, "exempt": False, "exemption_reason": None},
    {"cpr": "0101601234", "groups": ["widowed_65_89"], "visits_required": 2, "exempt": False,
     "exemption_reason": None},
]  # fmt: skip


def test_import_stores_the_groups_and_eligibility_follows_them(capsys, write, people):
    helped_85 = people[1]
    assert run_command(capsys, "import_quality_standard", write(STANDARD)).code == 0
    standard = QualityStandard.objects.get(municipality__code="101", year=2026)
    assert [g["code"] for g in standard.target_groups] == ["alone_70", "no_help_80_plus", "widowed_65_89",
                                                           "unseen_78_plus"]  # fmt: skip
    result = run_command(capsys, "eligibility", "--year", "2026", "--municipality", "101")
    assert result.code == 0
    rows = json.loads(result.out)
    assert rows == EXPECTED
    assert next(r for r in rows if r["cpr"] == helped_85.cpr)["groups"] == ["unseen_78_plus"]
    # 2025 still follows § 79 a of 2019, whatever the 2026 standard says.
    rows_2025 = json.loads(run_command(capsys, "eligibility", "--year", "2025", "--municipality", "101").out)
    assert {g for r in rows_2025 for g in r["groups"]} <= {"age_70_living_alone", "age_75", "age_80", "age_82_plus",
                                                           "at_risk_65_81"}  # fmt: skip


def test_a_draft_is_evaluated_and_nothing_stored(capsys, write, people):
    result = run_command(capsys, "eligibility", "--year", "2026", "--quality-standard", write(STANDARD))
    assert result.code == 0 and json.loads(result.out) == EXPECTED
    assert not QualityStandard.objects.exists()
    assert not RiskGroup.objects.filter(municipality__isnull=False).exists()
    # Without a standard, 2026 continues the 2019 groups as the municipality's choice.
    continued = json.loads(run_command(capsys, "eligibility", "--year", "2026", "--municipality", "101").out)
    assert {g for r in continued for g in r["groups"]} == {"age_70_living_alone", "age_82_plus", "at_risk_65_81"}
    wrong_year = run_command(capsys, "eligibility", "--year", "2027", "--quality-standard", write(STANDARD))
    assert wrong_year.code == 2 and "2026, not 2027" in wrong_year.err
    broken = copy.deepcopy(STANDARD)
    broken["target_groups"][0]["age"] = {"turns": 70, "from": 65}
    refused = run_command(capsys, "eligibility", "--year", "2026", "--quality-standard", write(broken))
    assert refused.code == 2 and "target_groups[alone_70].age" in refused.err and not refused.out


def _refused(change) -> dict:
    doc = copy.deepcopy(STANDARD)
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["target_groups"][0].pop("code"), "target_groups[0].code: mangler"),
        (lambda d: d["target_groups"][0].pop("label"), "target_groups[alone_70].label: mangler"),
        (lambda d: d["target_groups"][0].pop("age"), "target_groups[alone_70].age: mangler"),
        (lambda d: d["target_groups"][0].update(code="Alone 70"), "target_groups[Alone 70].code"),
        (
            lambda d: d["target_groups"][1].update(code="alone_70"),
            "target_groups[alone_70].code: står mere end én gang",
        ),
        (lambda d: d["target_groups"][2].update(age={"from": 89, "to": 65}), "target_groups[widowed_65_89].age.to"),
        (lambda d: d["target_groups"][0].update(age={"turns": 70, "to": 80}), "target_groups[alone_70].age: turns"),
        (lambda d: d["target_groups"][1].update(age={"from": -1}), "target_groups[no_help_80_plus].age.from"),
        (lambda d: d["target_groups"][2].update(risk_groups=["divorced"]), "ukendt risikogruppe 'divorced'"),
        (lambda d: d["target_groups"][3].update(not_seen=3), "target_groups[unseen_78_plus].not_seen: ukendt nøgle"),
        (lambda d: d.update(target_group=[]), "target_group: ukendt nøgle"),
        (lambda d: d["risk_groups"][0].update(active=True), "risk_groups[0].active: ukendt nøgle"),
        (lambda d: d.update(year=2025), "target_groups: egne målgrupper gælder fra 2026"),
    ],
)
def test_a_bad_standard_is_refused_whole(capsys, write, copenhagen, change, named):
    result = run_command(capsys, "import_quality_standard", write(_refused(change)))
    assert result.code == 2 and named in result.err, result.err
    assert not QualityStandard.objects.exists()


# ---- the set-based query equals the pure function, for generated groups and citizens --------

RISK = ["widowed", "lonely", "hospital_discharge"]


@st.composite
def local_group_st(draw, code: str):
    age = draw(
        st.one_of(
            st.builds(lambda n: {"turns": n}, st.integers(64, 90)),
            st.builds(lambda n: {"from": n}, st.integers(64, 90)),
            st.builds(lambda n: {"to": n}, st.integers(64, 90)),
            st.integers(64, 80).flatmap(lambda a: st.integers(a, 95).map(lambda b: {"from": a, "to": b})),
        )
    )
    doc = {"code": code, "label": code, "age": age}
    if draw(st.booleans()):
        doc["living_alone"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["receives_help"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["risk_groups"] = draw(st.lists(st.sampled_from(RISK), min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            doc["window_months"] = draw(st.integers(1, 24))
    if draw(st.booleans()):
        doc["not_visited_years"] = draw(st.integers(1, 3))
    doc["visits_per_year"] = draw(st.integers(1, 3))
    return LocalGroup.from_json(doc)


@st.composite
def person_st(draw, year: int, as_of: dt.date):
    birth = dt.date(year - draw(st.integers(62, 92)), 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
    near = st.integers(-800, 400).map(lambda d: as_of + dt.timedelta(days=d))
    return {
        "birth_date": birth,
        "household_size": draw(st.integers(1, 3)),
        "personal_care": draw(st.booleans()),
        "practical_help": draw(st.booleans()),
        "events": draw(st.lists(st.tuples(st.sampled_from(RISK), near), max_size=3, unique=True)),
        "visits": draw(
            st.lists(
                st.tuples(
                    st.integers(year - 4, year).map(lambda y: dt.date(y, 6, 1)),
                    st.sampled_from(["home_visit", "phone_call", "collective_event"]),
                    st.sampled_from(["completed", "declined"]),
                ),
                max_size=2,
                unique_by=lambda v: (v[0], v[1]),
            )
        ),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), year=st.integers(2026, 2030), offset=st.integers(-40, 300))
def test_query_equals_oracle_for_local_groups(copenhagen, data, year, offset):
    as_of = dt.date(year, 1, 1) + dt.timedelta(days=offset)
    groups = tuple(data.draw(local_group_st(f"g{i}")) for i in range(data.draw(st.integers(1, 3))))
    policy = Policy(
        risk_window_months=data.draw(st.integers(1, 24)),
        exemption=data.draw(st.sampled_from(["", "personal_care_and_practical_help"])),
        target_groups=groups,
    )
    people = data.draw(st.lists(person_st(year, as_of), min_size=1, max_size=10))
    risk_groups = {g.code: g for g in RiskGroup.objects.filter(municipality=None)}
    with transaction.atomic():
        expected = []
        for i, person in enumerate(people):
            events, visits = person.pop("events"), person.pop("visits")
            citizen = Citizen.objects.create(
                municipality=copenhagen, cpr=f"{i:010d}", sex="F", first_name="A", last_name="B", address="x",
                postal_code="2100", city="y", **person,
            )  # fmt: skip
            RiskEvent.objects.bulk_create(
                [RiskEvent(citizen=citizen, risk_group=risk_groups[code], registered_on=day) for code, day in events]
            )
            Visit.objects.bulk_create(
                [Visit(municipality=copenhagen, citizen=citizen, visit_date=day, kind=kind, outcome=outcome)
                 for day, kind, outcome in visits]
            )  # fmt: skip
            counted = frozenset(
                d.year for d, kind, outcome in visits if kind != "phone_call" and outcome == "completed"
            )
            facts = CitizenFacts(cpr=citizen.cpr, risk_events=tuple(events), visit_years=counted, **person)
            result = eligibility_for(facts, year=year, as_of=as_of, policy=policy)
            if result:
                expected.append((result.cpr, result.groups, result.visits_required, result.exempt))
        got = [
            (e.cpr, e.groups, e.visits_required, e.exempt)
            for e in eligibility_rows(municipality=copenhagen, year=year, as_of=as_of, policy=policy)
        ]
        got_national = [
            (e.cpr, e.groups, e.visits_required, e.exempt)
            for e in eligibility_rows(everyone=True, year=year, as_of=as_of, policy=policy)
        ]
        transaction.set_rollback(True)
    assert got == expected
    assert got_national == expected


def test_reasons_name_the_standard_and_aeldreloven():
    group = LocalGroup.from_json(STANDARD["target_groups"][2])
    facts = CitizenFacts("0101601234", dt.date(1960, 1, 1), 1, risk_events=(("widowed", dt.date(2025, 9, 1)),))
    result = eligibility_for(facts, year=2026, as_of=dt.date(2026, 1, 1), policy=Policy(target_groups=(group,)))
    assert result.reasons["widowed_65_89"].startswith("Mistet ægtefælle:")
    assert "kvalitetsstandard 2026, ældrelovens § 4" in result.reasons["widowed_65_89"]
    assert "79 a" not in result.reasons["widowed_65_89"]


def test_a_municipality_has_no_local_groups_before_2026(copenhagen):
    policy = Policy(target_groups=(LocalGroup.from_json(STANDARD["target_groups"][1]),))
    assert policy.local_groups_for(2025) == ()
    facts = CitizenFacts("0101411236", dt.date(1941, 1, 1), 2)
    assert eligibility_for(facts, year=2025, as_of=dt.date(2025, 1, 1), policy=policy).groups == ("age_82_plus",)
    assert Municipality.objects.get(code="101") == copenhagen


@time_machine.travel("2026-02-15 10:00 +0100", tick=False)
def test_offers_follow_the_local_groups_and_say_their_basis(capsys, write, people, client, team_leader):
    from fhb.models import Offer
    from fhb.offers import offers_sync

    copenhagen = Municipality.objects.get(code="101")
    offers_sync(municipality=copenhagen, year=2026)  # no standard yet: the former groups, continued
    assert set(Offer.objects.values_list("primary_group", flat=True)) <= {"age_70_living_alone", "age_82_plus",
                                                                         "at_risk_65_81"}  # fmt: skip
    assert run_command(capsys, "import_quality_standard", write(STANDARD)).code == 0
    offers_sync(municipality=copenhagen, year=2026)
    open_offers = Offer.objects.filter(year=2026).exclude(status="lapsed")
    assert sorted(open_offers.values_list("citizen__cpr", "primary_group", "letter_kind")) == [
        ("0101411234", "unseen_78_plus", "date_letter"),
        ("0101411236", "no_help_80_plus", "date_letter"),
        ("0101471236", "unseen_78_plus", "date_letter"),
        ("0101561234", "alone_70", "open_letter"),  # the group's own invitation
        ("0101601234", "widowed_65_89", "date_letter"),
        # An offer earned before the groups were adopted stands (as any offer does when a citizen
        # leaves a group during the year); her event is outside the new group's 6 months.
        ("0101601236", "at_risk_65_81", "date_letter"),
    ]
    client.force_login(team_leader)
    listing = client.get("/api/v1/offers/", {"year": 2026}).json()["results"]
    assert {o["legal_basis"] for o in listing} == {"Ældreloven § 4: kommunens egne målgrupper, kvalitetsstandard 2026"}
    citizen = Citizen.objects.get(cpr="0101601234")
    years = client.get(f"/api/v1/citizens/{citizen.pk}/eligibility/", {"year": 2025}).json()
    assert "§ 79 a" in years[0]["legal_basis"]
    years = client.get(f"/api/v1/citizens/{citizen.pk}/eligibility/", {"year": 2026}).json()
    assert years[0]["groups"] == ["widowed_65_89"] and "ældrelovens § 4" in years[0]["reasons"]["widowed_65_89"]
    assert years[0]["legal_basis"].startswith("Ældreloven § 4") and "79 a" not in years[0]["legal_basis"]


@time_machine.travel("2027-02-03 10:00 +0100", tick=False)
def test_the_dst_delivery_names_the_local_group(capsys, write, people, tmp_path, copenhagen):
    """interfaces.md § 5: `maalgruppe` is the citizen's first group in sorted order — a local code."""
    assert run_command(capsys, "import_quality_standard", write(STANDARD)).code == 0
    widow = Citizen.objects.get(cpr="0101601234")
    Visit.objects.create(municipality=copenhagen, citizen=widow, visit_date=dt.date(2026, 3, 2), kind="home_visit",
                         outcome="completed")  # fmt: skip
    result = run_command(capsys, "dst_export", "--year", "2026", "--municipality", "101", "--output", str(tmp_path))
    assert result.code in (0, 1), result.err  # 1: the quality criteria fail on so few visits
    rows = (tmp_path / "fhb_101_2026.csv").read_text().splitlines()
    assert "101;0101601234;2026-03-02;individuelt;widowed_65_89" in rows
    from reports.approval import approval_context

    summary = json.loads(next(tmp_path.glob("*.json")).read_text())
    context = approval_context(summary)
    assert "Mistet ægtefælle" in str(context["tables"]["group"])  # the group's own name in the report
    assert context["legal_basis"].startswith("Ældreloven § 4: kommunens egne målgrupper")


@time_machine.travel("2026-02-15 10:00 +0100", tick=False)
def test_a_team_leader_works_with_the_local_groups(
    capsys, write, people, client, team_leader, django_capture_on_commit_callbacks
):
    """The due list names and counts the local groups and filters by them, and a letter batch is
    planned, approved and rendered for one of them, its letter citing Ældreloven."""
    from fhb.offers import offers_sync
    from invitations.models import BatchStatus, LetterBatch
    from tests.factories import UserFactory
    from visits.models import ConsultantCalendar

    copenhagen = Municipality.objects.get(code="101")
    assert run_command(capsys, "import_quality_standard", write(STANDARD)).code == 0
    offers_sync(municipality=copenhagen, year=2026)
    client.force_login(team_leader)
    page = client.get(reverse("due-list"), {"year": 2026}).content.decode()
    assert "78+ ikke set i 3 år" in page and "Mistet ægtefælle" in page  # the counts table and the tags
    only = client.get("/api/v1/offers/", {"year": 2026, "group": "unseen_78_plus"})
    assert only.status_code == 200 and only.json()["count"] == 3
    assert client.get("/api/v1/offers/", {"year": 2026, "group": "no_such_group"}).status_code == 400
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameter = next(p for p in schema["paths"]["/api/v1/offers/"]["get"]["parameters"] if p["name"] == "group")
    assert "enum" not in parameter["schema"]  # any municipality's own codes, not the statutory ones only
    mette = UserFactory(role="consultant", first_name="Mette")
    ConsultantCalendar.objects.create(consultant=mette, weekdays=[0, 1, 2, 3, 4])
    form = client.get(reverse("batch-list")).content.decode()
    assert 'value="unseen_78_plus"' in form and "78+ ikke set i 3 år" in form and 'value="age_80"' not in form
    plan = {"period_start": "2026-03-02", "period_end": "2026-03-31", "groups": ["unseen_78_plus"],
            "statuses": ["due"], "letter_date": "2026-02-20", "kind_unseen_78_plus": "date_letter"}  # fmt: skip
    from invitations.services import letter_template_save

    letter_template_save(municipality=copenhagen, kind="date_letter", group="unseen_78_plus", user=team_leader,
                         subject="Må vi kigge forbi, {{ fornavn }}?",
                         body="Kære {{ fornavn }}\n\nDet er et stykke tid siden, vi har set dig.")  # fmt: skip
    everyone = "Kære {{ fornavn }}, alle på din alder får et besøg."
    letter_template_save(municipality=copenhagen, kind="date_letter", group="", user=team_leader,
                         subject="Besøg {{ dato }}", body=everyone)  # fmt: skip
    response = client.post(reverse("batch-list"), plan)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = LetterBatch.objects.get()
    assert batch.letters.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("batch-action", args=[batch.pk, "godkend"]), {"bekraeft": "1"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY
    letter = batch.letters.first()
    pdf = b"".join(client.get(reverse("letter-pdf", args=[letter.pk])).streaming_content)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "ældrelovens § 4" in text and "79 a" not in text
        assert "Det er et stykke tid siden, vi har set dig." in text  # the group's own text
        assert "alle på din alder" not in text


@time_machine.travel("2026-02-15 10:00 +0100", tick=False)
def test_a_collective_event_for_a_local_group(capsys, write, people, client, team_leader):
    from fhb.offers import offers_sync

    assert run_command(capsys, "import_quality_standard", write(STANDARD)).code == 0
    offers_sync(municipality=Municipality.objects.get(code="101"), year=2026)
    client.force_login(team_leader)
    event = {"title": "Fællesspisning", "date": "2026-03-10", "starts_at": "12:00", "venue": "Kulturhuset",
             "capacity": 20}  # fmt: skip
    unknown = client.post("/api/v1/events/", {**event, "target_groups": ["divorced"]}, content_type="application/json")
    assert unknown.status_code == 400 and "divorced" in unknown.content.decode()
    made = client.post(
        "/api/v1/events/", {**event, "target_groups": ["unseen_78_plus"]}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    invite = f"/api/v1/events/{made.json()['id']}/invite/"
    assert client.post(invite, {"groups": ["divorced"]}, content_type="application/json").status_code == 400
    assert client.post(invite, {}, content_type="application/json").json() == {"invited": 3}
    page = client.get(reverse("event-detail", args=[made.json()["id"]])).content.decode()
    assert "78+ ikke set i 3 år" in page  # the group's own name, and a choice for the next invitation
