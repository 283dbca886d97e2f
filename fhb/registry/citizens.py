"""Import of the registry extract (interfaces.md § 1): an upsert of citizens keyed by CPR."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from .. import cpr as cprlib
from ..models import Citizen, CivilStatus, Municipality, RiskEvent, RiskGroup, RiskSource, User
from .bulk import insert_with_history, update_with_history
from .rowimport import RowImport
from .tables import (
    ImportResult,
    InvalidValue,
    RowCheck,
    SeenKeys,
    iter_chunks,
    parse_bool,
    parse_date,
    require,
)

REQUIRED = ["cpr", "first_name", "last_name", "address", "postal_code", "city", "municipality_code", "household_size"]
OPTIONAL = [
    "civil_status",
    "civil_status_date",
    "personal_care",
    "practical_help",
    "deceased_on",
    "moved_out_on",
    "digital_post_exempt",
    "phone",
]
_POSTAL = re.compile(r"^\d{4}$")
_CIVIL = {c.value for c in CivilStatus}


def _text(max_length: int):
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise InvalidValue(f"højst {max_length} tegn")
        return value

    return parse


def _required_text(max_length: int):
    inner = _text(max_length)
    return lambda value: inner(require(value))


def _postal_code(value: str) -> str:
    if not _POSTAL.match(value):
        raise InvalidValue("postnummeret skal være 4 cifre")
    return value


def _household_size(value: str) -> int:
    try:
        size = int(require(value))
    except ValueError:
        raise InvalidValue("skal være et helt tal (1 = bor alene)") from None
    if not 1 <= size <= 999:
        raise InvalidValue("skal være mindst 1 (borgeren selv tælles med)")
    return size


def _civil_status(value: str) -> str:
    value = value.upper()
    if value and value not in _CIVIL:
        raise InvalidValue("ukendt civilstand; brug U, G, P, F, E eller D")
    return value


# column -> (model field, parser); cpr and municipality_code are handled apart.
FIELDS = {
    "first_name": ("first_name", _required_text(100)),
    "last_name": ("last_name", _required_text(100)),
    "address": ("address", _required_text(200)),
    "postal_code": ("postal_code", _postal_code),
    "city": ("city", _required_text(100)),
    "household_size": ("household_size", _household_size),
    "civil_status": ("civil_status", _civil_status),
    "civil_status_date": ("civil_status_date", parse_date),
    "personal_care": ("personal_care", parse_bool),
    "practical_help": ("practical_help", parse_bool),
    "deceased_on": ("deceased_on", parse_date),
    "moved_out_on": ("moved_out_on", parse_date),
    "digital_post_exempt": ("digital_post_exempt", parse_bool),
    "phone": ("phone", _text(30)),
}


@dataclass
class _Row:
    line: int
    municipality_id: int
    cpr: cprlib.Cpr
    values: dict[str, object]  # model field -> value, for the columns present in the file


# Rows validated and written together: memory stays flat however long the file is.
CHUNK_ROWS = 5000


class CitizensImport(RowImport):
    """The registry extract: read a row at a time and written in chunks of CHUNK_ROWS inside one
    transaction, so a file that turns out unreadable half-way, or a strict import with an invalid
    row anywhere, changes nothing. With `municipality`, rows for any other municipality are
    rejected (an admin uploads only their own)."""

    required = REQUIRED
    optional = OPTIONAL
    empty = "Filen indeholder ingen rækker med borgere."
    chunk_rows = CHUNK_ROWS
    analyzes = (Citizen, Citizen.history.model)

    def prepare(self) -> None:
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.today = timezone.localdate()

    def start_chunks(self) -> None:
        self.seen = SeenKeys()  # the citizens named so far, for "also in row N"

    def finish_chunks(self) -> None:
        self.seen.close()

    def check(self, check: RowCheck, raw: dict[str, str]) -> _Row | None:
        fail, today, municipality = check.fail, self.today, self.municipality
        parsed_cpr = None
        try:
            parsed_cpr = cprlib.parse(require(raw["cpr"]), today=today)
        except (cprlib.InvalidCpr, InvalidValue) as exc:
            fail("cpr", str(exc))
        code = raw["municipality_code"]
        muni = self.municipalities.get(code.zfill(3) if code.isdigit() else "")
        if muni is None:
            fail("municipality_code", "ukendt kommunekode (3 cifre, fx 101)")
        elif municipality is not None and muni.pk != municipality.pk:
            fail(
                "municipality_code", f"rækken hører til {muni.name}; du kan kun importere borgere i {municipality.name}"
            )
        values: dict[str, object] = {}
        for column in self.table.columns:
            if column in FIELDS:
                name, parse = FIELDS[column]
                try:
                    values[name] = parse(raw[column])
                except InvalidValue as exc:
                    fail(column, str(exc))
        if parsed_cpr:
            for column in ("deceased_on", "moved_out_on", "civil_status_date"):
                day = values.get(column)
                if isinstance(day, dt.date) and day < parsed_cpr.birth_date:
                    fail(column, "datoen ligger før borgerens fødselsdato")
            if isinstance(values.get("deceased_on"), dt.date) and values["deceased_on"] > today:
                fail("deceased_on", "dødsdatoen ligger i fremtiden")
        if check.errors:
            return None
        if (
            values.get("civil_status") == CivilStatus.DEAD
            and not values.get("deceased_on")
            and "deceased_on" not in self.table.columns
        ):
            values["deceased_on"] = values.get("civil_status_date")
        return _Row(check.line, muni.pk, parsed_cpr, values)

    def check_chunk(self, pending: list[tuple[RowCheck, _Row]]) -> None:
        """A citizen named twice: the later rows are rejected, naming the first."""
        repeated = self.seen.first_lines([(_key(row), row.line) for _check, row in pending])
        for check, row in pending:
            if row.line in repeated:
                check.fail("cpr", f"CPR-nummeret står også i række {repeated[row.line]}")

    def apply(self, rows: list[_Row], result: ImportResult) -> None:
        _apply(rows, result, user=self.user)


# Upsert the citizens of a registry extract (interfaces.md § 1).
citizens_import = CitizensImport.as_service()


def _key(row: _Row) -> int:
    """One int per citizen: the municipality and the CPR number's digits."""
    return row.municipality_id * 10**10 + int(row.cpr.number)


