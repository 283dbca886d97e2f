"""Benchmark: trying a draft of next year's target groups for the largest municipality (the
workbench, invitations/workbench.py), in PostgreSQL.

    .venv/bin/python bench/workbench.py [--citizens 1200000] [--year 2027]

Builds the national population of bench/eligibility.py (the largest municipality ~90,000 citizens
65+), then times for that municipality, with four local target groups (age, living alone, help,
risk events with their own window, not visited for three years):
  1. the floor: one hand-written SQL query counting the same groups,
  2. the product: the whole workbench — the draft's groups, the year before's for comparison,
     overlaps, whom they reach, expected visits and capacity — as the page computes it,
and checks that both count the same. The target: under 1 s.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import time

from _setup import ROOT, fresh_database
from eligibility import build

DRAFT = [
    {"code": "alone_70", "label": "Fylder 70 og bor alene", "age": {"turns": 70}, "living_alone": True},
    {"code": "no_help_80_plus", "label": "80+ uden hjemmehjælp", "age": {"from": 80}, "receives_help": False},
    {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
     "risk_groups": ["widowed"], "window_months": 6, "visits_per_year": 2},
    {"code": "unseen_78_plus", "label": "78+ ikke set i 3 år", "age": {"from": 78}, "not_visited_years": 3},
]  # fmt: skip

FLOOR_SQL = """
SELECT
  count(*) FILTER (WHERE c.birth_date BETWEEN %(t70a)s AND %(t70b)s AND c.household_size = 1),
  count(*) FILTER (WHERE c.birth_date <= %(f80)s AND NOT c.personal_care AND NOT c.practical_help),
  count(*) FILTER (WHERE c.birth_date BETWEEN %(t89)s AND %(f65)s AND EXISTS (
      SELECT 1 FROM fhb_riskevent e JOIN fhb_riskgroup g ON g.id = e.risk_group_id
      WHERE e.citizen_id = c.id AND g.code = 'widowed' AND e.registered_on BETWEEN %(w_start)s AND %(end)s)),
  count(*) FILTER (WHERE c.birth_date <= %(f78)s AND NOT EXISTS (
      SELECT 1 FROM visits_visit v WHERE v.citizen_id = c.id AND v.visit_date BETWEEN %(v_start)s AND %(v_end)s
        AND v.kind IN ('home_visit', 'follow_up_visit', 'collective_event') AND v.outcome = 'completed'
        AND NOT v.is_draft))
FROM fhb_citizen c
WHERE c.municipality_id = %(municipality)s
  AND (c.deceased_on IS NULL OR c.deceased_on > %(as_of)s)
  AND (c.moved_out_on IS NULL OR c.moved_out_on > %(as_of)s)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1_200_000)
    parser.add_argument("--year", type=int, default=2027)
    args = parser.parse_args()
    fresh_database("fhb_bench_workbench")
    from django.db import connection

    from fhb.eligibility import Policy
    from fhb.law import LocalGroup
    from fhb.models import Citizen, Municipality
    from invitations.workbench import trial

    # The population as of the year before the draft's (the draft is next year's).
    build(args.citizens, args.year - 1, random.Random(79))
    year, as_of = args.year, dt.date(args.year, 1, 1)
    largest = max(
        Municipality.objects.filter(pk__in=Citizen.objects.values("municipality_id")), key=lambda m: m.citizens.count()
    )
    size = largest.citizens.count()
    policy = Policy(target_groups=tuple(LocalGroup.from_json(g) for g in DRAFT))
    params = {
        "municipality": largest.pk,
        "as_of": as_of,
        "t70a": dt.date(year - 70, 1, 1),
        "t70b": dt.date(year - 70, 12, 31),
        "f80": dt.date(year - 80, 12, 31),
        "t89": dt.date(year - 89, 1, 1),
        "f65": dt.date(year - 65, 12, 31),
        "w_start": dt.date(year - 1, 7, 1),
        "end": dt.date(year, 12, 31),
        "f78": dt.date(year - 78, 12, 31),
        "v_start": dt.date(year - 3, 1, 1),
        "v_end": dt.date(year - 1, 12, 31),
    }

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, params)
            return cursor.fetchone()

    floor_times, product_times = [], []
    counts = result = None
    for _ in range(5):  # interleaved, so both see the same machine
        t0 = time.perf_counter()
        counts = floor()
        floor_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        result = trial(largest, year=year, policy=policy)
        product_times.append(time.perf_counter() - t0)
    by_group = {g.code: g.citizens + g.exempt for g in result.groups}
    assert [by_group[g["code"]] for g in DRAFT] == list(counts), (by_group, counts)
    floor_s, product_s = statistics.median(floor_times), statistics.median(product_times)
    print(f"largest municipality: {size} citizens; the draft reaches {result.reached} ({result.in_several} in several)")
    print(f"floor   hand-written SQL count of the four groups: {floor_s * 1000:6.0f} ms (median of 5)")
    print(
        f"product the workbench (both years, overlaps, reach, expected visits, capacity): {product_s * 1000:6.0f} ms "
        f"(median of 5; {product_s / floor_s:.1f}x the floor; target < 1 s)"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "workbench.json").write_text(
        json.dumps(
            {
                "citizens": args.citizens,
                "largest": size,
                "floor_ms": round(floor_s * 1000),
                "product_ms": round(product_s * 1000),
                "reached": result.reached,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
