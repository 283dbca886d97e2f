"""The statistics delivery to Danmarks Statistik (interfaces.md § 5, domain.md § 6).

Two ways to the same bytes and the same summary (tests/integration/test_dst_counts.py):

- On PostgreSQL, the counts: triggers keep each citizen's delivered visits per year up to date
  (reports/migrations/0002_dst_counts.py); the export groups them in SQL with the eligibility (a
  temporary table) and streams the file out of `COPY`, nothing done per row but writing it.
- Elsewhere (SQLite: tests, the demo), and as the reference, one pass over the year's completed
  visits, sorted by CPR and date, writes the file and counts everything as it goes: memory holds
  the counters, the eligibility (CPR -> target groups) and the excluded records, never the visits.

The file is sorted by the bytes of its lines (CPR in the "C" collation, date, meeting form), so
the next delivery can be compared line by line. Nothing in the output depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Collate
from django.utils.translation import gettext_noop

from fhb import cpr as cprlib
from fhb.eligibility import eligibility_rows, rule_set_for
from fhb.eligibility.policy import policy_for
from fhb.eligibility.query import eligibility_queryset
from fhb.law import preventive_visit, transition_applies
from fhb.law.dst import quality_criteria
from fhb.law.national_figures import NATIONAL_UPTAKE_2021
from fhb.models import Municipality
from visits.models import Visit, VisitKind, VisitOutcome

CSV_HEADER = "kommunekode;cpr;besoegsdato;moedeform;maalgruppe\n"
INDIVIDUAL, COLLECTIVE = "individuelt", "kollektivt"
MEETING_FORMS = (INDIVIDUAL, COLLECTIVE)
NO_GROUP = "none"  # the summary's key for visits to citizens in no target group (empty in the file)

# Age at the visit date, completed years: (label, lowest age, highest age).
AGE_BANDS = (
    ("<65", 0, 64),
    ("65-69", 65, 69),
    ("70-74", 70, 74),
    ("75-79", 75, 79),
    ("80-84", 80, 84),
    ("85+", 85, 200),
)
# Statistics Denmark's bands in StatBank AED10/AED10A.
AED10_BANDS = (
    ("<75", 0, 74),
    ("75", 75, 75),
    ("76-79", 76, 79),
    ("80-84", 80, 84),
    ("85-89", 85, 89),
    ("90+", 90, 200),
)
SEXES = ("F", "M")

# Why a record is not in the delivery, in the order they are tested.
EXCLUSION_REASONS = {
    "phone_call": gettext_noop("Telefonsamtale — en kontakt, ikke et besøg"),
    "declined": gettext_noop("Borgeren takkede nej"),
    "no_show": gettext_noop("Ikke truffet hjemme"),
    "cancelled": gettext_noop("Aflyst"),
    "draft": gettext_noop("Kladde — besøget er ikke afsluttet"),
    "outside_year": gettext_noop("Dateret uden for året"),
    "after_death": gettext_noop("Dateret efter borgerens død"),
    "invalid_cpr": gettext_noop("Ugyldigt CPR-nummer"),
}


def _band_table(bands) -> list[str]:
    table = [""] * 201
    for label, low, high in bands:
        for age in range(low, high + 1):
            table[age] = label
    return table


_BAND_OF_AGE = _band_table(AGE_BANDS)
_AED10_OF_AGE = _band_table(AED10_BANDS)
MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


@dataclass
class Delivery:
    """What one export produced: the summary (as written to the JSON file) and the file's checksum."""

    summary: dict
    checksum: str | None  # None when no file was written
    rows: int

    @property
    def quality_passed(self) -> bool:
        return self.summary["quality"]["pass"]

    @property
    def excluded_count(self) -> int:
        return len(self.summary["excluded"])


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _delivered_q() -> Q:
    """The visits that count (fhb.law.preventive_visit)."""
    return Q(kind__in=sorted(preventive_visit.VISIT_KINDS), outcome=preventive_visit.COUNTED_OUTCOME, is_draft=False)


def _bytewise(field: str):
    """Sort by the bytes, whatever the database's locale: the file's order is the same everywhere,
    and the next delivery's comparison can merge two files line by line."""
    return Collate(field, "C") if connection.vendor == "postgresql" else field


