"""Benchmark: the pages leaders steer by, at a Copenhagen-size municipality, in PostgreSQL.

    .venv/bin/python bench/pages.py [--citizens 95431] [--visits 27459] [--year 2026] [--reuse]

Builds one municipality with CITIZENS citizens 65+ and VISITS visits in YEAR (as bench/dst_export.py
builds them) and its offers, then requests, in-process through Django's test client as an admin:
the dashboard (`/overblik/`), the statistics page (`/statistik/`) and the targeting page — once
cold (the year's figures computed: after a change of the municipality's data) and then warm (read
from the cache, reports/figures.py) — and reports the server time of each (median of 7) and the
number of queries, beside the cold figure. Target (issue 20): under 100 ms a page warm.
"""

import argparse
import random
import statistics
import time

from _setup import fresh_database, reuse_database


def timed(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=95_431)
    parser.add_argument("--visits", type=int, default=27_459)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the database a previous run built")
    args = parser.parse_args()
    if args.reuse:
        reuse_database("fhb_bench_pages")
    else:
        fresh_database("fhb_bench_pages")
    from django.test import Client
    from django.test.utils import setup_test_environment
    from dst_export import build

    from fhb import freshness
    from fhb.models import Municipality, Role, User
    from fhb.offers import offers_sync

    setup_test_environment()  # the test client's host and the query capture
    municipality = Municipality.objects.get(code="101")
    if not args.reuse:
        started = time.perf_counter()
        build(citizens=args.citizens, visits=args.visits, year=args.year, rng=random.Random(5))
        for year in (args.year - 1, args.year):
            offers_sync(municipality=municipality, year=year)
        took = time.perf_counter() - started
        print(f"built {args.citizens:,} citizens, {args.visits:,} visits and the offers in {took:.1f} s")
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.MUNICIPALITY_ADMIN, "municipality": municipality}
    )
    client = Client()
    client.force_login(admin)
    pages = {
        "dashboard": f"/overblik/?aar={args.year}",
        "statistics": f"/statistik/?aar={args.year}",
        "targeting": f"/overblik/maalretning/?aar={args.year}",
    }
    print(f"{'page':<12} {'cold':>9} {'warm (median of 7)':>20} {'queries':>8}")
    for name, url in pages.items():
        freshness.changed(municipality.pk)  # as after a change of the data: the figures computed again
        cold, _n = timed(client, url)
        runs = [timed(client, url) for _ in range(7)]
        warm = statistics.median(s for s, _q in runs)
        print(f"{name:<12} {cold * 1000:>7.0f} ms {warm * 1000:>17.0f} ms {runs[-1][1]:>8}")


if __name__ == "__main__":
    main()
