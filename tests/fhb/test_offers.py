"""Offers per citizen and year: the sync, status transitions with history, the due list page, its
exports and the API."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from fhb.errors import DomainError
from fhb.models import CitizenAccess, EligibilityRun, Municipality, Offer, OfferStatus, QualityStandard, Role
from fhb.offers import offer_transition, offers_sync
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cph():
    return Municipality.objects.get(code="101")


@pytest.fixture
def people():
    return {
        "eighty": CitizenFactory(birth_date=dt.date(1947, 5, 1), last_name="Firs"),  # turns 80 in 2027
        "eighty_exempt": CitizenFactory(birth_date=dt.date(1947, 8, 1), personal_care=True, practical_help=True),
        "old": CitizenFactory(birth_date=dt.date(1930, 1, 1), last_name="Gammel"),
        "young": CitizenFactory(birth_date=dt.date(1960, 1, 1)),
    }


def test_sync_creates_offers_with_history_and_is_idempotent(cph, people):
    QualityStandard.objects.create(
        municipality=cph, year=2027, exemption="personal_care_and_practical_help", invitations={"age_80": "open_letter"}
    )
    result = offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    assert result.summary == "eligible 3, created 3, updated 0, lapsed 0"
    eighty = Offer.objects.get(citizen=people["eighty"])
    assert (eighty.groups, eighty.primary_group, eighty.status, eighty.letter_kind) == (
        "|age_80|",
        "age_80",
        "due",
        "open_letter",
    )
    exempt = Offer.objects.get(citizen=people["eighty_exempt"])
    assert (exempt.status, exempt.exempt, exempt.exemption_reason) == (
        "exempt",
        True,
        "personal_care_and_practical_help",
    )
    assert list(eighty.transitions.values_list("from_status", "to_status")) == [("", "due")]
    again = offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    assert again.summary == "eligible 3, created 0, updated 0, lapsed 0"
    assert Offer.objects.count() == 3 and EligibilityRun.objects.count() == 2


def test_sync_lapses_the_offers_of_the_dead_but_keeps_visits_and_refusals(cph, people):
    offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    visited = Offer.objects.get(citizen=people["old"])
    offer_transition(offer=visited, to_status=OfferStatus.VISITED, user=None)
    invited = Offer.objects.get(citizen=people["eighty"])
    offer_transition(offer=invited, to_status=OfferStatus.INVITED, user=None, letter_kind="date_letter")
    for key in ("eighty", "old"):
        people[key].deceased_on = dt.date(2027, 2, 1)
        people[key].save()
    result = offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 3, 1))
    assert result.run.lapsed == 1
    # An invitation to someone who has died is not left on the call list: it lapses.
    assert Offer.objects.get(citizen=people["eighty"]).status == "lapsed"
    assert Offer.objects.get(citizen=people["old"]).status == "visited"  # the visit took place: kept
    lapse = Offer.objects.get(citizen=people["eighty"]).transitions.last()
    assert (lapse.from_status, lapse.to_status, lapse.note) == ("invited", "lapsed", "Borgeren er død eller fraflyttet")


def test_exemption_change_moves_open_offer(cph, people):
    offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    assert Offer.objects.get(citizen=people["eighty_exempt"]).status == "due"
    QualityStandard.objects.create(municipality=cph, year=2027, exemption="personal_care_and_practical_help")
    result = offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    assert result.run.updated == 1
    offer = Offer.objects.get(citizen=people["eighty_exempt"])
    assert offer.status == "exempt" and offer.transitions.last().to_status == "exempt"


def test_transitions_are_checked_and_recorded(cph, people):
    offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    user = UserFactory()
    offer = Offer.objects.get(citizen=people["eighty"])
    offer = offer_transition(
        offer=offer, to_status="invited", user=user, on=dt.date(2027, 3, 1), letter_kind="date_letter"
    )
    assert (offer.status, offer.invited_on, offer.letter_kind) == ("invited", dt.date(2027, 3, 1), "date_letter")
    offer = offer_transition(offer=offer, to_status="visited", user=user)
    with pytest.raises(DomainError, match="Besøgt"):
        offer_transition(offer=offer, to_status="due", user=user)
    assert list(offer.transitions.values_list("to_status", flat=True)) == ["due", "invited", "visited"]


@time_machine.travel("2026-11-22", tick=False)
def test_due_list_page_filters_counts_and_exports(client, people):
    leader = UserFactory(role=Role.TEAM_LEADER)
    client.force_login(leader)
    page = client.get(reverse("due-list"), {"year": 2027}).content.decode()
    assert "Målgrupper 2027" in page and "Der er ikke indlæst en kvalitetsstandard for 2027" in page
    assert people["eighty"].last_name in page and people["young"].last_name not in page
    filtered = client.get(reverse("due-list"), {"year": 2027, "group": "age_82_plus"}).content.decode()
    assert "Gammel" in filtered and people["eighty"].last_name not in filtered
    csv_response = client.get(reverse("due-list"), {"year": 2027, "group": "age_80", "export": "csv"})
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("cpr;fornavn;efternavn") and len(lines) == 3
    assert people["eighty"].cpr_formatted in csv_response.content.decode()
    # Labels for people, and the codes in columns of their own for scripts.
    header, row = (line.split(";") for line in lines[:2])
    record = dict(zip(header, row, strict=True))
    assert (record["målgrupper"], record["status"], record["invitationsform"]) == ("80 år", "Skal tilbydes", "Datobrev")
    assert (record["målgruppekoder"], record["statuskode"], record["invitationsformkode"]) == (
        "age_80", "due", "date_letter"
    )  # fmt: skip
    assert CitizenAccess.objects.filter(lookup__endpoint="due-list-export").count() == 2
    xlsx = client.get(reverse("due-list"), {"year": 2027, "group": "age_80", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:3] == ["cpr", "fornavn", "efternavn"]
    assert sheet.max_row == 3


@time_machine.travel("2026-11-22", tick=False)
def test_due_list_recompute_is_for_team_leaders(client, people, consultant):
    client.force_login(consultant)
    assert client.post(reverse("due-list-sync") + "?year=2027").status_code == 403
    client.force_login(UserFactory(role=Role.TEAM_LEADER))
    response = client.post(reverse("due-list-sync") + "?year=2027", follow=True)
    assert "Målgrupperne for 2027 er beregnet: 3 borgere" in response.content.decode()


def test_offers_are_scoped_to_the_municipality(client, cph, people, frederiksberg):
    offers_sync(municipality=cph, year=2027, as_of=dt.date(2027, 1, 1))
    offer = Offer.objects.first()
    outsider = UserFactory(municipality=frederiksberg, role=Role.TEAM_LEADER)
    client.force_login(outsider)
    assert client.get(reverse("api:offer-list"), {"year": 2027}).json()["count"] == 0
    assert client.get(reverse("api:offer-detail", args=[offer.pk])).status_code == 404
    assert client.post(reverse("offer-status", args=[offer.pk]), {"to_status": "declined"}).status_code == 404
    page = client.get(reverse("due-list"), {"year": 2027}).content.decode()
    assert people["eighty"].last_name not in page


def test_api_offers_summary_transition_and_eligibility(client, cph, people):
    leader = UserFactory(role=Role.TEAM_LEADER)
    client.force_login(leader)
    synced = client.post(reverse("api:offer-sync"), {"year": 2027}, content_type="application/json")
    assert synced.status_code == 200 and synced.json()["eligible"] == 3
    listing = client.get(reverse("api:offer-list"), {"year": 2027, "group": "age_80"}).json()
    assert listing["count"] == 2 and "cpr" not in listing["results"][0]
    summary = client.get(reverse("api:offer-summary"), {"year": 2027}).json()
    assert summary["groups"]["age_80"]["due"] == 2 and summary["citizens"] == 3
    assert sum(summary["backlog_by_birth_month"]) == 3 and summary["backlog_by_birth_month"][4] == 1  # May
    offer_id = listing["results"][0]["id"]
    declined = client.post(
        reverse("api:offer-transition", args=[offer_id]),
        {"to_status": "declined", "note": "Ringede"},
        content_type="application/json",
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    bad = client.post(
        reverse("api:offer-transition", args=[offer_id]), {"to_status": "exempt"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "kan ikke ændres" in bad.json()["to_status"][0]
    elig = client.get(reverse("api:citizen-eligibility", args=[people["eighty"].pk]), {"year": 2027}).json()
    assert elig[0]["groups"] == ["age_80"] and "ældrelovens § 4" in elig[0]["reasons"]["age_80"]
    too_early = client.post(reverse("api:offer-sync"), {"year": 2009}, content_type="application/json")
    assert too_early.status_code == 400


@time_machine.travel("2026-11-22", tick=False)
def test_citizen_page_shows_groups_reasons_and_offer_history(client, consultant, people):
    offers_sync(municipality=people["eighty"].municipality, year=2027)
    client.force_login(consultant)
    url = reverse("citizen-detail", args=[people["eighty"].pk])
    page = client.get(url).content.decode()
    assert "80 år" in page and "fylder 80 i året" in page and "Ingen målgruppe dette år." in page  # 2026: none
    offer = Offer.objects.get(citizen=people["eighty"])
    response = client.post(reverse("offer-status", args=[offer.pk]), {"to_status": "declined", "note": "Vil ikke"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Takket nej" in page and "Vil ikke" in page


@time_machine.travel("2026-11-22", tick=False)
def test_citizen_page_shows_an_earlier_years_rules(client, consultant):
    citizen = CitizenFactory(birth_date=dt.date(1938, 6, 1))  # turned 81 in 2019: the transition rule
    client.force_login(consultant)
    page = client.get(reverse("citizen-detail", args=[citizen.pk]), {"aar": 2019}).content.decode()
    assert "overgangsregel, lov 508/2019" in page and "80 år og derover" in page
