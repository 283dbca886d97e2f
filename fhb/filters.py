"""Filter sets of the lists (web pages and API, django-filter): choice lists from the user's own
municipality, and the citizen list's filters. The reads they filter are the selectors'."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import cpr as cprlib
from .forms import DkfdsForm
from .models import Citizen, District, RiskEvent, RiskGroup, User
from .selectors import birth_date_bounds_for_age, citizen_search, districts_visible_to, risk_groups_visible_to


class MunicipalityFilterSet(django_filters.FilterSet):
    """A filter set whose choice lists (districts, risk groups, consultants) come from the user's
    own municipality: `scope_choices(user)` fills them."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user if request else None
        if user is not None and getattr(user, "is_municipality_staff", False):
            if "district" in self.filters:
                self.filters["district"].queryset = districts_visible_to(user)
            self.scope_choices(user)

    def scope_choices(self, user: User) -> None:
        """Set the querysets of the filters' choices that depend on the municipality."""

    def filter_district(self, queryset, name, value: District) -> QuerySet:
        return queryset.filter(**{self.postal_code_field + "__in": value.postal_codes or []})

    postal_code_field = "postal_code"


class CitizenFilter(MunicipalityFilterSet):
    """Filters of the citizen list, shared by the web page and the API."""

    name = django_filters.CharFilter(method="filter_name", label=_("Navn"))
    age_min = django_filters.NumberFilter(method="filter_age", label=_("Alder fra"), min_value=0, max_value=130)
    age_max = django_filters.NumberFilter(method="filter_age", label=_("Alder til"), min_value=0, max_value=130)
    postal_code = django_filters.CharFilter(field_name="postal_code", label=_("Postnummer"))
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.none(), method="filter_district", label=_("Distrikt"), empty_label=_("Alle")
    )
    risk_group = django_filters.ModelChoiceFilter(
        queryset=RiskGroup.objects.none(), method="filter_risk_group", label=_("Risikogruppe"), empty_label=_("Alle")
    )
    include_inactive = django_filters.BooleanFilter(
        method="filter_inactive", label=_("Vis også døde og fraflyttede"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Citizen
        form = DkfdsForm
        fields = ["name", "age_min", "age_max", "postal_code", "district", "risk_group", "include_inactive"]

    def scope_choices(self, user: User) -> None:
        self.filters["risk_group"].queryset = risk_groups_visible_to(user)

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("include_inactive"):
            queryset = queryset.alive_and_resident_on(timezone.localdate())
        return queryset

    def filter_name(self, queryset, name, value):
        if cprlib.looks_like_cpr(value):
            return queryset.none()  # CPR search goes through POST (never in a URL)
        return citizen_search(queryset, value)

    def filter_age(self, queryset, name, value):
        bound = int(value)
        today = timezone.localdate()
        if name == "age_min":
            return queryset.filter(birth_date_bounds_for_age(age_min=bound, age_max=None, on=today))
        return queryset.filter(birth_date_bounds_for_age(age_min=None, age_max=bound, on=today))

    def filter_risk_group(self, queryset, name, value: RiskGroup) -> QuerySet[Citizen]:
        return queryset.filter(Exists(RiskEvent.objects.filter(citizen=OuterRef("pk"), risk_group=value)))

    def filter_inactive(self, queryset, name, value):
        return queryset
