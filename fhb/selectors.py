"""Reads of the core domain. Every query of citizens starts from `citizens_visible_to(user)`, so the
municipality boundary is in one place."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import cpr as cprlib
from .forms import DkfdsForm
from .models import Citizen, CitizenAccess, District, RiskEvent, RiskGroup, User


def citizens_visible_to(user: User) -> QuerySet[Citizen]:
    if not getattr(user, "is_municipality_staff", False):
        return Citizen.objects.none()
    return Citizen.objects.filter(municipality_id=user.municipality_id)


def risk_events_visible_to(user: User) -> QuerySet[RiskEvent]:
    if not getattr(user, "is_municipality_staff", False):
        return RiskEvent.objects.none()
    return RiskEvent.objects.filter(citizen__municipality_id=user.municipality_id).select_related(
        "risk_group", "citizen"
    )


def risk_groups_visible_to(user: User) -> QuerySet[RiskGroup]:
    if not getattr(user, "is_municipality_staff", False):
        return RiskGroup.objects.none()
    return RiskGroup.objects.for_municipality(user.municipality).filter(is_active=True)


def citizen_search(queryset: QuerySet[Citizen], query: str) -> QuerySet[Citizen]:
    """A full CPR number (with or without hyphen) matches exactly; anything else matches names,
    every word against first or last name."""
    query = (query or "").strip()
    if not query:
        return queryset
    if cprlib.looks_like_cpr(query):
        try:
            return queryset.filter(cpr=cprlib.normalise(query))
        except cprlib.InvalidCpr:
            return queryset.none()
    for word in query.split():
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return queryset


def birth_date_bounds_for_age(*, age_min: int | None, age_max: int | None, on: dt.date) -> Q:
    """Citizens aged between age_min and age_max completed years on `on` (inclusive)."""
    q = Q()
    if age_min is not None:
        q &= Q(birth_date__lte=_years_before(on, age_min))
    if age_max is not None:
        q &= Q(birth_date__gt=_years_before(on, age_max + 1))
    return q


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year - years, day=28)


class MunicipalityFilterSet(django_filters.FilterSet):
    """A filter set whose choice lists (districts, risk groups, consultants) come from the user's
    own municipality: `scope_choices(user)` fills them."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user if request else None
        if user is not None and getattr(user, "is_municipality_staff", False):
            if "district" in self.filters:
                self.filters["district"].queryset = District.objects.filter(municipality_id=user.municipality_id)
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


def citizen_accesses(*, citizen: Citizen) -> QuerySet[CitizenAccess]:
    return CitizenAccess.objects.filter(citizen=citizen).select_related("lookup__user")


# An employee's look-ups are unusual when they reach this many citizens and this many times the
# median of the municipality's employees in the same period.
UNUSUAL_MIN_CITIZENS = 50
UNUSUAL_FACTOR = 3


def access_period_error(start: dt.date, end: dt.date) -> str | None:
    """Why a period of the access log cannot be shown, or None."""
    from .eligibility.rules import FIRST_YEAR, LAST_YEAR

    if end < start:
        return _("Perioden skal slutte efter, den begynder.")
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        return _("Perioden skal ligge mellem %(first)s og %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return None


def accesses_in_period(*, user: User, start: dt.date, end: dt.date, employee: User | None = None):
    """The periodic control of the access log (the municipality's own, by its admin): look-ups of
    the municipality's citizens from `start` to `end`, optionally by one employee."""
    tz = timezone.get_current_timezone()
    rows = CitizenAccess.objects.filter(
        citizen__municipality_id=user.municipality_id,
        lookup__accessed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        lookup__accessed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    if employee is not None:
        rows = rows.filter(lookup__user=employee)
    return rows


def accesses_by_employee(rows) -> list[dict]:
    """Per employee: look-ups, distinct citizens, first and last, and whether the volume is unusual
    (at least UNUSUAL_MIN_CITIZENS citizens and UNUSUAL_FACTOR times the median employee's)."""
    from django.db.models import Count, F, Max, Min

    per_user = list(
        rows.values(
            user_id=F("lookup__user_id"),
            username=F("lookup__user__username"),
            first_name=F("lookup__user__first_name"),
            last_name=F("lookup__user__last_name"),
        )
        .annotate(lookups=Count("lookup_id", distinct=True), citizens=Count("citizen_id", distinct=True))
        .annotate(first=Min("lookup__accessed_at"), last=Max("lookup__accessed_at"))
        .order_by("-citizens", "username")
    )
    counts = sorted(r["citizens"] for r in per_user)
    median = counts[len(counts) // 2] if counts else 0
    for r in per_user:
        r["name"] = f"{r['first_name']} {r['last_name']}".strip() or r["username"]
        r["unusual"] = r["citizens"] >= max(UNUSUAL_MIN_CITIZENS, UNUSUAL_FACTOR * median)
    return per_user


def citizen_eligibility(citizen: Citizen, *, year: int, as_of: dt.date):
    """The citizen's groups and the reasons for them in `year` (the pure function on their facts)."""
    from .eligibility import CitizenFacts, EligibilityError, eligibility_for, policy_for

    facts = CitizenFacts(
        cpr=citizen.cpr,
        birth_date=citizen.birth_date,
        household_size=citizen.household_size,
        personal_care=citizen.personal_care,
        practical_help=citizen.practical_help,
        deceased_on=citizen.deceased_on,
        moved_out_on=citizen.moved_out_on,
        risk_events=tuple(citizen.risk_events.values_list("risk_group__code", "registered_on")),
    )
    try:
        return eligibility_for(facts, year=year, as_of=as_of, policy=policy_for(citizen.municipality, year))
    except EligibilityError:
        return None
