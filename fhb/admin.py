"""Django admin for the operator's superusers (fhb/admin_site.py). CPR numbers are masked in lists;
the access log is read-only (append-only by design); every citizen whose data a page shows is
written to the access log, as in the app."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Citizen,
    CitizenAccess,
    District,
    ImportJob,
    Lookup,
    Municipality,
    QualityStandard,
    RiskEvent,
    RiskGroup,
    Team,
    User,
)
from .services import citizen_access_log


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "district"]
    list_filter = ["municipality"]


@admin.register(User)
class FhbUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "municipality", "team", "role", "is_active"]
    list_filter = ["municipality", "role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("fhb", {"fields": ["municipality", "team", "role", "title", "phone"]}))


class AccessLoggedAdmin:
    """Writes who looked at which citizens: each citizen on a list page, the one a page shows."""

    @staticmethod
    def citizen_of(obj) -> Citizen:
        return obj if isinstance(obj, Citizen) else obj.citizen

    def _log(self, request, objects, purpose: str) -> None:
        citizens = {c.pk: c for c in (self.citizen_of(o) for o in objects) if c is not None}
        if citizens:
            citizen_access_log(
                user=request.user, citizens=list(citizens.values()), endpoint=request.path, purpose=purpose
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self._log(request, changelist.result_list, "Drift (admin): liste")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and getattr(response, "status_code", 200) == 200:
            self._log(request, [obj], "Drift (admin): visning")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None:
            self._log(request, [obj], "Drift (admin): historik")
        return response


@admin.register(Citizen)
class CitizenAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "municipality", "birth_date", "postal_code"]
    list_filter = ["municipality"]
    search_fields = ["last_name", "first_name"]
    exclude = ["cpr"]
    readonly_fields = ["cpr_masked", "birth_date", "sex"]
    history_list_display = ["household_size", "civil_status"]


@admin.register(RiskGroup)
class RiskGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "municipality", "is_active"]
    list_filter = ["municipality", "is_active"]


@admin.register(RiskEvent)
class RiskEventAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["citizen", "risk_group", "registered_on", "source"]
    list_filter = ["risk_group", "source"]
    raw_id_fields = ["citizen", "created_by"]


@admin.register(QualityStandard)
class QualityStandardAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "year", "exemption", "risk_window_months"]
    list_filter = ["municipality", "year"]


class CitizenAccessInline(admin.TabularInline):
    model = CitizenAccess
    raw_id_fields = ["citizen"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lookup)
class LookupAdmin(admin.ModelAdmin):
    """The access log, read-only. Its own reads are logged: the citizens a look-up lists are
    personal data too."""

    list_display = ["accessed_at", "user", "endpoint", "purpose", "citizen_count"]
    list_filter = ["endpoint"]
    raw_id_fields = ["user"]
    inlines = [CitizenAccessInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        lookup = self.get_object(request, object_id)
        if lookup is not None and getattr(response, "status_code", 200) == 200:
            citizen_access_log(
                user=request.user, citizens=list(lookup.citizens.all()), endpoint=request.path,
                purpose="Drift (admin): opslagslog",
            )  # fmt: skip
        return response


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["uploaded_at", "municipality", "kind", "filename", "status", "created", "updated", "rejected"]
    exclude = ["upload", "errors"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name not in ("upload", "errors")]