def delivery_queryset(municipality: Municipality, year: int):
    """The year's completed visits, follow-up visits and event attendances, in file order."""
    first, last = year_bounds(year)
    form = Case(
        When(kind=VisitKind.COLLECTIVE_EVENT, then=Value(COLLECTIVE)),
        default=Value(INDIVIDUAL),
        output_field=CharField(),
    )
    return (
        Visit.objects.filter(_delivered_q(), municipality=municipality, visit_date__range=(first, last))
        .annotate(form=form)
        .order_by(_bytewise("citizen__cpr"), "visit_date", "form", "id")
        .values_list(
            "citizen__cpr", "visit_date", "form", "citizen__birth_date", "citizen__sex", "citizen__deceased_on", "id"
        )
    )


NULL = "\\N"


def _stream(queryset) -> Iterator[list[str]]:
    """The rows as lists of strings, NULL as `\\N` (COPY's text format)."""
    sql, params = queryset.query.sql_with_params()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
            for block in copy:  # PostgreSQL sends one row per message
                yield bytes(block)[:-1].decode().split("\t")
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            for row in batch:
                yield [NULL if v is None else str(v) for v in row]


def _rows(queryset) -> Iterator[tuple]:
    """A values_list queryset's rows: on PostgreSQL through a plain cursor, in batches (the ORM's
    iterator takes twice as long over a year's 100,000 calls and declines); elsewhere the ORM's,
    which also converts SQLite's dates."""
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=5000)
        return
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            yield from batch


def _other_excluded(year: int, rows) -> list[dict]:
    """The rows of excluded_queryset as excluded records, with their reason."""
    first, last = year_bounds(year)
    return [
        _excluded(
            pk,
            cpr,
            date.isoformat(),
            kind,
            _reason(in_year=first <= date <= last, kind=kind, outcome=outcome, is_draft=is_draft),
            outcome,
        )
        for pk, cpr, date, kind, outcome, is_draft in rows
    ]


def excluded_queryset(municipality: Municipality, year: int):
    """Records that are not in the delivery for a reason other than death or CPR: every record in the
    year that is not a completed visit, and completed visits dated in other years."""
    first, last = year_bounds(year)
    in_year = Q(visit_date__range=(first, last))
    return (
        Visit.objects.filter(municipality=municipality)
        .filter((in_year & ~_delivered_q()) | (~in_year & _delivered_q()))
        .order_by("citizen__cpr", "visit_date", "id")
        .values_list("id", "citizen__cpr", "visit_date", "kind", "outcome", "is_draft")
    )


def _reason(*, in_year: bool, kind: str, outcome: str, is_draft: bool) -> str:
    if not in_year:
        return "outside_year"
    if kind == VisitKind.PHONE_CALL:
        return "phone_call"
    if outcome != VisitOutcome.COMPLETED:
        return str(outcome)
    return "draft"


def cpr_is_valid(number: str) -> bool:
    try:
        cprlib.parse(number)
    except cprlib.InvalidCpr:
        return False
    return True


@dataclass
class _Counts:
    """What either way of counting gives: the file's checksum and rows, and the summary's tallies."""

    checksum: str | None
    rows: int = 0
    persons: int = 0
    month_p: dict = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))
    month_v: dict = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))
    band_p: dict = field(default_factory=lambda: dict.fromkeys(BAND_KEYS, 0))
    band_v: dict = field(default_factory=lambda: dict.fromkeys(BAND_KEYS, 0))
    aed_p: dict = field(default_factory=lambda: dict.fromkeys(AED_KEYS, 0))
    aed_v: dict = field(default_factory=lambda: dict.fromkeys(AED_KEYS, 0))
    form_p: dict = field(default_factory=lambda: dict.fromkeys(MEETING_FORMS, 0))
    form_v: dict = field(default_factory=lambda: dict.fromkeys(MEETING_FORMS, 0))
    sex_p: dict = field(default_factory=lambda: dict.fromkeys(SEXES, 0))
    sex_v: dict = field(default_factory=lambda: dict.fromkeys(SEXES, 0))
    group_p: Counter = field(default_factory=Counter)
    group_v: Counter = field(default_factory=Counter)
    recipients: Counter = field(default_factory=Counter)
    excluded: list[dict] = field(default_factory=list)  # after death and invalid CPR, kind and outcome known
    eligible: Counter = field(default_factory=Counter)  # group -> citizens offered a visit on 1 January


