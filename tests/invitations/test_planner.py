"""The slot planner: never double-books, respects calendars, absences, bookings and districts, and
leaves a citizen unplaced only when no covering consultant has a free slot (property-based)."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from invitations.planner import Capacity, Demand, assign, free_slots

CPH = ZoneInfo("Europe/Copenhagen")
START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 14)
POSTAL = ["8600", "8620", "8632", "8653", "8680"]


@st.composite
def capacities(draw):
    result = []
    for cid in range(1, draw(st.integers(1, 4)) + 1):
        first = draw(st.integers(7, 11))
        visit = draw(st.sampled_from([45, 60, 90]))
        travel = draw(st.sampled_from([0, 15, 30]))
        step = visit + travel
        starts = tuple(dt.time(first + (i * step) // 60, (i * step) % 60) for i in range(draw(st.integers(1, 5))))
        absences = []
        for _ in range(draw(st.integers(0, 2))):
            a = START + dt.timedelta(days=draw(st.integers(0, 13)))
            absences.append((a, a + dt.timedelta(days=draw(st.integers(0, 3)))))
        busy = []
        for _ in range(draw(st.integers(0, 4))):
            day = START + dt.timedelta(days=draw(st.integers(0, 13)))
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
            )
        )
    return result


@st.composite
def demands(draw):
    n = draw(st.integers(0, 60))
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

    # Unplaced only when every consultant covering the postal code is full.
    taken = {(cid, begins) for cid, begins in plan.assigned.values()}
    for key in plan.unplaced:
        for cap in caps:
            if cap.covers(postal[key]):
                free = free_slots(cap, START, END, tz=CPH, not_before=not_before)
                left = [s for day in free.values() for s in day if (cap.consultant_id, s) not in taken]
                assert not left


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
