"""Every API route answers a format suffix (`.json`) with a 404 instead of a 500; the format is
chosen by the Accept header or `?format=`."""

import pytest
from django.urls import get_resolver

from fhb.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api_paths() -> list[str]:
    """Every API URL pattern, with 1 for each id."""
    out = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            elif route.startswith("api/v1/"):
                out.append(route)

    walk(get_resolver().url_patterns)
    return out


def test_there_are_no_suffix_routes():
    paths = api_paths()
    assert len(paths) > 30
    assert not [p for p in paths if "format" in p]


@pytest.mark.parametrize(
    "url", ["/api/v1/citizens/1/eligibility.json/", "/api/v1/offers/summary.json", "/api/v1/bookings/1/cancel.json/"]
)
def test_a_suffix_is_not_found(client, citizen, url):
    client.force_login(UserFactory(role=Role.TEAM_LEADER))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_format_by_query(client, citizen):
    client.force_login(UserFactory(role=Role.TEAM_LEADER))
    assert client.get("/api/v1/offers/summary/", {"format": "json"}).status_code == 200
