"""Who may do what: role predicates (django `rules`) used by views, the API and templates.

Object rules always add the municipality boundary: staff see only their own municipality.
"""

import rules

from .models import Role


@rules.predicate
def is_staff_member(user) -> bool:
    return bool(getattr(user, "is_municipality_staff", False))


def _role(*roles):
    @rules.predicate(name=f"has_role_{'_or_'.join(roles)}")
    def predicate(user) -> bool:
        return is_staff_member(user) and user.role in roles

    return predicate


is_consultant = _role(Role.CONSULTANT)
is_team_leader = _role(Role.TEAM_LEADER)
is_municipality_admin = _role(Role.MUNICIPALITY_ADMIN)


@rules.predicate
def same_municipality(user, obj) -> bool:
    """The object belongs to the user's municipality. Asked without an object (as the Django admin
    asks whether a user may see a whole model) the answer is no: the rule does not hold for every
    object. A view that lists objects asks a role-level permission instead (below: the plural ones)
    and takes its rows from a selector, which applies the boundary."""
    if obj is None:
        return False
    municipality_id = getattr(obj, "municipality_id", None)
    if municipality_id is None and hasattr(obj, "citizen"):
        municipality_id = obj.citizen.municipality_id
    return municipality_id is not None and municipality_id == user.municipality_id


rules.add_perm("fhb.view_citizens", is_staff_member)
rules.add_perm("fhb.add_riskevents", is_staff_member)
rules.add_perm("fhb.view_citizenaccesses", is_municipality_admin)
rules.add_perm("fhb.view_citizen", is_staff_member & same_municipality)
rules.add_perm("fhb.add_riskevent", is_staff_member & same_municipality)
rules.add_perm("fhb.view_riskevent", is_staff_member & same_municipality)
rules.add_perm("fhb.import_registry", is_municipality_admin)
# The year's quality standard, and so its target groups: the admin and the team leader adopt it.
rules.add_perm("fhb.adopt_standard", is_municipality_admin | is_team_leader)
rules.add_perm("fhb.view_citizenaccess", is_municipality_admin & same_municipality)
rules.add_perm("fhb.view_citizen_history", (is_municipality_admin | is_team_leader) & same_municipality)
rules.add_perm("fhb.view_offers", is_staff_member)
rules.add_perm("fhb.export_offers", is_staff_member)
rules.add_perm("fhb.sync_offers", is_team_leader | is_municipality_admin)
rules.add_perm("fhb.change_offer", is_staff_member & same_municipality)
