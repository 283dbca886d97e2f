"""The slot planner: give every date-letter citizen a concrete visit time with a consultant.

Pure Python over plain values (no ORM), so it can be tested on any calendar hypothesis can think
of. The rules:
- a slot lies on one of the consultant's weekdays, at one of their day's start times, inside the
  period, not on a closed day (public holiday or the municipality's closing day, `visits.workdays`)
  nor an absence day, not before `not_before`, and does not overlap an existing booking (travel
  buffer included on both sides) or another planned visit;
- a consultant's week never holds more visits than its capacity (`week_capacity`: the calendar's
  open slots that week, at most the weekly cap); existing bookings count first. The dashboard
  shows the same figure;
- a citizen is planned only with a consultant covering their postal code (a consultant without
  districts covers the whole municipality);
- continuity: the consultant who visited last time is tried first;
- geography: a consultant's day is filled with citizens of one postal code before another postal code
  is started on it; a new postal code prefers an empty day, and otherwise the day whose postal codes
  are numerically nearest (neighbouring Danish postal codes are mostly neighbouring areas);
- the rest is spread over the consultants by load.
Citizens who cannot be placed are returned as unplaced, never squeezed in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Capacity:
    """One consultant's calendar as the planner sees it."""

    consultant_id: int
    weekdays: frozenset[int]
    slot_starts: tuple[dt.time, ...]
    visit_minutes: int
    travel_minutes: int = 0
    postal_codes: frozenset[str] | None = None  # None: the whole municipality
    absences: tuple[tuple[dt.date, dt.date], ...] = ()
    busy: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # existing bookings [start, end)
    weekly_cap: int | None = None  # visits a week at most (None: what the calendar holds)
    closed: frozenset[dt.date] = frozenset()  # public holidays and closing days

    def covers(self, postal_code: str) -> bool:
        return self.postal_codes is None or postal_code in self.postal_codes


@dataclass(frozen=True)
class Demand:
    key: int  # the offer
    postal_code: str
    previous_consultant_id: int | None = None


@dataclass
class Plan:
    assigned: dict[int, tuple[int, dt.datetime]] = field(default_factory=dict)
    unplaced: list[int] = field(default_factory=list)
    free_before: int = 0  # free slots in the period before planning
    load: dict[int, dict[dt.date, int]] = field(default_factory=dict)  # consultant -> day -> visits planned

    @property
    def free_after(self) -> int:
        return self.free_before - len(self.assigned)


def _absent(day: dt.date, absences) -> bool:
    return any(start <= day <= end for start, end in absences)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def open_day(capacity: Capacity, day: dt.date) -> bool:
    """The consultant visits on this day: one of their weekdays, not closed, not absent."""
    return day.weekday() in capacity.weekdays and day not in capacity.closed and not _absent(day, capacity.absences)


def week_capacity(capacity: Capacity, week: dt.date) -> int:
    """Visits the consultant can take in the week starting on Monday `week`: their calendar's slots
    on the week's open days, at most the weekly cap. The one capacity figure: the planner fills it,
    the dashboard and the batch preview show it."""
    days = sum(1 for i in range(7) if open_day(capacity, week + dt.timedelta(days=i)))
    slots = days * len(capacity.slot_starts)
    return slots if capacity.weekly_cap is None else min(slots, capacity.weekly_cap)


def booked_by_week(capacity: Capacity, *, tz: ZoneInfo) -> dict[dt.date, int]:
    """The consultant's existing bookings per week (Monday), by their local start day."""
    weeks: dict[dt.date, int] = defaultdict(int)
    for begins, _ends in capacity.busy:
        weeks[monday(begins.astimezone(tz).date())] += 1
    return dict(weeks)


def free_slots(
    capacity: Capacity, start: dt.date, end: dt.date, *, tz: ZoneInfo, not_before: dt.datetime | None = None
) -> dict[dt.date, list[dt.datetime]]:
    """The consultant's free slot starts per day, earliest first: open days only, and none in a week
    whose bookings already fill its capacity."""
    length = dt.timedelta(minutes=capacity.visit_minutes)
    travel = dt.timedelta(minutes=capacity.travel_minutes)
    busy = sorted(capacity.busy)
    booked = booked_by_week(capacity, tz=tz)
    days: dict[dt.date, list[dt.datetime]] = {}
    day = start
    while day <= end:
        week = monday(day)
        if open_day(capacity, day) and booked.get(week, 0) < week_capacity(capacity, week):
            slots = []
            for time in capacity.slot_starts:
                begins = dt.datetime.combine(day, time, tzinfo=tz)
                if not_before is not None and begins < not_before:
                    continue
                ends = begins + length
                if any(b_start < ends + travel and begins < b_end + travel for b_start, b_end in busy):
                    continue
                slots.append(begins)
            if slots:
                days[day] = slots
        day += dt.timedelta(days=1)
    return days


