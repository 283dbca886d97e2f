"""The Django admin is the operator's: a municipality's users never reach it, whatever their flags,
and every citizen an operator looks at there is in the access log."""

import pytest
from django.urls import reverse

from fhb.models import CitizenAccess, RiskEvent, Role, User
from fhb.rules import same_municipality
from tests.factories import RiskEventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.MUNICIPALITY_ADMIN, Role.TEAM_LEADER, Role.CONSULTANT])
def test_municipal_users_never_reach_the_admin(client, role, citizen, other_citizen):
    user = UserFactory(role=role, is_staff=True)  # as the demo once made municipality admins
    client.force_login(user)
    for url in [
        reverse("admin:index"),
        reverse("admin:fhb_citizen_changelist"),
        reverse("admin:fhb_citizen_change", args=[other_citizen.pk]),
        reverse("admin:fhb_riskevent_add"),
        reverse("admin:fhb_lookup_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    posted = client.post(
        reverse("admin:fhb_riskevent_add"),
        {"citizen": other_citizen.pk, "risk_group": 1, "registered_on": "2026-03-01", "source": "other"},
    )
    assert posted.status_code == 302 and not RiskEvent.objects.exists()
    assert not CitizenAccess.objects.exists()


def test_a_permission_asked_without_an_object_is_no_for_the_boundary(citizen):
    user = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    assert same_municipality(user, None) is False
    assert not user.has_perm("fhb.view_citizen")  # as the admin asks it: for every citizen
    assert user.has_perm("fhb.view_citizen", citizen) and user.has_perm("fhb.view_citizens")


def test_an_operator_reads_and_every_citizen_shown_is_logged(client, citizen, other_citizen):
    operator = User.objects.create_superuser("drift", "drift@example.invalid", "x")
    client.force_login(operator)
    RiskEventFactory(citizen=other_citizen)

    assert client.get(reverse("admin:fhb_citizen_changelist")).status_code == 200
    listed = set(CitizenAccess.objects.filter(lookup__user=operator).values_list("citizen_id", "lookup__purpose"))
    assert listed == {(citizen.pk, "Drift (admin): liste"), (other_citizen.pk, "Drift (admin): liste")}

    CitizenAccess.objects.all().delete()
    assert client.get(reverse("admin:fhb_citizen_change", args=[other_citizen.pk])).status_code == 200
    assert client.get(reverse("admin:fhb_riskevent_changelist")).status_code == 200
    rows = list(CitizenAccess.objects.order_by("id").values_list("citizen_id", "lookup__purpose"))
    assert rows == [(other_citizen.pk, "Drift (admin): visning"), (other_citizen.pk, "Drift (admin): liste")]
