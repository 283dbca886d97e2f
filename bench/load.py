"""Benchmark: a municipality's load on the whole stack (issue 20), headless and bounded in time.

    .venv/bin/python bench/load.py [--users 10,30,60,120] [--seconds 60] [--citizens 95431]
                                   [--visits 27459] [--reuse]

Seeds a Copenhagen-size municipality on the local PostgreSQL (95,431 citizens 65+, 27,459 visits,
two years of offers; 36 consultants, 6 team leaders, 4 admins), starts gunicorn with 3 workers as
the Dockerfile does (the cache on the local Redis, as in production), and runs locust
(bench/locustfile.py: consultants 60 %, team leaders 25 %, admins 15 %, think time 2-5 s) at
each number of users for SECONDS, all on this machine. Prints req/s, p50/p95/p99 and errors per
step, and p95 per page type, counted from when every user has logged in (a login hashes a
password on purpose: 46 of them at once would measure PBKDF2, not the pages).
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _setup import ROOT, fresh_database, reuse_database

PASSWORD = "bench-load-2026"
PORT = 8231


def seed(citizens: int, visits: int, year: int) -> None:
    from dst_export import build

    from fhb.models import Municipality, Role, Team, User
    from fhb.offers import offers_sync

    build(citizens=citizens, visits=visits, year=year, rng=random.Random(5))
    municipality = Municipality.objects.get(code="101")
    for y in (year - 1, year):
        offers_sync(municipality=municipality, year=y)
    team = Team.objects.create(municipality=municipality, name="Forebyggelse")
    from django.contrib.auth.hashers import make_password

    hashed = make_password(PASSWORD)  # once: hashing for each of 46 users takes most of a minute
    for prefix, role, count in (("konsulent", Role.CONSULTANT, 36), ("teamleder", Role.TEAM_LEADER, 6),
                                ("admin", Role.MUNICIPALITY_ADMIN, 4)):  # fmt: skip
        for i in range(1, count + 1):
            user = User(username=f"{prefix}{i}", role=role, municipality=municipality, team=team,
                        first_name=prefix.capitalize(), last_name=str(i))  # fmt: skip
            user.password = hashed
            user.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="10,30,60,120")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--citizens", type=int, default=95_431)
    parser.add_argument("--visits", type=int, default=27_459)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url = reuse_database("fhb_bench_load") if args.reuse else fresh_database("fhb_bench_load")
    if not args.reuse:
        started = time.perf_counter()
        seed(args.citizens, args.visits, args.year)
        print(f"seeded {args.citizens:,} citizens, {args.visits:,} visits in {time.perf_counter() - started:.0f} s")
    from fhb.models import Citizen

    sample = list(Citizen.objects.order_by("?").values_list("pk", flat=True)[:500])
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="fhb.settings.base",
               REDIS_URL=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"), LOG_LEVEL="WARNING",
               LOAD_PASSWORD=PASSWORD, LOAD_CITIZENS=",".join(map(str, sample)), LOAD_YEAR=str(args.year))  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "fhb.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "3",
         "--timeout", "60", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        print(f"{'users':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}   p95 by page type")
        for users in [int(u) for u in args.users.split(",")]:
            with tempfile.TemporaryDirectory() as folder:
                prefix = f"{folder}/load"
                subprocess.run(
                    [str(Path(sys.executable).parent / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")),
                     # SECONDS measured after every user has logged in (locustfile.py), ~0.7 s of CPU a login
                     "--headless", "-u", str(users), "-r", str(max(users // 5, 1)),
                     "-t", f"{args.seconds + 5 + int(users * 0.7)}s",
                     "--host", f"http://127.0.0.1:{PORT}", "--csv", prefix, "--only-summary", "--loglevel", "ERROR"],
                    cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                with open(f"{prefix}_stats.csv") as f:
                    rows = list(csv.DictReader(f))
            total = next(r for r in rows if r["Name"] == "Aggregated")
            pages = sorted((r for r in rows if r["Name"] not in ("Aggregated", "login")), key=lambda r: r["Name"])
            by_page = ", ".join(f"{r['Name']} {r['95%']}" for r in pages)
            print(f"{users:>5} {float(total['Requests/s']):>7.1f} {total['50%']:>5} ms {total['95%']:>5} ms "
                  f"{total['99%']:>5} ms {total['Failure Count']:>6}   {by_page}", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
