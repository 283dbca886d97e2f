"""Benchmark: what the DST counts' triggers (reports/migrations/0002) cost the writes of visits.

    .venv/bin/python bench/dst_counts_writes.py   (after bench/dst_export.py, on its database)

On the 1,000,000-visit database bench/dst_export.py builds: 300 visits saved one transaction each
(a consultant saving a visit), 300 updates of one visit, and one 100,000-row COPY (an import), each
with the triggers and with them disabled. Everything it writes is rolled back.
"""

import argparse
import datetime as dt
import random
import statistics
import time

from _setup import reuse_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300, help="visits saved (and updated) one at a time")
    parser.add_argument("--copy-rows", type=int, default=100_000, help="visits in the COPY")
    args = parser.parse_args()
    reuse_database("fhb_bench_dst")
    from django.db import connection, transaction

    from fhb.models import Municipality

    municipality = Municipality.objects.get(code="101")
    rng = random.Random(3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM fhb_citizen WHERE municipality_id = %s", [municipality.pk])
        citizens = [row[0] for row in cursor.fetchall()]
    insert = (
        "INSERT INTO visits_visit (municipality_id, citizen_id, kind, outcome, visit_date, consultant_name, note,"
        " themes, is_draft, version, source, created_at, updated_at) VALUES"
        " (%s, %s, 'home_visit', 'completed', %s, '', '', '[]', false, 1, 'recorded', now(), now()) RETURNING id"
    )

    def one_by_one(triggers: bool) -> tuple[float, float]:
        inserts, updates = [], []
        with transaction.atomic():
            with connection.cursor() as cursor:
                if not triggers:
                    cursor.execute("ALTER TABLE visits_visit DISABLE TRIGGER USER")
                for _ in range(args.saves):
                    day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                    started = time.perf_counter()
                    with transaction.atomic():  # a savepoint: one save, as in the app
                        cursor.execute(insert, [municipality.pk, rng.choice(citizens), day])
                        visit_id = cursor.fetchone()[0]
                    inserts.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    with transaction.atomic():
                        cursor.execute(
                            "UPDATE visits_visit SET note = 'x', visit_date = %s WHERE id = %s", [day, visit_id]
                        )
                    updates.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        return statistics.median(inserts) * 1000, statistics.median(updates) * 1000

    def bulk(triggers: bool) -> float:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if not triggers:
                    cursor.execute("ALTER TABLE visits_visit DISABLE TRIGGER USER")
                started = time.perf_counter()
                columns = "municipality_id, citizen_id, kind, outcome, visit_date, consultant_name, note, themes, "
                columns += "is_draft, version, source, created_at, updated_at"
                now = dt.datetime.now(dt.UTC)
                with cursor.cursor.copy(f"COPY visits_visit ({columns}) FROM STDIN") as copy:
                    for _ in range(args.copy_rows):
                        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                        copy.write_row(
                            [municipality.pk, rng.choice(citizens), "home_visit", "completed", day, "", "", "[]",
                             False, 1, "recorded", now, now]
                        )  # fmt: skip
                seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    for triggers in (True, False):
        label = "with the triggers   " if triggers else "triggers disabled   "
        insert_ms, update_ms = one_by_one(triggers)
        print(f"{label} one visit saved: {insert_ms:.2f} ms, updated: {update_ms:.2f} ms (medians of {args.saves})")
    for triggers in (True, False):
        label = "with the triggers   " if triggers else "triggers disabled   "
        print(f"{label} {args.copy_rows:,} visits by COPY: {bulk(triggers):.1f} s")


if __name__ == "__main__":
    main()
