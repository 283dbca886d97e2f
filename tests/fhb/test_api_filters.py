"""An id of another municipality's citizen (or consultant) in a filter is refused exactly like an
id that does not exist: no answer tells another municipality's ids apart from unknown ones."""

import pytest

from fhb.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/visits/", "citizen"),
        ("/api/v1/risk-events/", "citizen"),
        ("/api/v1/bookings/", "citizen"),
        ("/api/v1/follow-ups/", "citizen"),
        ("/api/v1/event-registrations/", "citizen"),
        ("/api/v1/bookings/", "consultant"),
    ],
)
def test_another_municipalitys_id_answers_as_an_unknown_id(client, citizen, other_citizen, url, field):
    client.force_login(UserFactory(role=Role.TEAM_LEADER))
    other_user = UserFactory(role=Role.CONSULTANT, municipality=other_citizen.municipality)
    theirs = other_citizen.pk if field == "citizen" else other_user.pk
    unknown = client.get(url, {field: 999999})
    foreign = client.get(url, {field: theirs})
    assert unknown.status_code == foreign.status_code == 400
    assert list(unknown.json()) == list(foreign.json()) == [field]
    mine = citizen.pk if field == "citizen" else UserFactory(role=Role.CONSULTANT).pk
    assert client.get(url, {field: mine}).status_code == 200
