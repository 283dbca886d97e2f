"""The year's figures are computed once per change of the municipality's data and read from the
cache by the dashboard, the statistics and the month page (reports.figures, fhb.freshness); a
visit saved, a registry import or a month approved makes them computed again. The pages' queries
do not grow with the data."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fhb.models import Municipality
from reports.figures import year_summary
from tests.factories import CitizenFactory
from visits.history import visits_import
from visits.models import Visit

pytestmark = pytest.mark.django_db


def people(n: int, municipality) -> list:
    citizens = [CitizenFactory(birth_date=dt.date(1944, 1 + i % 12, 1 + i % 28)) for i in range(n)]
    Visit.objects.bulk_create(
        Visit(municipality=municipality, citizen=c, kind="home_visit", outcome="completed",
              visit_date=dt.date(2026, 1 + i % 11, 5))
        for i, c in enumerate(citizens)
    )  # fmt: skip
    return citizens


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@time_machine.travel("2026-12-06 10:00 +0100", tick=False)
def test_the_summary_is_computed_once_per_change(copenhagen, django_capture_on_commit_callbacks):
    citizens = people(4, copenhagen)
    first = year_summary(copenhagen, 2026)
    with CaptureQueriesContext(connection) as captured:
        assert year_summary(copenhagen, 2026) == first
    assert len(captured) == 0  # the cache, not the year recomputed
    Visit.objects.create(municipality=copenhagen, citizen=citizens[0], kind="home_visit", outcome="completed",
                         visit_date=dt.date(2026, 11, 20))  # fmt: skip
    assert year_summary(copenhagen, 2026)["visits"] == first["visits"] + 1  # a saved visit: computed again
    cpr = citizens[1].cpr
    with django_capture_on_commit_callbacks(execute=True):
        result = visits_import(data=f"cpr;date;kind;outcome\n{cpr};2026-10-02;home_visit;completed\n")
    assert result.created == 1
    assert year_summary(copenhagen, 2026)["visits"] == first["visits"] + 2  # an import: computed again


@time_machine.travel("2026-12-06 10:00 +0100", tick=False)
@pytest.mark.parametrize("page", ["dashboard", "statistics"])
def test_the_pages_queries_do_not_grow_with_the_data(client, team_leader, admin_user, page):
    copenhagen = Municipality.objects.get(code="101")
    client.force_login(admin_user)
    url = reverse(page) + "?aar=2026"
    people(3, copenhagen)
    client.get(url)  # computed and cached
    small = queries(client, url)
    people(30, copenhagen)  # bulk-created: no signal, so the cache is emptied as a new version would
    from fhb import freshness

    freshness.changed(copenhagen.pk)
    client.get(url)
    large = queries(client, url)
    assert large == small, f"{page}: {small} queries with 3 citizens, {large} with 33"
