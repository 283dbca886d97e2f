"""The calendar arithmetic the engine applies to the rule sets. The rule sets themselves, keyed by
the date they took effect, are the law's (`fhb.law`, domain.md § 2): a new legal basis is a new
module there plus its tests, not a change to the engine (oracle.py, query.py)."""

from __future__ import annotations

import datetime as dt


def window_start(as_of: dt.date, months: int) -> dt.date:
    """`months` calendar months before `as_of` (a day missing in the target month clamps to its end)."""
    month_index = as_of.year * 12 + as_of.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (as_of.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day`; a 29 February birthday counts from 1 March in other years."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
