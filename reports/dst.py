"""The statistics delivery to Danmarks Statistik (interfaces.md § 5, domain.md § 6).

One pass over the year's completed visits, sorted by CPR and date, writes the record-level file and
counts everything the summary needs as it goes: memory holds the counters, the municipality's
eligibility (CPR -> target groups) and the excluded records, never the visits. On PostgreSQL the
rows arrive through `COPY ... TO STDOUT` (the fastest way out of the server); elsewhere through a
cursor. Nothing in the output depends on the clock, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_noop

from fhb import cpr as cprlib
from fhb.eligibility import eligibility_rows, rule_set_for
from fhb.eligibility.rules import transition_applies
from fhb.models import Municipality
from visits.models import VISIT_KINDS, Visit, VisitKind, VisitOutcome

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

# Uptake of the age-determined offers nationally in 2021 (domain.md § 6; a covid-affected year).
NATIONAL_UPTAKE_2021 = {"age_70_living_alone": 0.136, "age_75": 0.12, "age_80": 0.201, "age_82_plus": 0.18}

# Data-quality criteria DST applies before it uses a municipality's data (domain.md § 6).
MIN_CITIZENS_PER_MONTH = 5
MAX_CHANGE = 0.40
MAX_LARGE_CHANGES = 1
MIN_APPROVED_MONTHS = 8

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
    checksum: str
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
    return Q(kind__in=sorted(VISIT_KINDS), outcome=VisitOutcome.COMPLETED, is_draft=False)


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
        .order_by("citizen__cpr", "visit_date", "form", "id")
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


def export(
    *,
    municipality: Municipality,
    year: int,
    out: BinaryIO | None,
    progress: Callable[[int, int], None] | None = None,
    approved_months: int | None = None,
) -> Delivery:
    """Write the record-level file to `out` (None: count only) and return the summary."""
    first, last = year_bounds(year)
    code = municipality.code
    eligibility: dict[str, tuple[str, ...]] = {}
    eligible: Counter = Counter()
    exempt: set[str] = set()
    age_groups = age_determined_groups(year)
    for row in eligibility_rows(municipality=municipality, year=year, as_of=first):
        eligibility[row.cpr] = row.groups
        if row.exempt:  # not offered a visit: neither in the uptake's numerator nor its denominator
            exempt.add(row.cpr)
        else:
            eligible.update(row.groups)

    total = (  # the visits table alone: the join with citizens is not needed to count
        Visit.objects.filter(_delivered_q(), municipality=municipality, visit_date__range=(first, last)).count()
        if progress
        else 0
    )
    digest = hashlib.sha256()
    lines: list[str] = [CSV_HEADER]

    def flush() -> None:
        data = "".join(lines).encode()
        digest.update(data)
        if out is not None:
            out.write(data)
        lines.clear()

    # Visits per key, and persons per key: rows come sorted by CPR and date, so within one citizen
    # the month and the age band never go back, and a citizen is counted once per month or band
    # when it changes. No per-citizen sets.
    month_v, month_p = dict.fromkeys(MONTHS, 0), dict.fromkeys(MONTHS, 0)
    band_keys, aed_keys = tuple(b[0] for b in AGE_BANDS), tuple(b[0] for b in AED10_BANDS)
    band_v, band_p = dict.fromkeys(band_keys, 0), dict.fromkeys(band_keys, 0)
    aed_v, aed_p = dict.fromkeys(aed_keys, 0), dict.fromkeys(aed_keys, 0)
    form_v, form_p = dict.fromkeys(MEETING_FORMS, 0), dict.fromkeys(MEETING_FORMS, 0)
    sex_v, sex_p = dict.fromkeys(SEXES, 0), dict.fromkeys(SEXES, 0)
    group_v: Counter = Counter()
    group_p: Counter = Counter()
    recipients: Counter = Counter()
    excluded: list[dict] = []
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
        group_p[key] += 1
        group_v[key] += n
        sex_p[sex] = sex_p.get(sex, 0) + 1
        sex_v[sex] = sex_v.get(sex, 0) + n
        if groups and current not in exempt:
            for g in groups:
                recipients[g] += 1

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
    for pk, cpr, date, kind, outcome, is_draft in excluded_queryset(municipality, year).iterator(chunk_size=5000):
        in_year = first <= date <= last
        record = _excluded(
            pk, cpr, date.isoformat(), kind, _reason(in_year=in_year, kind=kind, outcome=outcome, is_draft=is_draft)
        )
        record["outcome"] = outcome
        excluded.append(record)
    excluded.sort(key=lambda e: (e["cpr"], e["date"], e["visit_id"]))

    group_keys = sorted(k for k in group_p if k != NO_GROUP) + ([NO_GROUP] if NO_GROUP in group_p else [])

    def tally(keys, persons_by, visits_by) -> dict:
        return {k: {"persons": persons_by.get(k, 0), "visits": visits_by.get(k, 0)} for k in keys}

    summary = {
        "kommunekode": code,
        "municipality": municipality.name,
        "year": year,
        "visits": rows,
        "citizens": persons,
        "by_month": {f"{year}-{m}": v for m, v in tally(MONTHS, month_p, month_v).items()},
        "by_target_group": tally(group_keys, group_p, group_v),
        "by_age_band": tally(band_keys, band_p, band_v),
        "by_age_band_aed10": tally(aed_keys, aed_p, aed_v),
        "by_sex": tally(SEXES, sex_p, sex_v),
        "by_meeting_form": tally(MEETING_FORMS, form_p, form_v),
        "uptake": {
            g: {
                "recipients": recipients[g],
                "eligible": eligible[g],
                "rate": round(recipients[g] / eligible[g], 4) if eligible[g] else None,
                "national_2021": NATIONAL_UPTAKE_2021.get(g),
            }
            for g in age_groups
        },
        "quality": quality_criteria([month_p[m] for m in MONTHS], approved_months=approved_months),
        "excluded_by_reason": {r: c for r, c in sorted(Counter(e["reason"] for e in excluded).items())},
        "excluded": excluded,
    }
    return Delivery(summary=summary, checksum=digest.hexdigest(), rows=rows)


def age_determined_groups(year: int) -> list[str]:
    """The year's groups an offer is determined by age alone (uptake is measured for these)."""
    rules = rule_set_for(year)
    codes = {r.code for r in rules.age_rules}
    if transition_applies(rules, year):
        codes |= {r.code for r in rules.transition_from.age_rules}
    return sorted(codes)


