"""Single sign-on: KOMBIT privileges become the user's municipality and role."""

import base64

import pytest

from fhb.auth import Privilege, privileges_parse, staff_sync_from_privileges
from fhb.errors import DomainError
from fhb.models import Municipality, Role
from tests.factories import UserFactory

BPP = """<?xml version="1.0" encoding="UTF-8"?>
<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{cvr}">
    {privileges}
  </PrivilegeGroup>
</bpp:PrivilegeList>"""
ROLE = "<Privilege>http://kombit.dk/roles/usersystemrole/{name}/1</Privilege>"


def encoded(cvr: str, *roles: str) -> str:
    xml = BPP.format(cvr=cvr, privileges="".join(ROLE.format(name=r) for r in roles))
    return base64.b64encode(xml.encode()).decode()


@pytest.fixture
def cph(db):
    municipality = Municipality.objects.get(code="101")
    municipality.cvr = "64942212"
    municipality.save()
    return municipality


def test_parse_privileges():
    assert privileges_parse(encoded("64942212", "fhb_konsulent", "other_system")) == [
        Privilege("64942212", "http://kombit.dk/roles/usersystemrole/fhb_konsulent/1"),
        Privilege("64942212", "http://kombit.dk/roles/usersystemrole/other_system/1"),
    ]
    with pytest.raises(DomainError):
        privileges_parse("not base64!")


def test_highest_role_in_known_municipality_wins(cph):
    user = UserFactory(municipality=None, role="")
    privileges = privileges_parse(encoded("64942212", "fhb_konsulent", "fhb_teamleder"))
    staff_sync_from_privileges(user=user, privileges=privileges)
    user.refresh_from_db()
    assert (user.municipality, user.role) == (cph, Role.TEAM_LEADER)


def test_withdrawn_or_foreign_privileges_remove_the_role(cph):
    user = UserFactory(role=Role.MUNICIPALITY_ADMIN)
    staff_sync_from_privileges(user=user, privileges=privileges_parse(encoded("99999999", "fhb_admin")))
    user.refresh_from_db()
    assert user.role == "" and not user.is_municipality_staff


def test_role_map_can_be_configured(cph, settings):
    settings.FHB = dict(settings.FHB, SAML_ROLE_MAP={"forebyggelse_leder": Role.TEAM_LEADER})
    user = UserFactory(role="")
    staff_sync_from_privileges(user=user, privileges=privileges_parse(encoded("64942212", "forebyggelse_leder")))
    assert user.role == Role.TEAM_LEADER
