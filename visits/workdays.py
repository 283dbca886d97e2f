"""Working days: which days the prevention team visits. A day is closed when it is a Danish public
holiday (the kept `holidays` library, Danish names; Store Bededag is gone from 2024 as the law
says) or one of the municipality's own closing days (`ClosingDay`, edited on the capacity page).
The planner, the slot picker and bookings use `closed_days`; absences are the consultant's own
(`Absence`) and stay where they are."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .models import ClosingDay


@lru_cache(maxsize=64)
def _public_year(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("DK", years=[year], language="da").items())


def public_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Denmark's public holidays in [start, end], by their Danish names."""
    days: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        days.update({d: n for d, n in _public_year(year).items() if start <= d <= end})
    return days


def closed_days(municipality_id: int, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Every day in [start, end] on which no visit is planned or booked, with its name."""
    days = public_holidays(start, end)
    for date, name in ClosingDay.objects.filter(municipality_id=municipality_id, date__range=(start, end)).values_list(
        "date", "name"
    ):
        days.setdefault(date, name)
    return dict(sorted(days.items()))


def closed_reason(municipality_id: int, day: dt.date) -> str | None:
    """The day's name when it is closed ("Nytårsdag"), else None."""
    return closed_days(municipality_id, day, day).get(day)
