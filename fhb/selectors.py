"""Reads of the core domain. Every query of citizens starts from `citizens_visible_to(user)`, so the
municipality boundary is in one place."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import cpr as cprlib
from . import hooks
from .eligibility import CitizenFacts, EligibilityError, eligibility_for, policy_for
from .law import FIRST_YEAR, LAST_YEAR, TARGET_GROUP_LABELS, legal_basis_for_year
from .models import Citizen, CitizenAccess, District, ImportJob, QualityStandard, RiskEvent, RiskGroup, User


def visible_to(user: User, rows, *, via: str = "municipality") -> QuerySet:
    """The municipality boundary, the one place it is applied: of `rows` (a model or a queryset),
    those of the user's own municipality, found through the `via` relation; none for a user
    without one (an operator, an anonymous request). Every view, API view and export starts here,
    through the selectors of its app."""
    queryset = rows._default_manager.all() if isinstance(rows, type) else rows
    if not getattr(user, "is_municipality_staff", False):
        return queryset.none()
    return queryset.filter(**{f"{via}_id": user.municipality_id})


def citizens_visible_to(user: User) -> QuerySet[Citizen]:
    return visible_to(user, Citizen)


def risk_events_visible_to(user: User) -> QuerySet[RiskEvent]:
    return visible_to(user, RiskEvent, via="citizen__municipality").select_related("risk_group", "citizen")


def risk_groups_visible_to(user: User) -> QuerySet[RiskGroup]:
    if not getattr(user, "is_municipality_staff", False):
        return RiskGroup.objects.none()
    return RiskGroup.objects.for_municipality(user.municipality).filter(is_active=True)


def staff_visible_to(user: User, *, roles=None, active_only: bool = False) -> QuerySet[User]:
    """The staff of the user's municipality (of `roles`, if given)."""
    staff = visible_to(user, User)
    if roles is not None:
        staff = staff.filter(role__in=roles)
    return staff.filter(is_active=True) if active_only else staff


def districts_visible_to(user: User) -> QuerySet[District]:
    return visible_to(user, District)


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    return visible_to(user, ImportJob)


def citizen_search(queryset: QuerySet[Citizen], query: str) -> QuerySet[Citizen]:
    """A full CPR number (with or without hyphen) matches exactly; anything else matches names and
    addresses: every word against first name, last name, address, postal code or city ("Granvej 78",
    "Jensen 8600")."""
    query = (query or "").strip()
    if not query:
        return queryset
    if cprlib.looks_like_cpr(query):
        try:
            return queryset.filter(cpr=cprlib.normalise(query))
        except cprlib.InvalidCpr:
            return queryset.none()
    for word in query.split():
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(address__icontains=word)
            | Q(postal_code=word)
            | Q(city__icontains=word)
        )
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


def citizen_accesses(*, citizen: Citizen) -> QuerySet[CitizenAccess]:
    return CitizenAccess.objects.filter(citizen=citizen).select_related("lookup__user")


# An employee's look-ups are unusual when they reach this many citizens and this many times the
# median of the municipality's employees in the same period.
UNUSUAL_MIN_CITIZENS = 50
UNUSUAL_FACTOR = 3


def access_period_error(start: dt.date, end: dt.date) -> str | None:
    """Why a period of the access log cannot be shown, or None."""
    if end < start:
        return _("Perioden skal slutte efter, den begynder.")
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        return _("Perioden skal ligge mellem %(first)s og %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return None


def accesses_in_period(*, user: User, start: dt.date, end: dt.date, employee: User | None = None):
    """The periodic control of the access log (the municipality's own, by its admin): look-ups of
    the municipality's citizens from `start` to `end`, optionally by one employee."""
    tz = timezone.get_current_timezone()
    rows = visible_to(user, CitizenAccess, via="citizen__municipality").filter(
        lookup__accessed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        lookup__accessed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    if employee is not None:
        rows = rows.filter(lookup__user=employee)
    return rows


def accesses_by_employee(rows) -> list[dict]:
    """Per employee: look-ups, distinct citizens, first and last, and whether the volume is unusual
    (at least UNUSUAL_MIN_CITIZENS citizens and UNUSUAL_FACTOR times the median employee's)."""
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


def target_group_labels(municipality_id: int | None) -> dict[str, str]:
    """Every target group's name for the municipality: the statutory groups', and its own groups'
    from its quality standards (a later year's name wins; a group dropped since keeps its name)."""
    labels = {code: str(label) for code, label in TARGET_GROUP_LABELS.items()}
    if municipality_id is None:
        return labels
    standards = QualityStandard.objects.filter(municipality_id=municipality_id).order_by("year")
    for groups in standards.values_list("target_groups", flat=True):
        labels.update({g["code"]: g["label"] for g in groups or []})
    return labels


def year_legal_basis(municipality_id: int, year: int) -> str:
    """What the municipality's target groups rest on in `year` (its own groups from 2026, when its
    standard for the year has them)."""
    from_standard = QualityStandard.objects.filter(municipality_id=municipality_id, year=year).values_list(
        "target_groups", flat=True
    )
    return legal_basis_for_year(year, local_groups=bool(next(iter(from_standard), None)))


def citizen_visit_years(citizen: Citizen) -> frozenset[int]:
    """The years in which the citizen had a visit that counts (visits contributes them)."""
    years: set[int] = set()
    for counted in hooks.get_hooks("counted_visits"):
        years |= {d.year for d in counted().filter(citizen=citizen).dates("visit_date", "year")}
    return frozenset(years)


def citizen_eligibility(citizen: Citizen, *, year: int, as_of: dt.date):
    """The citizen's groups and the reasons for them in `year` (the pure function on their facts)."""
    facts = CitizenFacts(
        cpr=citizen.cpr,
        birth_date=citizen.birth_date,
        household_size=citizen.household_size,
        personal_care=citizen.personal_care,
        practical_help=citizen.practical_help,
        deceased_on=citizen.deceased_on,
        moved_out_on=citizen.moved_out_on,
        risk_events=tuple(citizen.risk_events.values_list("risk_group__code", "registered_on")),
        visit_years=citizen_visit_years(citizen),
    )
    try:
        return eligibility_for(facts, year=year, as_of=as_of, policy=policy_for(citizen.municipality, year))
    except EligibilityError:
        return None