BAND_KEYS = tuple(b[0] for b in AGE_BANDS)
AED_KEYS = tuple(b[0] for b in AED10_BANDS)


def counts_maintained() -> bool:
    """Whether the per-citizen counts table (reports/migrations/0002) is there: PostgreSQL only."""
    return connection.vendor == "postgresql"


def export(
    *,
    municipality: Municipality,
    year: int,
    out: BinaryIO | None,
    progress: Callable[[int, int], None] | None = None,
    approved_months: int | None = None,
    maintained: bool | None = None,
    ready: Callable[[dict], None] | None = None,
) -> Delivery:
    """Write the record-level file to `out` and return the summary. With `out` None only the summary
    is computed: on PostgreSQL the file is then not read at all and the checksum is None. `ready`
    is called with the summary as soon as it is complete: on PostgreSQL before the file, so work
    it hands to a thread (the approval PDF) runs while the database sorts the file's rows.

    On PostgreSQL the summary comes from the per-citizen counts the database keeps up to date
    (`maintained`, the default there) and the file straight from `COPY`; elsewhere, or with
    `maintained=False`, from one Python pass over the rows. The two give the same bytes and the
    same summary (tests/integration/test_dst_counts.py)."""
    if maintained is None:
        maintained = counts_maintained()
    args = {"municipality": municipality, "year": year, "out": out, "progress": progress, "ready": ready}
    if not maintained or connection.in_atomic_block:
        return _export(**args, approved_months=approved_months, maintained=maintained)
    # Several statements: one snapshot, so the summary and the file describe the same visits.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the file's sort in memory, not on disk
        return _export(**args, approved_months=approved_months, maintained=maintained)


def _export(*, municipality, year, out, progress, ready, approved_months, maintained) -> Delivery:
    if not maintained:
        delivery = _delivery(municipality, year, _single_pass(municipality, year, out, progress), approved_months)
        if ready:
            ready(delivery.summary)
        return delivery
    # Always inside a transaction (the export's own, or the caller's): if anything fails, the
    # rollback takes the temporary table with it.
    with connection.cursor() as cursor:
        _eligibility_table(cursor, municipality, year)
        counts, params = _counted(cursor, municipality, year)
        cursor.execute(*excluded_queryset(municipality, year).query.sql_with_params())
        counts.excluded.extend(_other_excluded(year, cursor.fetchall()))
        delivery = _delivery(municipality, year, counts, approved_months)
        if ready:
            ready(delivery.summary)
        if out is not None:
            delivery.checksum = _copy_file(cursor, params, out, progress, delivery.rows)
        cursor.execute("DROP TABLE fhb_dst_eligibility")
    return delivery


def _file_writer(out: BinaryIO | None):
    digest = hashlib.sha256()

    def write(data: bytes) -> None:
        digest.update(data)
        if out is not None:
            out.write(data)

    return write, digest


