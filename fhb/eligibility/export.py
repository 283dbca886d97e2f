"""Writing the year's eligibility as JSON or CSV (interfaces.md § 4), streamed."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..models import Citizen, Municipality
from .oracle import Eligibility
from .policy import Policy, policy_for
from .query import eligibility_rows

CSV_HEADER = ["cpr", "groups", "visits_required", "exempt", "exemption_reason"]


def eligibility_all(*, year: int, as_of: dt.date, municipality: Municipality | None = None) -> Iterator[Eligibility]:
    """One municipality, or every municipality with citizens (each under its own quality
    standard), merged in CPR order."""
    if municipality is not None:
        yield from eligibility_rows(municipality=municipality, year=year, as_of=as_of)
        return
    yield from heapq.merge(*eligibility_streams(year=year, as_of=as_of), key=lambda e: e.cpr)


def eligibility_streams(*, year: int, as_of: dt.date) -> list[Iterator[Eligibility]]:
    """One query per distinct policy: municipalities with the same quality-standard choices (or
    none adopted) are computed together."""
    ids = Citizen.objects.values_list("municipality_id", flat=True).distinct()
    by_policy: dict[Policy, list[Municipality]] = defaultdict(list)
    for municipality in Municipality.objects.filter(pk__in=ids):
        by_policy[policy_for(municipality, year)].append(municipality)
    if len(by_policy) == 1:
        (policy,) = by_policy
        return [eligibility_rows(everyone=True, year=year, as_of=as_of, policy=policy)]
    return [
        eligibility_rows(municipalities=group, year=year, as_of=as_of, policy=policy)
        for policy, group in by_policy.items()
    ]


def write_json(rows: Iterable[Eligibility], out: TextIO) -> int:
    """Byte-identical to json.dumps(list_of_objects) plus a newline, without holding the list."""
    count = 0
    out.write("[")
    for row in rows:
        out.write((", " if count else "") + json.dumps(row.as_json(), ensure_ascii=False))
        count += 1
    out.write("]\n")
    return count


def write_csv(rows: Iterable[Eligibility], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    count = 0
    for row in rows:
        writer.writerow(
            [row.cpr, "|".join(row.groups), row.visits_required, str(row.exempt).lower(), row.exemption_reason or ""]
        )
        count += 1
    return count
