"""The Django admin is the operator's tool, not a municipal user's: only active superusers reach it
(created with `manage.py createsuperuser`, with no municipality, so they cannot use the app
itself). A municipality's admin works in the app, where every query is bounded by their
municipality; `is_staff` alone opens nothing here. Every read of a citizen's data in the admin is
written to the access log (fhb/admin.py)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OperatorAdminSite(admin.AdminSite):
    site_header = "fhb — drift"
    site_title = "fhb — drift"

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "fhb.admin_site.OperatorAdminSite"