def _single_pass(
    municipality: Municipality, year: int, out: BinaryIO | None, progress: Callable[[int, int], None] | None
) -> _Counts:
    """One pass over the year's rows, sorted by CPR and date: writes the file and counts as it
    goes. Memory holds the counters, the eligibility (CPR -> target groups) and the excluded
    records, never the visits."""
    first, last = year_bounds(year)
    c = _Counts(checksum=None)
    eligibility: dict[str, tuple[str, ...]] = {}
    exempt: set[str] = set()
    for row in eligibility_rows(municipality=municipality, year=year, as_of=first):
        eligibility[row.cpr] = row.groups
        if row.exempt:  # not offered a visit: neither in the uptake's numerator nor its denominator
            exempt.add(row.cpr)
        else:
            c.eligible.update(row.groups)
    code = municipality.code
    total = (  # the visits table alone: the join with citizens is not needed to count
        Visit.objects.filter(_delivered_q(), municipality=municipality, visit_date__range=(first, last)).count()
        if progress
        else 0
    )
    write, digest = _file_writer(out)
    lines: list[str] = [CSV_HEADER]

    def flush() -> None:
        write("".join(lines).encode())
        lines.clear()

    # Visits per key, and persons per key: rows come sorted by CPR and date, so within one citizen
    # the month and the age band never go back, and a citizen is counted once per month or band
    # when it changes. No per-citizen sets.
    month_v, month_p, band_v, band_p = c.month_v, c.month_p, c.band_v, c.band_p
    aed_v, aed_p, form_v, form_p = c.aed_v, c.aed_p, c.form_v, c.form_p
    excluded = c.excluded
    rows = persons = seen = n = 0
    current = None
    valid = True
    groups: tuple[str, ...] = ()
    group = sex = birth_mmdd = ""
    birth_year = 0
    last_month = last_band = last_aed = None
    forms_seen: set[str] = set()

    def finish() -> None:
        nonlocal persons
        persons += 1
        key = group or NO_GROUP
        c.group_p[key] += 1
        c.group_v[key] += n
        c.sex_p[sex] = c.sex_p.get(sex, 0) + 1
        c.sex_v[sex] = c.sex_v.get(sex, 0) + n
        if groups and current not in exempt:
            for g in groups:
                c.recipients[g] += 1

    for cpr, date, form, birth, row_sex, died, visit_id in _stream(delivery_queryset(municipality, year)):
        seen += 1
        if progress and not seen % 50_000:
            progress(seen, total)
        if cpr != current:
            if n:
                finish()
            current = cpr
            # Fast path: the CPR's date part is the registry's birth date (a real date); else parse it.
            valid = (cpr[:6] == birth[8:10] + birth[5:7] + birth[2:4] and cpr.isdigit() and len(cpr) == 10) or (
                cpr_is_valid(cpr)
            )
            groups = eligibility.get(cpr, ())
            group = groups[0] if groups else ""
            birth_year, birth_mmdd = int(birth[:4]), birth[5:]
            sex = row_sex
            n = 0
            last_month = last_band = last_aed = None
            forms_seen = set()
        if not valid or (died != NULL and date > died):
            excluded.append(_excluded(visit_id, cpr, date, None, "after_death" if valid else "invalid_cpr"))
            continue
        lines.append(f"{code};{cpr};{date};{form};{group}\n")
        if len(lines) >= 20_000:
            flush()
        rows += 1
        n += 1
        month = date[5:7]
        month_v[month] += 1
        if month != last_month:
            month_p[month] += 1
            last_month = month
        age = int(date[:4]) - birth_year - (date[5:] < birth_mmdd)
        age = 0 if age < 0 else 200 if age > 200 else age
        band, aed = _BAND_OF_AGE[age], _AED10_OF_AGE[age]
        band_v[band] += 1
        if band != last_band:
            band_p[band] += 1
            last_band = band
        aed_v[aed] += 1
        if aed != last_aed:
            aed_p[aed] += 1
            last_aed = aed
        form_v[form] += 1
        if form not in forms_seen:
            forms_seen.add(form)
            form_p[form] += 1
    if n:
        finish()
    flush()
    if progress:
        progress(total, total)
    excluded_kinds = {e["visit_id"]: e for e in excluded}
    if excluded_kinds:  # the main stream does not carry kind and outcome: fill them in
        for pk, kind, outcome in Visit.objects.filter(pk__in=list(excluded_kinds)).values_list("id", "kind", "outcome"):
            excluded_kinds[pk]["kind"], excluded_kinds[pk]["outcome"] = kind, outcome
    excluded.extend(_other_excluded(year, _rows(excluded_queryset(municipality, year))))
    c.rows, c.persons, c.checksum = rows, persons, digest.hexdigest()
    return c


_DELIVERED_SQL = """v.municipality_id = %(m)s AND v.kind IN ('collective_event', 'follow_up_visit', 'home_visit')
    AND v.outcome = 'completed' AND NOT v.is_draft AND v.visit_date BETWEEN %(first)s AND %(last)s"""