def _excluded(visit_id, cpr, date, kind, reason) -> dict:
    return {"visit_id": int(visit_id), "cpr": cpr, "date": date, "kind": kind, "outcome": "completed", "reason": reason}


def quality_criteria(persons_by_month: list[int], *, approved_months: int | None = None) -> dict:
    """DST's criteria on the citizens visited each month (January first). `pass` covers the three
    criteria on the data; the approved-months rule (DST publishes a year only when the municipality
    has approved at least 8 months) is reported beside it when known."""
    present = [i + 1 for i, p in enumerate(persons_by_month) if p > 0]
    low = [i + 1 for i, p in enumerate(persons_by_month) if p < MIN_CITIZENS_PER_MONTH]
    changes = []
    for i in range(1, len(persons_by_month)):
        before, after = persons_by_month[i - 1], persons_by_month[i]
        if before == after:
            continue
        change = (after - before) / before if before else None  # from nothing: an unbounded rise
        if change is None or abs(change) > MAX_CHANGE:
            changes.append({"from_month": i, "to_month": i + 1, "change": None if change is None else round(change, 4)})
    criteria = [
        {"code": "all_months_present", "pass": len(present) == 12, "months_present": len(present)},
        {"code": "min_citizens_per_month", "pass": not low, "minimum": MIN_CITIZENS_PER_MONTH, "months_below": low},
        {
            "code": "max_one_large_change",
            "pass": len(changes) <= MAX_LARGE_CHANGES,
            "threshold": MAX_CHANGE,
            "large_changes": changes,
        },
    ]
    result = {"pass": all(c["pass"] for c in criteria), "criteria": criteria}
    if approved_months is not None:
        result["approved_months"] = {
            "pass": approved_months >= MIN_APPROVED_MONTHS,
            "approved": approved_months,
            "minimum": MIN_APPROVED_MONTHS,
        }
    return result


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
