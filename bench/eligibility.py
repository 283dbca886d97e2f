"""Benchmark: the year's § 79 a computation at national scale, in PostgreSQL.

    .venv/bin/python bench/eligibility.py [--citizens 1200000] [--year 2026]

Builds 1.2 million citizens aged 65+ over the 98 municipalities (realistic birth years, households,
§ 83 care, deaths, moves and risk events), then times
  1. the floor: one hand-written SQL query counting the same groups,
  2. the product's computation: the eligibility query of every municipality, streamed,
  3. the product's sync: the same plus writing every offer (the due lists),
  4. the due list's first page (summary, backlog and 25 rows) for the largest municipality,
and checks that 1 and 2 count the same.
"""

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import time
from collections import Counter

from _setup import ROOT, fresh_database

GROUPS = ["widowed", "spouse_nursing_home", "newcomer", "hospital_discharge", "lonely", "concern_referral"]


def build(citizens: int, year: int, rng: random.Random) -> None:
    from django.db import connection

    from fhb.models import Municipality, RiskGroup

    municipalities = list(Municipality.objects.values_list("id", flat=True))
    # Municipality sizes: a few large (the largest ~8 %), many small.
    weights = [1 / (rank + 3) ** 0.9 for rank in range(len(municipalities))]
    ages = list(range(65, 106))
    age_weights = [max(1.0 - 0.035 * (a - 65), 0.02) * (0.86 ** max(a - 85, 0)) for a in ages]
    today = dt.date(year, 1, 1)
    columns = [
        "municipality_id",
        "cpr",
        "birth_date",
        "sex",
        "first_name",
        "last_name",
        "address",
        "postal_code",
        "city",
        "household_size",
        "civil_status",
        "personal_care",
        "practical_help",
        "deceased_on",
        "moved_out_on",
        "digital_post_exempt",
        "phone",
        "created_at",
        "updated_at",
    ]
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY fhb_citizen ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for i in range(citizens):
            age = rng.choices(ages, age_weights)[0]
            birth = dt.date(year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            alone = rng.random() < min(0.22 + 0.016 * (age - 65), 0.85)
            care = rng.random() < min(0.03 * max(age - 68, 0), 0.7)
            help_ = rng.random() < min(0.04 * max(age - 68, 0), 0.8)
            dead = today + dt.timedelta(days=rng.randint(-200, 300)) if rng.random() < 0.03 else None
            moved = today + dt.timedelta(days=rng.randint(-200, 300)) if rng.random() < 0.005 else None
            copy.write_row(
                [
                    rng.choices(municipalities, weights)[0],
                    f"{i:010d}",
                    birth,
                    "F" if i % 2 else "M",
                    "Navn",
                    f"E{i}",
                    "Vej 1",
                    "2100",
                    "By",
                    1 if alone else 2,
                    "",
                    care,
                    help_,
                    dead,
                    moved,
                    False,
                    "",
                    now,
                    now,
                ]
            )
    print(f"built {citizens} citizens in {time.perf_counter() - started:.0f} s", flush=True)
    group_ids = list(RiskGroup.objects.filter(municipality=None, code__in=GROUPS).values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, birth_date FROM fhb_citizen WHERE birth_date > %s", [dt.date(year - 83, 1, 1)])
        candidates = cursor.fetchall()
        with cursor.cursor.copy(
            "COPY fhb_riskevent (citizen_id, risk_group_id, registered_on, source, note, referrer, external_ref,"
            " created_at) FROM STDIN"
        ) as copy:
            for citizen_id, _birth in candidates:
                if rng.random() < 0.06:
                    day = today + dt.timedelta(days=rng.randint(-540, 360))
                    copy.write_row([citizen_id, rng.choice(group_ids), day, "registry", "", "", "", now])
        cursor.execute("VACUUM ANALYZE fhb_citizen")
        cursor.execute("VACUUM ANALYZE fhb_riskevent")


FLOOR_SQL = """
SELECT
  count(*) FILTER (WHERE c.household_size = 1 AND c.birth_date BETWEEN %(y70a)s AND %(y70b)s),
  count(*) FILTER (WHERE c.birth_date BETWEEN %(y75a)s AND %(y75b)s),
  count(*) FILTER (WHERE c.birth_date BETWEEN %(y80a)s AND %(y80b)s),
  count(*) FILTER (WHERE c.birth_date <= %(y82b)s),
  count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM fhb_riskevent e
    WHERE e.citizen_id = c.id AND e.risk_group_id = ANY(%(groups)s)
      AND e.registered_on BETWEEN %(start)s AND %(end)s
      AND extract(year FROM e.registered_on) - extract(year FROM c.birth_date)
          - CASE WHEN to_char(e.registered_on, 'MMDD') < to_char(c.birth_date, 'MMDD') THEN 1 ELSE 0 END
          BETWEEN 65 AND 81))
FROM fhb_citizen c
WHERE (c.deceased_on IS NULL OR c.deceased_on > %(as_of)s) AND (c.moved_out_on IS NULL OR c.moved_out_on > %(as_of)s)
"""


def timed(fn, repeat=1):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1_200_000)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args()
    fresh_database("fhb_bench_eligibility")
    from django.db import connection
    from django.test import RequestFactory

    from fhb.eligibility.export import eligibility_streams
    from fhb.models import Citizen, Municipality, Offer, RiskGroup, Role, User
    from fhb.offers import offers_sync
    from fhb.views_due import DueListView

    rng = random.Random(79)
    build(args.citizens, args.year, rng)
    gc.collect()
    year, as_of = args.year, dt.date(args.year, 1, 1)
    municipalities = list(Municipality.objects.filter(pk__in=Citizen.objects.values("municipality_id")))
    params = {
        "y70a": dt.date(year - 70, 1, 1),
        "y70b": dt.date(year - 70, 12, 31),
        "y75a": dt.date(year - 75, 1, 1),
        "y75b": dt.date(year - 75, 12, 31),
        "y80a": dt.date(year - 80, 1, 1),
        "y80b": dt.date(year - 80, 12, 31),
        "y82b": dt.date(year - 82, 12, 31),
        "as_of": as_of,
        "start": dt.date(year - 1, 1, 1),
        "end": dt.date(year, 12, 31),
        "groups": list(RiskGroup.objects.filter(municipality=None).values_list("id", flat=True)),
    }

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, params)
            return cursor.fetchone()

    def product():
        # What `manage.py eligibility --year` does for the whole country: one query per distinct
        # quality-standard policy (none adopted here: one query), every citizen's groups streamed.
        patterns, rows = Counter(), 0
        for stream in eligibility_streams(year=year, as_of=as_of):
            for row in stream:
                rows += 1
                patterns[row.groups] += 1  # the bench's own bookkeeping: one dict update a row
        counts = Counter()
        for groups, n in patterns.items():
            for code in groups:
                counts[code] += n
        return rows, counts

    floor_s, floor_counts = timed(floor, repeat=3)
    product_s, (eligible, counts) = timed(product, repeat=2)
    codes = ["age_70_living_alone", "age_75", "age_80", "age_82_plus", "at_risk_65_81"]
    assert [counts[c] for c in codes] == list(floor_counts), (counts, floor_counts)
    print(f"floor (hand-written SQL count) {floor_s:6.2f} s   {dict(zip(codes, floor_counts, strict=True))}")
    print(
        f"product computation            {product_s:6.2f} s   {eligible} citizens with a group "
        f"({product_s / floor_s:.1f}x the floor)",
        flush=True,
    )

    t0 = time.perf_counter()
    for municipality in municipalities:
        offers_sync(municipality=municipality, year=year, as_of=as_of)
    sync_s = time.perf_counter() - t0
    resync_t0 = time.perf_counter()
    for municipality in municipalities:
        offers_sync(municipality=municipality, year=year, as_of=as_of)
    resync_s = time.perf_counter() - resync_t0
    print(f"sync into offers (first)       {sync_s:6.2f} s   {Offer.objects.count()} offers")
    print(f"sync again (nothing changed)   {resync_s:6.2f} s", flush=True)

    largest = max(municipalities, key=lambda m: m.citizens.count())
    size = largest.citizens.count()
    leader = User.objects.create(username="bench-leader", municipality=largest, role=Role.TEAM_LEADER)
    factory = RequestFactory()
    page_times = []
    for query in ({"year": year}, {"year": year, "group": "age_80", "not_invited": "on"}):
        for _ in range(5):
            request = factory.get("/maalgrupper/", query)
            request.user = leader
            request.session = {}
            request._messages = []
            t0 = time.perf_counter()
            response = DueListView.as_view()(request)
            page_times.append(time.perf_counter() - t0)
            assert response.status_code == 200
    page_ms = statistics.median(page_times) * 1000
    print(f"due list first page            {page_ms:6.0f} ms  (largest municipality, {size} citizens; median of 10)")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "eligibility.json").write_text(
        json.dumps(
            {
                "citizens": args.citizens,
                "year": year,
                "floor_s": round(floor_s, 2),
                "product_s": round(product_s, 2),
                "ratio": round(product_s / floor_s, 2),
                "eligible": eligible,
                "sync_s": round(sync_s, 1),
                "resync_s": round(resync_s, 1),
                "due_list_first_page_ms": round(page_ms),
                "largest_municipality": size,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
