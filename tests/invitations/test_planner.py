"""The slot planner: never double-books, respects calendars, closed days (public holidays and the
municipality's closing days), absences, bookings, weekly caps and districts, and leaves a citizen
unplaced only when no covering consultant has a free slot in a week with room (property-based)."""

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from invitations.planner import Capacity, Demand, assign, booked_by_week, free_slots, monday, week_capacity
from visits.workdays import public_holidays

CPH = ZoneInfo("Europe/Copenhagen")
# Over Christmas and New Year: Juledag, Anden juledag and Nytårsdag fall inside.
START, END = dt.date(2026, 12, 14), dt.date(2027, 1, 8)
DAYS = (END - START).days
HOLIDAYS = frozenset(public_holidays(START, END))
POSTAL = ["8600", "8620", "8632", "8653", "8680"]


@st.composite
def capacities(draw):
    result = []
    # The municipality's own closing days (e.g. 24 and 31 December) beside the public holidays.
    own = draw(st.frozensets(st.integers(0, DAYS).map(lambda n: START + dt.timedelta(days=n)), max_size=4))
    closed = HOLIDAYS | own
    for cid in range(1, draw(st.integers(1, 4)) + 1):
        first = draw(st.integers(7, 11))
        visit = draw(st.sampled_from([45, 60, 90]))
        travel = draw(st.sampled_from([0, 15, 30]))
        step = visit + travel
        starts = tuple(dt.time(first + (i * step) // 60, (i * step) % 60) for i in range(draw(st.integers(1, 5))))
        absences = []
        for _ in range(draw(st.integers(0, 2))):
            a = START + dt.timedelta(days=draw(st.integers(0, DAYS)))
            absences.append((a, a + dt.timedelta(days=draw(st.integers(0, 3)))))
        busy = []
        for _ in range(draw(st.integers(0, 6))):
            day = START + dt.timedelta(days=draw(st.integers(0, DAYS)))
            begins = dt.datetime.combine(day, dt.time(draw(st.integers(7, 15)), draw(st.sampled_from([0, 30]))), CPH)
            busy.append((begins, begins + dt.timedelta(minutes=draw(st.sampled_from([30, 60, 120])))))
        districts = draw(st.none() | st.frozensets(st.sampled_from(POSTAL), min_size=1, max_size=3))
        result.append(
            Capacity(
                consultant_id=cid,
                weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1, max_size=5)),
                slot_starts=starts,
                visit_minutes=visit,
                travel_minutes=travel,
                postal_codes=districts,
                absences=tuple(absences),
                busy=tuple(busy),
                weekly_cap=draw(st.none() | st.integers(0, 12)),
                closed=closed,
            )
        )
    return result


@st.composite
def demands(draw):
    n = draw(st.integers(0, 80))
    return [
        Demand(
            key=i, postal_code=draw(st.sampled_from(POSTAL)), previous_consultant_id=draw(st.none() | st.integers(1, 4))
        )
        for i in range(n)
    ]


@settings(max_examples=150, deadline=None)
@given(caps=capacities(), wanted=demands())
def test_planner_never_double_books_and_respects_calendars(caps, wanted):
    not_before = dt.datetime(2026, 12, 2, 10, 0, tzinfo=CPH)
    plan = assign(wanted, caps, START, END, tz=CPH, not_before=not_before)
    by_id = {c.consultant_id: c for c in caps}
    postal = {d.key: d.postal_code for d in wanted}

    # Every citizen is either placed or unplaced, once.
    assert sorted(list(plan.assigned) + plan.unplaced) == sorted(d.key for d in wanted)

    intervals: dict[int, list] = {}
    for key, (cid, begins) in plan.assigned.items():
        cap = by_id[cid]
        day = begins.date()
        assert START <= day <= END
        assert begins >= not_before
        assert day.weekday() in cap.weekdays
        assert begins.timetz().replace(tzinfo=None) in cap.slot_starts
        assert not any(a <= day <= b for a, b in cap.absences)
        assert day not in cap.closed and day not in HOLIDAYS
        assert cap.covers(postal[key])
        ends = begins + dt.timedelta(minutes=cap.visit_minutes)
        travel = dt.timedelta(minutes=cap.travel_minutes)
        for b_start, b_end in cap.busy:  # existing bookings, travel buffer on both sides
            assert not (b_start < ends + travel and begins < b_end + travel)
        intervals.setdefault(cid, []).append((begins, ends))

    for spans in intervals.values():  # no double booking among the planned visits
        spans.sort()
        for (_, end1), (start2, _) in itertools.pairwise(spans):
            assert end1 <= start2

    # No consultant's week holds more than its capacity: its bookings count first.
    planned = Counter((cid, monday(begins.date())) for cid, begins in plan.assigned.values())
    for (cid, week), n in planned.items():
        cap = by_id[cid]
        assert n <= week_capacity(cap, week) - booked_by_week(cap, tz=CPH).get(week, 0)
        if cap.weekly_cap is not None:
            assert n + booked_by_week(cap, tz=CPH).get(week, 0) <= cap.weekly_cap

    # Unplaced only when every consultant covering the postal code is full: no free slot left in a
    # week that still has room.
    taken = {(cid, begins) for cid, begins in plan.assigned.values()}
    for key in plan.unplaced:
        for cap in caps:
            if cap.covers(postal[key]):
                free = free_slots(cap, START, END, tz=CPH, not_before=not_before)
                booked = booked_by_week(cap, tz=CPH)
                for day, slots in free.items():
                    week = monday(day)
                    room = week_capacity(cap, week) - booked.get(week, 0) - planned[(cap.consultant_id, week)]
                    left = [s for s in slots if (cap.consultant_id, s) not in taken]
                    assert not left or room <= 0


