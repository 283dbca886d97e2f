"""The demo municipality: staff, a realistic population, a quality standard, offers; made once."""

import datetime as dt

from fhb.demo import DEMO_PASSWORD, demo_seed
from fhb.models import Citizen, Offer, QualityStandard, RiskEvent, User
from invitations.models import TargetGroupDraft
from visits.models import Visit


def test_demo_seed_builds_a_municipality_once(db):
    today = dt.date(2026, 11, 22)
    made = demo_seed(today=today, citizens=400, seed=1)
    assert made["citizens"].summary == "created 400, updated 0, unchanged 0, rejected 0"
    municipality = made["municipality"]
    ages = [c.age_on(today) for c in Citizen.objects.filter(municipality=municipality)]
    assert min(ages) >= 60 and max(ages) <= 106 and sum(a >= 80 for a in ages) > 40
    alone = Citizen.objects.filter(municipality=municipality, household_size=1).count()
    assert 80 < alone < 300  # a realistic mix, not all or none
    assert RiskEvent.objects.filter(citizen__municipality=municipality).exists()
    assert QualityStandard.objects.get(municipality=municipality, year=2026).risk_groups.count() == 9
    assert Offer.objects.filter(municipality=municipality, year=2026).exists()
    visits = Visit.objects.filter(municipality=municipality)
    assert visits.count() > 10 and visits.filter(consultant__username__startswith="konsulent").count() == visits.count()
    assert Offer.objects.filter(municipality=municipality, year=2026, status="visited").exists()
    roles = sorted(User.objects.filter(municipality=municipality).values_list("role", flat=True))
    assert roles == ["consultant", "consultant", "consultant", "municipality_admin", "team_leader"]
    assert User.objects.get(username="admin").check_password(DEMO_PASSWORD)

    # This year continues the former groups; next year has a draft of groups of the demo's own.
    assert QualityStandard.objects.get(municipality=municipality, year=2026).target_groups == []
    draft = TargetGroupDraft.objects.get(municipality=municipality, year=2027)
    assert [g["code"] for g in draft.document["target_groups"]][:2] == ["widowed_65_89", "discharged_75_plus"]
    assert made["target_group_draft"] == 2027
    # Some visited citizens were granted home help afterwards, as the registry's history says.
    granted = made["home_help_granted"]
    assert granted > 0
    assert Citizen.history.filter(practical_help=True, history_type="~").count() == granted
    history = Citizen.history.count()
    from reports.targeting import targeting

    rows = targeting(municipality, 2026, today)["rows"]
    assert sum(row["years"][1].visited for row in rows) > 0  # last year's offers followed its visits
    assert sum(y.help_started for row in rows for y in row["years"]) > 0

    again = demo_seed(today=today + dt.timedelta(days=30), citizens=400, seed=1)
    assert again["citizens"] is None and "target_group_draft" not in again
    assert Citizen.objects.count() == 400 and Citizen.history.count() == history == 400 + granted
