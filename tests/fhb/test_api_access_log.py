"""Reading a citizen's data through the API writes the access log, with what was seen: a detail
its citizen, a list every citizen on the page."""

import datetime as dt

import pytest
from django.urls import reverse

from fhb.models import CitizenAccess, Lookup, Offer, Role
from fhb.offers import offers_sync
from tests.factories import CitizenFactory, RiskEventFactory, UserFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def logged(user) -> set[tuple[int, str, str]]:
    rows = CitizenAccess.objects.filter(lookup__user=user).values_list(
        "citizen_id", "lookup__endpoint", "lookup__purpose"
    )
    return set(rows)


def test_visits_risk_events_and_offers(client, copenhagen):
    one, two = CitizenFactory(), CitizenFactory(birth_date=dt.date(1946, 2, 2))
    visit = Visit.objects.create(
        municipality=copenhagen, citizen=one, kind="home_visit", outcome="completed", visit_date=dt.date(2026, 3, 2)
    )
    RiskEventFactory(citizen=two)
    offers_sync(municipality=copenhagen, year=2026)
    offer = Offer.objects.get(citizen=two)
    consultant = UserFactory(role=Role.CONSULTANT)
    client.force_login(consultant)

    assert client.get(reverse("api:visit-detail", args=[visit.pk])).status_code == 200
    assert logged(consultant) == {(one.pk, f"/api/v1/visits/{visit.pk}/", "API: besøg med noter og screeninger")}

    CitizenAccess.objects.all().delete()
    assert client.get(reverse("api:riskevent-list"), {"citizen": two.pk}).json()["count"] == 1
    assert logged(consultant) == {(two.pk, "/api/v1/risk-events/", "API: risikohændelser")}

    Lookup.objects.all().delete()
    assert client.get(reverse("api:offer-detail", args=[offer.pk])).status_code == 200
    listed = client.get(reverse("api:offer-list"), {"year": 2026}).json()
    assert listed["count"] == 2
    assert logged(consultant) == {
        (two.pk, f"/api/v1/offers/{offer.pk}/", "API: tilbud"),
        (one.pk, "/api/v1/offers/", "API: tilbud"),
        (two.pk, "/api/v1/offers/", "API: tilbud"),
    }
    # One look-up per request: the list is one row, with the two citizens it showed.
    lookups = Lookup.objects.filter(user=consultant).order_by("id")
    assert [(x.endpoint, x.citizen_count, sorted(x.citizens.values_list("pk", flat=True))) for x in lookups] == [
        (f"/api/v1/offers/{offer.pk}/", 1, [two.pk]),
        ("/api/v1/offers/", 2, sorted([one.pk, two.pk])),
    ]


def test_an_empty_list_logs_nothing(client, copenhagen):
    consultant = UserFactory(role=Role.CONSULTANT)
    client.force_login(consultant)
    assert client.get(reverse("api:visit-list")).json()["count"] == 0
    assert not CitizenAccess.objects.exists()
