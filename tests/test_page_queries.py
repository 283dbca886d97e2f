"""No N+1 on the main pages (issue 20): each page a consultant, a team leader and an admin use most
(the load benchmark's mix, bench/locustfile.py) makes as many queries over the demo municipality
at 600 citizens as at 1,800 — with visits, bookings, follow-ups, offers, letter batches, events and
the access log grown with them. A page whose queries grow with the data fails here, named."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fhb.demo import demo_seed
from fhb.models import Citizen, Role, User

pytestmark = pytest.mark.django_db(transaction=False)

YEAR = 2026
PAGES = {
    "consultant": {
        "min dag": "/min-dag/",
        "citizen page": "/borgere/{citizen}/",
        "visit form": "/borgere/{citizen}/besoeg/ny/",
        "search": "/borgere/?q=Hansen",
        "citizen list": "/borgere/",
        "events": "/arrangementer/",
    },
    "teamleder": {
        "due list": f"/maalgrupper/?year={YEAR}",
        "dashboard": f"/overblik/?aar={YEAR}",
        "targeting": f"/overblik/maalretning/?aar={YEAR}",
        "letter batches": "/breve/",
        "call list": "/ringeliste/",
        "trial": f"/maalgrupper/proev/?aar={YEAR + 1}",
    },
    "admin": {
        "statistics": f"/statistik/?aar={YEAR}",
        "access log": "/opslagslog/",
        "api offers": f"/api/v1/offers/?year={YEAR}",
        "api dashboard": f"/api/v1/dashboard/?year={YEAR}",
        "api citizens": "/api/v1/citizens/",
    },
}


class Rollback(Exception):
    pass


def counts(citizens: int) -> dict[str, int]:
    """Seed the demo with `citizens`, look at every page twice (the second time counted: the
    year's figures are cached by design) and roll everything back."""
    found: dict[str, int] = {}
    try:
        with transaction.atomic():
            demo_seed(today=dt.date(YEAR, 12, 7), citizens=citizens, seed=79)
            busiest = (
                Citizen.objects.filter(visits__isnull=False)
                .order_by("-visits__visit_date", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            # The consultant with the most bookings that day: an empty day would skip the agenda's rows.
            consultant = (
                User.objects.filter(role=Role.CONSULTANT)
                .annotate(today=Count("bookings", filter=Q(bookings__starts_at__date=dt.date(YEAR, 12, 7))))
                .order_by("-today", "username")
                .first()
            )
            for username, pages in PAGES.items():
                client = Client()
                client.force_login(consultant if username == "consultant" else User.objects.get(username=username))
                for name, url in pages.items():
                    url = url.format(citizen=busiest)
                    assert client.get(url).status_code == 200, (name, url)
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(url)
                    assert response.status_code == 200, (name, url)
                    found[name] = len(captured)
                    # And, while here (issue 18's words): no select offers Django's "---------".
                    assert "---------" not in response.content.decode(), (name, url)
            raise Rollback
    except Rollback:
        pass
    cache.clear()
    return found


@time_machine.travel("2026-12-07 09:00 +0100", tick=False)
def test_the_main_pages_queries_do_not_grow_with_the_data():
    small, large = counts(600), counts(1800)
    grown = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grown, f"queries at 600 → 1,800 citizens: {grown}"
    assert max(small.values()) < 40, small  # and none is wasteful to begin with
