"""Staff single sign-on through KOMBIT's Fælleskommunal Adgangsstyring (SAML 2.0, OIOSAML 3).

The Context Handler sends the user's privileges as an OIO-BPP document (base64 XML): user-system
roles, each scoped to an organisation (the municipality's CVR number). `staff_sync_from_privileges`
turns them into the user's fhb municipality and role; the djangosaml2 backend below calls it on
every login, so a role withdrawn in the municipality's IdP is withdrawn here at the next login.
Enabled by SAML_METADATA_FILE (see settings); local login stays for the demo and break-glass admins.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .errors import DomainError
from .models import Municipality, Role, User

PRIVILEGES_ATTRIBUTE = "dk:gov:saml:attribute:Privileges_intermediate"
# The end of a user-system role URI -> fhb role; a municipality may rename via FHB["SAML_ROLE_MAP"].
DEFAULT_ROLE_MAP = {
    "fhb_konsulent": Role.CONSULTANT,
    "fhb_teamleder": Role.TEAM_LEADER,
    "fhb_admin": Role.MUNICIPALITY_ADMIN,
}
ROLE_RANK = [Role.CONSULTANT, Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN]


@dataclass(frozen=True)
class Privilege:
    scope_cvr: str
    role_uri: str


def privileges_parse(encoded: str) -> list[Privilege]:
    """Parse an OIO-BPP PrivilegeList (base64 XML). Raises DomainError on a malformed document."""
    try:
        root = ET.fromstring(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ET.ParseError, ValueError) as exc:
        raise DomainError(f"Rettighederne fra adgangsstyringen kan ikke læses ({exc}).") from None
    privileges = []
    for group in root.iter():
        if not group.tag.endswith("PrivilegeGroup"):
            continue
        scope = group.get("Scope", "")
        cvr = scope.rsplit(":", 1)[-1] if "cvrNumberIdentifier" in scope else ""
        for privilege in group:
            if privilege.tag.endswith("Privilege") and privilege.text:
                privileges.append(Privilege(scope_cvr=cvr, role_uri=privilege.text.strip()))
    return privileges


def _role_of(uri: str) -> str | None:
    role_map = settings.FHB.get("SAML_ROLE_MAP") or DEFAULT_ROLE_MAP
    parts = [p for p in uri.rstrip("/").split("/") if p]
    for part in reversed(parts[-2:]):  # ".../usersystemrole/fhb_konsulent/1" or ".../fhb_konsulent"
        if part in role_map:
            return role_map[part]
    return None


@transaction.atomic
def staff_sync_from_privileges(*, user: User, privileges: list[Privilege]) -> User:
    """Set the user's municipality and highest fhb role from their privileges. No fhb privilege in
    a known municipality leaves the user without a role: logged in, but seeing nothing."""
    by_cvr = {m.cvr: m for m in Municipality.objects.exclude(cvr="")}
    granted: list[tuple[int, Municipality, str]] = []
    for privilege in privileges:
        role = _role_of(privilege.role_uri)
        municipality = by_cvr.get(privilege.scope_cvr)
        if role and municipality:
            granted.append((ROLE_RANK.index(role), municipality, role))
    if granted:
        _, user.municipality, user.role = max(granted, key=lambda g: g[0])
    else:
        user.role = ""
    user.save()
    return user


try:  # the SAML backend exists only where djangosaml2 is installed (requirements.txt)
    from djangosaml2.backends import Saml2Backend
except ImportError:  # pragma: no cover
    Saml2Backend = None

if Saml2Backend is not None:

    class KombitSaml2Backend(Saml2Backend):
        """djangosaml2 backend that maps KOMBIT privileges onto fhb roles at every login."""

        def _update_user(self, user, attributes: dict, attribute_mapping: dict, force_save: bool = False):
            user = super()._update_user(user, attributes, attribute_mapping, force_save=True)
            encoded = (attributes.get(PRIVILEGES_ATTRIBUTE) or [""])[0]
            return staff_sync_from_privileges(user=user, privileges=privileges_parse(encoded) if encoded else [])
