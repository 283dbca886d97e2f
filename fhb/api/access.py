"""Reads of citizens' data through the API are written to the access log, like the pages: a detail
logs its citizen, a list every citizen on the page it returns, each with what was seen."""

from __future__ import annotations

from fhb.services import citizen_access_log


class AccessLoggedMixin:
    """For a ReadOnlyModelViewSet whose objects belong to a citizen (`citizen_field`)."""

    access_purpose = "API"
    citizen_field = "citizen"

    def _log(self, objects) -> None:
        citizens = {}
        for obj in objects:
            citizen = getattr(obj, self.citizen_field, None)
            if citizen is not None:
                citizens[citizen.pk] = citizen
        if citizens:
            citizen_access_log(
                user=self.request.user,
                citizens=list(citizens.values()),
                endpoint=self.request.path,
                purpose=self.access_purpose,
            )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            self._log(page)
        return page

    def get_object(self):
        """The detail and every read action on one object (e.g. a letter's free times)."""
        obj = super().get_object()
        if self.request.method == "GET":
            self._log([obj])
        return obj
