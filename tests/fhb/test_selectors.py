"""The municipality boundary's one place (`fhb.selectors.visible_to`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fhb.models import Citizen, RiskEvent, Role
from fhb.selectors import staff_visible_to, visible_to
from tests.factories import CitizenFactory, RiskEventFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_municipalities():
    ours = CitizenFactory(municipality=municipality("101"))
    theirs = CitizenFactory(municipality=municipality("147"))
    RiskEventFactory(citizen=ours)
    RiskEventFactory(citizen=theirs)
    return ours, theirs


def test_staff_see_their_own_municipality_only(two_municipalities):
    ours, _theirs = two_municipalities
    user = UserFactory(municipality=municipality("101"))
    assert list(visible_to(user, Citizen)) == [ours]
    assert list(visible_to(user, Citizen.objects.order_by("id"))) == [ours]  # a queryset narrows the same way
    assert [e.citizen for e in visible_to(user, RiskEvent, via="citizen__municipality")] == [ours]


@pytest.mark.parametrize(
    "who",
    [
        lambda: AnonymousUser(),
        lambda: UserFactory(municipality=None, role=""),  # an operator
        lambda: UserFactory(municipality=municipality("101"), is_active=False),
        lambda: UserFactory(municipality=municipality("101"), role=""),
    ],
)
def test_anyone_else_sees_nothing(two_municipalities, who):
    assert not visible_to(who(), Citizen).exists()
    assert not visible_to(who(), RiskEvent, via="citizen__municipality").exists()


def test_staff_by_role():
    here = municipality("101")
    leader = UserFactory(municipality=here, role=Role.TEAM_LEADER)
    consultant = UserFactory(municipality=here, role=Role.CONSULTANT)
    UserFactory(municipality=municipality("147"), role=Role.CONSULTANT)
    gone = UserFactory(municipality=here, role=Role.CONSULTANT, is_active=False)
    assert set(staff_visible_to(leader)) == {leader, consultant, gone}
    assert list(staff_visible_to(leader, roles=[Role.CONSULTANT], active_only=True)) == [consultant]
