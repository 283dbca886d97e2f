"""Benchmark: the DST delivery of 1,000,000 visits, in PostgreSQL.

    .venv/bin/python bench/dst_export.py [--visits 1000000] [--citizens 300000] [--year 2025]

Builds one municipality with CITIZENS citizens aged 65+ and VISITS visit records in YEAR (about 92 %
completed home, follow-up and event visits; calls, declines, no-shows, drafts and visits after
death make up the rest), then times
  1. the floor: `COPY (SELECT cpr, date, kind ... ORDER BY cpr, date) TO STDOUT` of the delivered
     rows, written to a file,
  2. `manage.py dst_export` as a user runs it (eligibility, the record file, the summary JSON, the
     approval PDF, the stored delivery), in a child process so its peak memory can be read,
  3. the same twice again (each now compared with the last delivery), with a floor run after each,
and checks that the command's file holds as many rows as the floor.
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, fresh_database, reuse_database

KINDS = [
    ("home_visit", "completed", 70),
    ("follow_up_visit", "completed", 12),
    ("collective_event", "completed", 10),
    ("phone_call", "completed", 4),
    ("home_visit", "declined", 2),
    ("home_visit", "no_show", 1),
    ("home_visit", "cancelled", 1),
]


def build(*, citizens: int, visits: int, year: int, rng: random.Random) -> int:
    from django.db import connection

    from fhb.models import Municipality

    municipality = Municipality.objects.get(code="101")
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    serials: dict[dt.date, int] = {}
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
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY fhb_citizen ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(citizens):
                age = rng.choices(range(65, 101), [max(1.0 - 0.03 * (a - 65), 0.05) for a in range(65, 101)])[0]
                birth = dt.date(year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                serial = serials[birth] = serials.get(birth, 0) + 1
                seventh = "0" if birth.year >= 1900 else "5"
                cpr = f"{birth:%d%m%y}{seventh}{serial:02d}{i % 10}"
                dead = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364)) if rng.random() < 0.02 else None
                copy.write_row(
                    [municipality.pk, cpr, birth, "FM"[i % 2], "Navn", f"E{i}", "Vej 1", "8600", "By",
                     1 if rng.random() < 0.4 else 2, "", False, False, dead, None, False, "", now, now]
                )  # fmt: skip
        cursor.execute("SELECT id FROM fhb_citizen WHERE municipality_id = %s ORDER BY id", [municipality.pk])
        ids = [row[0] for row in cursor.fetchall()]
        kinds = [(k, o) for k, o, _w in KINDS]
        weights = [w for *_x, w in KINDS]
        visit_columns = [
            "municipality_id", "citizen_id", "kind", "outcome", "visit_date", "consultant_name", "note", "themes",
            "is_draft", "version", "source", "created_at", "updated_at",
        ]  # fmt: skip
        with cursor.cursor.copy(f"COPY visits_visit ({', '.join(visit_columns)}) FROM STDIN") as copy:
            first = dt.date(year, 1, 1)
            for _ in range(visits):
                kind, outcome = rng.choices(kinds, weights)[0]
                day = first + dt.timedelta(days=rng.randint(0, 364))
                draft = rng.random() < 0.005
                copy.write_row(
                    [municipality.pk, rng.choice(ids), kind, outcome, day, "", "", "[]", draft, 1, "recorded", now, now]
                )
        cursor.execute("VACUUM ANALYZE fhb_citizen")
        cursor.execute("VACUUM ANALYZE visits_visit")
        cursor.execute("VACUUM ANALYZE reports_dstcount")  # filled by the visits table's triggers
    print(f"built {citizens:,} citizens and {visits:,} visits in {time.perf_counter() - started:.0f} s", flush=True)
    return municipality.pk


FLOOR_SQL = """
COPY (
  SELECT c.cpr, v.visit_date, v.kind
  FROM visits_visit v JOIN fhb_citizen c ON c.id = v.citizen_id
  WHERE v.municipality_id = {m} AND v.kind IN ('home_visit', 'follow_up_visit', 'collective_event')
    AND v.outcome = 'completed' AND NOT v.is_draft AND v.visit_date BETWEEN '{y}-01-01' AND '{y}-12-31'
  ORDER BY c.cpr, v.visit_date
) TO STDOUT
"""


def floor(municipality_id: int, year: int, out: Path) -> tuple[float, int]:
    from django.db import connection

    started = time.perf_counter()
    rows = 0
    with (
        connection.cursor() as cursor,
        open(out, "wb") as sink,
        cursor.cursor.copy(FLOOR_SQL.format(m=municipality_id, y=year)) as copy,
    ):
        for block in copy:
            sink.write(block)
            rows += bytes(block).count(b"\n")
    return time.perf_counter() - started, rows


def product(url: str, year: int, out: Path) -> tuple[float, float, str]:
    """Wall time, peak RSS (MiB) and last output line of one `manage.py dst_export`."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "fhb.settings.base"}
    env.pop("REDIS_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    script = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:]); "
        "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(r.returncode)"
    )
    command = [sys.executable, "manage.py", "dst_export", "--year", str(year), "--municipality", "101"]
    done = subprocess.run(
        [sys.executable, "-c", script, *command, "--output", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    del before
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    maxrss = int(done.stderr.strip().splitlines()[-1].split()[1]) / 1024
    return elapsed, maxrss, done.stdout.strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--citizens", type=int, default=300_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="time against the database a previous run built")
    args = parser.parse_args()
    if args.reuse:
        url = reuse_database("fhb_bench_dst")
        from fhb.models import Municipality

        municipality_id = Municipality.objects.get(code="101").pk
    else:
        url = fresh_database("fhb_bench_dst")
        municipality_id = build(citizens=args.citizens, visits=args.visits, year=args.year, rng=random.Random(5))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_times = []
        for _ in range(3):
            seconds, floor_rows = floor(municipality_id, args.year, tmp / "floor.tsv")
            floor_times.append(seconds)
        floor_s = min(floor_times)
        print(f"floor   COPY of the delivered rows: {floor_s:.2f} s ({floor_rows:,} rows)", flush=True)
        first_s, first_rss, first_line = product(url, args.year, tmp / "a")
        print(f"product dst_export (first delivery): {first_s:.2f} s, peak RSS {first_rss:.0f} MiB — {first_line}")
        # Again, twice, each after another floor run: this machine's speed drifts by 20 % within
        # minutes, so the medians of interleaved runs compare like with like.
        runs = [first_s]
        for again in ("b", "c"):
            seconds, rss, _ = product(url, args.year, tmp / again)
            runs.append(seconds)
            print(
                f"product dst_export (again, compared with the last delivery): {seconds:.2f} s, peak RSS {rss:.0f} MiB"
            )
            floor_times.append(floor(municipality_id, args.year, tmp / "floor.tsv")[0])
        name = f"fhb_101_{args.year}.csv"
        content = (tmp / "a" / name).read_bytes()
        rows = content.count(b"\n") - 1
        identical = content == (tmp / "b" / name).read_bytes() == (tmp / "c" / name).read_bytes()
        print(f"file rows {rows:,} (floor {floor_rows:,}; the file leaves out visits after death)")
        print(f"the deliveries' files are byte-identical: {identical}")
        print(f"floor runs {', '.join(f'{t:.2f}' for t in floor_times)} s")
        print(
            f"ratio first delivery / best floor {first_s / floor_s:.1f}x; "
            f"median / median {statistics.median(runs) / statistics.median(floor_times):.1f}x "
            "(target <= 3x), memory target < 300 MiB"
        )


if __name__ == "__main__":
    main()