# The record file, straight out of PostgreSQL: the target group joined from the eligibility,
# invalid CPRs and visits after death left out.
_FILE_SQL = f"""COPY (
    SELECT %(code)s, c.cpr, v.visit_date,
        CASE WHEN v.kind = 'collective_event' THEN '{COLLECTIVE}' ELSE '{INDIVIDUAL}' END AS form, e.grp
    FROM visits_visit v
    JOIN fhb_citizen c ON c.id = v.citizen_id
    LEFT JOIN fhb_dst_eligibility e ON e.cpr = c.cpr COLLATE "C"  -- in the sort's collation: a merge join
    WHERE {_DELIVERED_SQL} AND (c.deceased_on IS NULL OR v.visit_date <= c.deceased_on)
        AND NOT (c.id = ANY(%(invalid)s::bigint[]))
    ORDER BY c.cpr COLLATE "C", v.visit_date, form, v.id
) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"""

# The summary from the counts the database keeps per citizen (reports/migrations/0002), grouped
# by everything it is tallied by (a few hundred rows; the sums add up across them). Age on a visit
# is (year - birth year), one less before the birthday.
_SUMMARY_SQL = f"""
SELECT base, hb, ha, sex, groups, exempt,
    count(*), sum(visits), sum(before_birthday), sum(event_visits),
    count(*) FILTER (WHERE event_visits > 0), count(*) FILTER (WHERE visits > event_visits),
    {", ".join(f"sum(month_visits[{m}])" for m in range(1, 13))}
FROM (
    SELECT d.*, %(year)s - d.birth_year AS base, d.before_birthday > 0 AS hb, d.visits > d.before_birthday AS ha,
        e.groups, e.exempt
    FROM reports_dstcount d
    LEFT JOIN fhb_dst_eligibility e ON e.citizen_id = d.citizen_id
    WHERE d.municipality_id = %(m)s AND d.year = %(year)s AND NOT (d.citizen_id = ANY(%(invalid)s::bigint[]))
) AS p
GROUP BY base, hb, ha, sex, groups, exempt"""

# Persons per set of months visited (a bitmask, January the lowest bit).
_MONTHS_SQL = """
SELECT months, count(*) FROM reports_dstcount
WHERE municipality_id = %(m)s AND year = %(year)s AND NOT (citizen_id = ANY(%(invalid)s::bigint[]))
GROUP BY months"""

# The year's target groups of the municipality's citizens, computed by the same query as
# everywhere else (fhb/eligibility/query.py), kept in the database for the joins above.
_ELIGIBILITY_SQL = """
CREATE TEMPORARY TABLE fhb_dst_eligibility AS
SELECT q.pk AS citizen_id, q.cpr, {first} AS grp, concat_ws(',', {every}) AS groups, q.exempt FROM ({query}) AS q"""

# Counted citizens whose CPR may be invalid (kept up to date with the counts).
_SUSPECT_SQL = """
SELECT c.id, c.cpr, c.birth_date FROM reports_dstcount d JOIN fhb_citizen c ON c.id = d.citizen_id
WHERE d.municipality_id = %(m)s AND d.year = %(year)s AND d.cpr_suspect"""

# Delivered visits in the year after the citizen's death (not in the file).
_AFTER_DEATH_SQL = f"""
SELECT v.id, c.id, c.cpr, c.birth_date, v.visit_date, v.kind, v.outcome
FROM fhb_citizen c JOIN visits_visit v ON v.citizen_id = c.id
WHERE c.deceased_on <= %(last)s AND v.visit_date > c.deceased_on AND {_DELIVERED_SQL}"""

# Delivered visits in the year of citizens whose CPR is invalid (not in the file).
_INVALID_SQL = f"""
SELECT v.id, c.cpr, v.visit_date, v.kind, v.outcome
FROM fhb_citizen c JOIN visits_visit v ON v.citizen_id = c.id
WHERE c.id = ANY(%(invalid)s::bigint[]) AND {_DELIVERED_SQL}"""


def _cpr_valid(cpr: str, birth: str) -> bool:
    """The single pass's test: the CPR's date part is the registry's birth date (ISO), else parse it."""
    return (cpr[:6] == birth[8:10] + birth[5:7] + birth[2:4] and cpr.isdigit() and len(cpr) == 10) or cpr_is_valid(cpr)


