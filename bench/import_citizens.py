"""Benchmark: import a 200,000-row registry extract into PostgreSQL (target: under 60 s).

    .venv/bin/python bench/import_citizens.py [--rows 200000]

Three runs of the same service the command uses: the first import (all created), the same file
again (all unchanged), and a file where 10 % of the rows changed address.
"""

import argparse
import datetime as dt
import json
import random
import resource
import time

from _setup import ROOT, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    fresh_database("fhb_bench_import")
    from fhb.demo import build_registry_csv
    from fhb.models import Citizen
    from fhb.registry import citizens_import

    rng = random.Random(1)
    started = time.perf_counter()
    text, _people = build_registry_csv(today=dt.date(2026, 11, 22), count=args.rows, rng=rng)
    generated = time.perf_counter() - started
    data = text.encode()
    lines = text.splitlines()
    changed_lines = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(";")
        if i % 10 == 0:
            cells[3] = f"Nygade {i % 97 + 1}"  # the address column
        changed_lines.append(";".join(cells))
    changed = ("\n".join(changed_lines) + "\n").encode()

    results = {}
    for label, payload in [("first import", data), ("same file again", data), ("10% rows changed", changed)]:
        t0 = time.perf_counter()
        result = citizens_import(data=payload)
        seconds = time.perf_counter() - t0
        results[label] = {"seconds": round(seconds, 1), "summary": result.summary}
        print(f"{label:<18} {seconds:6.1f} s   {result.summary}")
    assert Citizen.objects.count() == args.rows
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = len(data) / 1e6
    print(f"rows {args.rows}, CSV {size:.1f} MB (generated in {generated:.1f} s), peak memory {peak_mib:.0f} MiB")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "import_citizens.json").write_text(
        json.dumps({"rows": args.rows, "peak_mib": round(peak_mib), "runs": results}, indent=2)
    )


if __name__ == "__main__":
    main()
