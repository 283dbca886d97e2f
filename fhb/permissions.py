"""Permission checks shared by the web views and the API."""

from django.contrib.auth.mixins import AccessMixin
from rest_framework.permissions import BasePermission

from .rules import is_staff_member


class IsMunicipalityStaff(BasePermission):
    """The API's default: an authenticated, active member of a municipality with a role.
    Querysets are always scoped to that municipality (selectors)."""

    message = "Du skal være medarbejder i en kommune med en rolle for at bruge API'et."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_staff_member(request.user))


def HasPerm(perm: str, object_perm: str | None = None):  # noqa: N802 - reads like a class in permission_classes
    """`perm` for the request (a role), `object_perm` (default `perm`) for the object it acts on."""

    class _HasPerm(BasePermission):
        message = "Din rolle giver ikke adgang til denne handling."

        def has_permission(self, request, view) -> bool:
            return request.user.has_perm(perm)

        def has_object_permission(self, request, view, obj) -> bool:
            return request.user.has_perm(object_perm or perm, obj)

    _HasPerm.__name__ = f"HasPerm[{perm}]"
    return _HasPerm


class StaffRequiredMixin(AccessMixin):
    """Web views: logged in, active, with a municipality and a role; `permission_required` if set."""

    permission_required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_member(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        if self.permission_required and not request.user.has_perm(self.permission_required):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