def _counted(cursor, municipality: Municipality, year: int) -> tuple[_Counts, dict]:
    """PostgreSQL: the summary's tallies from the maintained per-citizen counts (a few hundred
    thousand rows grouped in SQL) and the eligibility table; the records left out of the file."""
    first, last = year_bounds(year)
    params = {"m": municipality.pk, "year": year, "first": first, "last": last, "code": municipality.code}
    c = _Counts(checksum=None)
    cursor.execute("SELECT groups, exempt, count(*) FROM fhb_dst_eligibility GROUP BY groups, exempt")
    for groups, exempt, n in cursor.fetchall():
        if not exempt:  # not offered a visit: neither in the uptake's numerator nor its denominator
            for code in groups.split(","):
                c.eligible[code] += n
    cursor.execute(_AFTER_DEATH_SQL, params)
    after_death = cursor.fetchall()
    cursor.execute(_SUSPECT_SQL, params)
    suspects = {*cursor.fetchall(), *((row[1], row[2], row[3]) for row in after_death)}
    invalid = {pk for pk, cpr, birth in suspects if not _cpr_valid(cpr, birth.isoformat())}
    params["invalid"] = sorted(invalid)
    for visit_id, citizen_id, cpr, _birth, date, kind, outcome in after_death:
        if citizen_id not in invalid:
            c.excluded.append(_excluded(visit_id, cpr, date.isoformat(), kind, "after_death", outcome))
    if invalid:
        cursor.execute(_INVALID_SQL, params)
        for visit_id, cpr, date, kind, outcome in cursor.fetchall():
            c.excluded.append(_excluded(visit_id, cpr, date.isoformat(), kind, "invalid_cpr", outcome))
    cursor.execute(_SUMMARY_SQL, params)
    for row in cursor.fetchall():
        _add_grouped(c, *row)
    cursor.execute(_MONTHS_SQL, params)
    for months, persons in cursor.fetchall():
        for i, month in enumerate(MONTHS):
            if months & (1 << i):
                c.month_p[month] += persons
    return c, params


def _eligibility_table(cursor, municipality: Municipality, year: int) -> None:
    """fhb_dst_eligibility: citizen id, CPR, first group (the file's), every group (comma-separated,
    sorted as in Eligibility.groups) and exemption of each citizen with a group."""
    first, _last = year_bounds(year)
    queryset, columns, _rules = eligibility_queryset(
        municipalities=[municipality], year=year, as_of=first, policy=policy_for(municipality, year)
    )
    fields = {column.code: column.field for column in columns}
    codes = sorted(fields)
    sql, params = queryset.order_by().values("pk", "cpr", "exempt", *fields.values()).query.sql_with_params()
    cursor.execute("DROP TABLE IF EXISTS fhb_dst_eligibility")
    cursor.execute(
        _ELIGIBILITY_SQL.format(
            first="CASE " + " ".join(f"WHEN q.{fields[code]} THEN '{code}'" for code in codes) + " END",
            every=", ".join(f"CASE WHEN q.{fields[code]} THEN '{code}' END" for code in codes),
            query=sql,
        ),
        params,
    )
    cursor.execute("ANALYZE fhb_dst_eligibility")


def _copy_file(cursor, params: dict, out: BinaryIO, progress, total: int) -> str:
    """Stream the file out of `COPY` into `out`; returns its checksum."""
    write, digest = _file_writer(out)
    write(CSV_HEADER.encode())
    block: list[bytes] = []
    seen = 0
    # A million short-lived row buffers and nothing cyclic: without the collector, which otherwise
    # rescans the summary's hundred thousand excluded records again and again (1-2 s).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with cursor.cursor.copy(_FILE_SQL, params) as copy:
            for row in copy:  # PostgreSQL sends one row per message
                block.append(row)
                if len(block) == 10_000:
                    write(b"".join(block))
                    block.clear()
                    seen += 10_000
                    if progress and not seen % 50_000:
                        progress(seen, total)
    finally:
        if collecting:
            gc.enable()
    write(b"".join(block))
    if progress:
        progress(total, total)
    return digest.hexdigest()