def test_closed_days_and_weekly_cap():
    """New Year's Day is never planned; a cap of 3 a week holds even with slots to spare; a week
    whose bookings fill the cap gets nothing."""
    cap = Capacity(
        consultant_id=1,
        weekdays=frozenset(range(5)),
        slot_starts=(dt.time(9), dt.time(11), dt.time(13)),
        visit_minutes=60,
        weekly_cap=3,
        closed=frozenset(public_holidays(dt.date(2026, 12, 28), dt.date(2027, 1, 15))) | {dt.date(2026, 12, 31)},
        busy=tuple(
            (dt.datetime(2027, 1, d, 9, tzinfo=CPH), dt.datetime(2027, 1, d, 10, tzinfo=CPH)) for d in (11, 12, 13)
        ),
    )
    assert week_capacity(cap, dt.date(2026, 12, 28)) == 3  # three open days (31/12 and 1/1 closed) x 3, capped
    plan = assign([Demand(k, "8600") for k in range(10)], [cap], dt.date(2026, 12, 28), dt.date(2027, 1, 15), tz=CPH)
    days = sorted(begins.date() for _, begins in plan.assigned.values())
    assert dt.date(2027, 1, 1) not in days and dt.date(2026, 12, 31) not in days
    assert Counter(monday(d) for d in days) == {dt.date(2026, 12, 28): 3, dt.date(2027, 1, 4): 3}
    assert len(plan.unplaced) == 4
    assert plan.free_before == 6


def test_continuity_and_geography():
    cap = dict(weekdays=frozenset(range(5)), slot_starts=(dt.time(9), dt.time(10, 30), dt.time(12)), visit_minutes=60)
    anna, bo = Capacity(consultant_id=1, **cap), Capacity(consultant_id=2, **cap)
    wanted = [Demand(1, "8600", previous_consultant_id=2)] + [Demand(k, "8600") for k in (2, 3)]
    wanted += [Demand(k, "8680") for k in (4, 5, 6)]
    plan = assign(wanted, [anna, bo], START, END, tz=CPH)
    assert plan.assigned[1][0] == 2  # the consultant who visited last time
    # Each consultant-day holds one postal code while empty days remain.
    days: dict = {}
    for key, (cid, begins) in plan.assigned.items():
        days.setdefault((cid, begins.date()), set()).add(wanted[key - 1].postal_code)
    assert all(len(codes) == 1 for codes in days.values())
    # Three 8600 citizens fill one day of the consultant before anybody else is used for 8600.
    assert len({(c, b.date()) for k, (c, b) in plan.assigned.items() if k <= 3}) == 1


def test_district_without_consultant_is_unplaced():
    cap = Capacity(
        consultant_id=1, weekdays=frozenset(range(5)), slot_starts=(dt.time(9),), visit_minutes=60,
        postal_codes=frozenset({"8600"}),
    )  # fmt: skip
    plan = assign([Demand(1, "8600"), Demand(2, "8680")], [cap], START, END, tz=CPH)
    assert 1 in plan.assigned and plan.unplaced == [2]