def week_room(capacity: Capacity, free: dict[dt.date, list[dt.datetime]], *, tz: ZoneInfo) -> dict[dt.date, int]:
    """Visits still to be had per week (Monday) of the free days: the week's capacity less its
    bookings."""
    booked = booked_by_week(capacity, tz=tz)
    return {w: max(week_capacity(capacity, w) - booked.get(w, 0), 0) for w in {monday(d) for d in free}}


def free_total(free: dict[dt.date, list[dt.datetime]], room: dict[dt.date, int]) -> int:
    """The visits that can still be planned: free slots per week, at most the week's room."""
    per_week: dict[dt.date, int] = defaultdict(int)
    for day, slots in free.items():
        per_week[monday(day)] += len(slots)
    return sum(min(n, room.get(w, 0)) for w, n in per_week.items())


def free_visits(capacity: Capacity, start: dt.date, end: dt.date, *, tz: ZoneInfo, not_before=None) -> int:
    """How many visits the consultant can still take in [start, end] (the capacity page's figure)."""
    free = free_slots(capacity, start, end, tz=tz, not_before=not_before)
    return free_total(free, week_room(capacity, free, tz=tz))


def _distance(postal_code: str, codes: set[str]) -> int:
    try:
        number = int(postal_code)
        return min(abs(number - int(c)) for c in codes)
    except ValueError:
        return 10_000


def assign(
    demands: list[Demand],
    capacities: list[Capacity],
    start: dt.date,
    end: dt.date,
    *,
    tz: ZoneInfo,
    not_before: dt.datetime | None = None,
) -> Plan:
    free = {c.consultant_id: free_slots(c, start, end, tz=tz, not_before=not_before) for c in capacities}
    by_id = {c.consultant_id: c for c in capacities}
    room = {c.consultant_id: week_room(c, free[c.consultant_id], tz=tz) for c in capacities}
    plan = Plan(free_before=sum(free_total(free[cid], room[cid]) for cid in room))
    postals: dict[tuple[int, dt.date], set[str]] = defaultdict(set)
    load: dict[int, int] = dict.fromkeys(by_id, 0)

    def best_slot(candidates: list[int], postal_code: str):
        """(consultant, day) by the geographic rules, or None when the candidates are full."""
        same = empty = other = None
        for cid in candidates:
            for day, slots in free[cid].items():
                if not slots or not room[cid][monday(day)]:
                    continue
                here = postals.get((cid, day))
                if here and postal_code in here:
                    key = (day, load[cid], cid)
                    if same is None or key < same[0]:
                        same = (key, cid, day)
                elif not here:
                    key = (day, load[cid], cid)
                    if empty is None or key < empty[0]:
                        empty = (key, cid, day)
                elif same is None and empty is None:
                    key = (_distance(postal_code, here), day, load[cid], cid)
                    if other is None or key < other[0]:
                        other = (key, cid, day)
        chosen = same or empty or other
        return None if chosen is None else (chosen[1], chosen[2])

    for demand in sorted(demands, key=lambda d: (d.postal_code, d.key)):
        covering = [cid for cid, c in by_id.items() if c.covers(demand.postal_code)]
        choice = None
        previous = demand.previous_consultant_id
        if previous in covering:
            choice = best_slot([previous], demand.postal_code)
        if choice is None:
            choice = best_slot(covering, demand.postal_code)
        if choice is None:
            plan.unplaced.append(demand.key)
            continue
        cid, day = choice
        begins = free[cid][day].pop(0)
        room[cid][monday(day)] -= 1
        postals[(cid, day)].add(demand.postal_code)
        load[cid] += 1
        plan.assigned[demand.key] = (cid, begins)
        plan.load.setdefault(cid, {}).setdefault(day, 0)
        plan.load[cid][day] += 1
    return plan