def _add_grouped(c: _Counts, base, hb, ha, sex, groups, exempt, *sums):
    """Add one row of _SUMMARY_SQL to the tallies."""
    persons, visits, before, events, *rest = sums
    c.persons += persons
    c.rows += visits
    c.form_v[COLLECTIVE] += events
    c.form_v[INDIVIDUAL] += visits - events
    c.form_p[COLLECTIVE] += rest[0]
    c.form_p[INDIVIDUAL] += rest[1]
    for month, n in zip(MONTHS, rest[2:], strict=True):
        c.month_v[month] += n
    c.sex_p[sex] = c.sex_p.get(sex, 0) + persons
    c.sex_v[sex] = c.sex_v.get(sex, 0) + visits
    group = groups.split(",")[0] if groups else NO_GROUP  # the file's group: the first, alphabetically
    c.group_p[group] += persons
    c.group_v[group] += visits
    if groups and not exempt:
        for code in groups.split(","):
            c.recipients[code] += persons
    bands: set[str] = set()
    aeds: set[str] = set()
    for has, age, n in ((hb, base - 1, before), (ha, base, visits - before)):  # before the birthday, after
        if not has:
            continue
        age = 0 if age < 0 else 200 if age > 200 else age
        band, aed = _BAND_OF_AGE[age], _AED10_OF_AGE[age]
        c.band_v[band] += n
        c.aed_v[aed] += n
        bands.add(band)
        aeds.add(aed)
    for band in bands:
        c.band_p[band] += persons
    for aed in aeds:
        c.aed_p[aed] += persons


def _delivery(municipality: Municipality, year: int, c: _Counts, approved_months: int | None) -> Delivery:
    """The summary from the counts (with every excluded record)."""
    excluded = sorted(c.excluded, key=lambda e: (e["cpr"], e["date"], e["visit_id"]))

    group_keys = sorted(k for k in c.group_p if k != NO_GROUP) + ([NO_GROUP] if NO_GROUP in c.group_p else [])

    def tally(keys, persons_by, visits_by) -> dict:
        return {k: {"persons": persons_by.get(k, 0), "visits": visits_by.get(k, 0)} for k in keys}

    recipients, eligible = c.recipients, c.eligible
    summary = {
        "kommunekode": municipality.code,
        "municipality": municipality.name,
        "year": year,
        "visits": c.rows,
        "citizens": c.persons,
        "by_month": {f"{year}-{m}": v for m, v in tally(MONTHS, c.month_p, c.month_v).items()},
        "by_target_group": tally(group_keys, c.group_p, c.group_v),
        "by_age_band": tally(BAND_KEYS, c.band_p, c.band_v),
        "by_age_band_aed10": tally(AED_KEYS, c.aed_p, c.aed_v),
        "by_sex": tally(SEXES, c.sex_p, c.sex_v),
        "by_meeting_form": tally(MEETING_FORMS, c.form_p, c.form_v),
        "uptake": {
            g: {
                "recipients": recipients[g],
                "eligible": eligible[g],
                "rate": round(recipients[g] / eligible[g], 4) if eligible[g] else None,
                "national_2021": NATIONAL_UPTAKE_2021.get(g),
            }
            for g in age_determined_groups(year)
        },
        "quality": quality_criteria([c.month_p[m] for m in MONTHS], approved_months=approved_months),
        "excluded_by_reason": {r: n for r, n in sorted(Counter(e["reason"] for e in excluded).items())},
        "excluded": excluded,
    }
    return Delivery(summary=summary, checksum=c.checksum, rows=c.rows)


def age_determined_groups(year: int) -> list[str]:
    """The year's groups an offer is determined by age alone (uptake is measured for these)."""
    rules = rule_set_for(year)
    codes = {r.code for r in rules.age_rules}
    if transition_applies(rules, year):
        codes |= {r.code for r in rules.transition_from.age_rules}
    return sorted(codes)


def _excluded(visit_id, cpr, date, kind, reason, outcome="completed") -> dict:
    return {"visit_id": int(visit_id), "cpr": cpr, "date": date, "kind": kind, "outcome": outcome, "reason": reason}


_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False)


def summary_json(summary: dict) -> bytes:
    """The summary file: indented, with one excluded record per line (a national delivery lists
    tens of thousands; indenting each of their fields made the file and the work three times as
    large)."""
    excluded = summary.get("excluded", [])
    head = json.dumps({k: v for k, v in summary.items() if k != "excluded"}, ensure_ascii=False, indent=2)
    encode = _RECORD_ENCODER.encode  # one encoder for all records: json.dumps builds one per call
    records = ",\n    ".join(map(encode, excluded))
    body = f"\n    {records}\n  " if excluded else ""
    return f'{head[:-2]},\n  "excluded": [{body}]\n}}\n'.encode()
