"""Django admin for technical administrators. CPR numbers are masked in lists; the access log is
read-only (append-only by design)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Citizen,
    CitizenAccess,
    District,
    ImportJob,
    Municipality,
    QualityStandard,
    RiskEvent,
    RiskGroup,
    Team,
    User,
)


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


@admin.register(Citizen)
class CitizenAdmin(SimpleHistoryAdmin):
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
class RiskEventAdmin(SimpleHistoryAdmin):
    list_display = ["citizen", "risk_group", "registered_on", "source"]
    list_filter = ["risk_group", "source"]
    raw_id_fields = ["citizen", "created_by"]


@admin.register(QualityStandard)
class QualityStandardAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "year", "exemption", "risk_window_months"]
    list_filter = ["municipality", "year"]


@admin.register(CitizenAccess)
class CitizenAccessAdmin(admin.ModelAdmin):
    list_display = ["accessed_at", "user", "citizen", "endpoint", "purpose"]
    list_filter = ["endpoint"]
    raw_id_fields = ["citizen", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["uploaded_at", "municipality", "kind", "filename", "status", "created", "updated", "rejected"]
    exclude = ["content", "errors"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name not in ("content", "errors")]
