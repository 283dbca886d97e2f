"""Demo data of the statistics (the `demo_seed` hook, after visits')."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from fhb.demo import Demo
from fhb.models import Citizen, Role, User
from visits.models import Visit, VisitOutcome

from .services import month_approve

# The share of visited citizens without home help who are granted it within a year (the registry's
# change history, which "how the targeting works" reads).
HELP_AFTER_VISIT = 0.15


def demo_seed(demo: Demo) -> dict:
    """The `demo_seed` hook: with a new population (and so its history of visits), last year's
    months were approved as the year went, except December (left for the demo)."""
    if not demo.new_population:
        return {}
    municipality, today = demo.municipality, demo.today
    admin = User.objects.filter(municipality=municipality, role=Role.MUNICIPALITY_ADMIN).first()
    for month in range(1, 12):
        month_approve(municipality=municipality, year=today.year - 1, month=month, user=admin)
    return {"home_help_granted": _home_help_after_visits(demo)}


def _home_help_after_visits(demo: Demo) -> int:
    """Some citizens visited last year or this year without home help were granted practical help
    one to eleven months after their visit (not after today): the registry's history, as an import
    of the registry would have recorded it on that day."""
    visits = (
        Visit.objects.filter(
            municipality=demo.municipality,
            outcome=VisitOutcome.COMPLETED,
            visit_date__year__gte=demo.today.year - 1,
            citizen__personal_care=False,
            citizen__practical_help=False,
        )
        .order_by("citizen_id", "visit_date")
        .values_list("citizen_id", "visit_date")
    )
    first: dict[int, dt.date] = {}
    for citizen_id, day in visits:
        first.setdefault(citizen_id, day)
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for citizen_id, day in sorted(first.items()):
        if demo.rng.random() < HELP_AFTER_VISIT:
            granted = day + dt.timedelta(days=demo.rng.randint(30, 330))
            if granted < demo.today:
                by_day[granted].append(citizen_id)
    tz = timezone.get_current_timezone()
    granted = 0
    for day, ids in sorted(by_day.items()):
        citizens = list(Citizen.objects.filter(pk__in=ids))
        for citizen in citizens:
            citizen.practical_help = True
        bulk_update_with_history(
            citizens, Citizen, ["practical_help"], default_change_reason="import",
            default_date=dt.datetime.combine(day, dt.time(6), tz),
        )  # fmt: skip
        granted += len(citizens)
    return granted