def _apply(rows: list[_Row], result: ImportResult, *, user: User | None) -> None:
    if not rows:
        return
    existing: dict[tuple[int, str], Citizen] = {}
    by_municipality: dict[int, list[str]] = {}
    for row in rows:
        by_municipality.setdefault(row.municipality_id, []).append(row.cpr.number)
    for municipality_id, numbers in by_municipality.items():
        for citizen in Citizen.objects.filter(municipality_id=municipality_id, cpr__in=numbers):
            existing[(municipality_id, citizen.cpr)] = citizen

    now = timezone.now()
    to_create: list[Citizen] = []
    to_update: list[Citizen] = []
    changed_fields: set[str] = set()
    widowed: list[tuple[Citizen, dt.date]] = []
    for row in rows:
        citizen = existing.get((row.municipality_id, row.cpr.number))
        widow_date = (
            row.values.get("civil_status_date") if row.values.get("civil_status") == CivilStatus.WIDOWED else None
        )
        if citizen is None:
            citizen = Citizen(
                municipality_id=row.municipality_id,
                cpr=row.cpr.number,
                birth_date=row.cpr.birth_date,
                sex=row.cpr.sex,
                created_at=now,
                updated_at=now,
                **row.values,
            )
            to_create.append(citizen)
            if widow_date:
                widowed.append((citizen, widow_date))
            continue
        if widow_date and (citizen.civil_status != CivilStatus.WIDOWED or citizen.civil_status_date != widow_date):
            widowed.append((citizen, widow_date))
        diff = {name for name, value in row.values.items() if getattr(citizen, name) != value}
        if diff:
            for name in diff:
                setattr(citizen, name, row.values[name])
            citizen.updated_at = now
            changed_fields |= diff
            to_update.append(citizen)
        else:
            result.unchanged += 1

    insert_with_history(Citizen, to_create, user=user, reason="import", now=now)
    update_with_history(
        Citizen, to_update, sorted(changed_fields | {"updated_at"}), user=user, reason="import", now=now
    )
    result.created += len(to_create)
    result.updated += len(to_update)
    result.municipalities |= {c.municipality_id for c in (*to_create, *to_update)}
    if widowed:
        _register_widowed(widowed, user=user, now=now, new_ids={c.pk for c in to_create})


def _register_widowed(
    pairs: list[tuple[Citizen, dt.date]], *, user: User | None, now: dt.datetime, new_ids: set[int]
) -> None:
    """A civil-status change to widowed is a risk event on the civil-status date (interfaces.md § 2)."""
    group = RiskGroup.objects.get(municipality__isnull=True, code="widowed")
    citizen_ids = [c.pk for c, _ in pairs if c.pk not in new_ids]  # new citizens have no events yet
    existing = set()
    for chunk in iter_chunks(citizen_ids, 5000):
        existing |= set(
            RiskEvent.objects.filter(risk_group=group, citizen_id__in=chunk).values_list("citizen_id", "registered_on")
        )
    events = [
        RiskEvent(
            citizen=c, risk_group=group, registered_on=day, source=RiskSource.REGISTRY, created_by=user, created_at=now
        )
        for c, day in pairs
        if (c.pk, day) not in existing
    ]
    insert_with_history(RiskEvent, events, user=user, reason="import", now=now)
