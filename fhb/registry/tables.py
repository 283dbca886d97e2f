"""Reading delimited files and parsing their values, with errors that name row, column and reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..exports import SafeCsvWriter

Progress = Callable[[int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be used (exit status 2); nothing was changed."""


class InvalidValue(ValueError):
    """One cell's value is invalid; the message is the reason, in Danish."""


# How much of a rejected value an error repeats: enough to find it, never a whole 100 KB cell.
ECHO_LIMIT = 80


def echo(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= ECHO_LIMIT else f"{text[:ECHO_LIMIT]}… ({len(text):,} tegn)".replace(",", ".")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the line number in the file; the header is line 1
    column: str
    value: str
    reason: str

    def __post_init__(self):
        object.__setattr__(self, "value", echo(self.value))

    def as_text(self) -> str:
        return f"række {self.row}, kolonne {self.column}: {self.reason} (værdi: {self.value!r})"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = True  # False when --strict refused the whole file
    # The municipalities whose data the import changed: their offers are recomputed afterwards.
    municipalities: set[int] = field(default_factory=set)

    @property
    def summary(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}"

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


ERROR_REPORT_HEADER = ["row", "column", "value", "reason"]


def write_error_report(errors: list[RowError], out: io.TextIOBase) -> None:
    writer = SafeCsvWriter(out, delimiter=";", lineterminator="\n")
    writer.writerow(ERROR_REPORT_HEADER)
    for error in errors:
        writer.writerow([error.row, error.column, error.value, error.reason])


def decode(data: bytes | str, *, kind: str = "CSV") -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Filen er ikke UTF-8 (ugyldig byte ved position {exc.start}). "
            + ("Gem den som CSV UTF-8 og prøv igen." if kind == "CSV" else "Gem den med tegnsættet UTF-8 og prøv igen.")
        ) from None


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number, {column: raw value}) for known columns
    shape_errors: list[RowError]

    def has(self, column: str) -> bool:
        return column in self.columns


def read_table(data: bytes | str, *, required: list[str], optional: list[str]) -> Table:
    """Parse a `;`- or `,`-separated file with a header row. Unknown columns are ignored."""
    text = decode(data)
    if not text.strip():
        raise ImportFileError("Filen er tom.")
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        raise ImportFileError(f"Overskriftsrækken kan ikke læses: {exc}") from None
    seen: set[str] = set()
    duplicates = sorted({name for name in header if name in seen or seen.add(name)})
    if duplicates:
        raise ImportFileError(f"Kolonnen/kolonnerne {', '.join(duplicates)} står mere end én gang i overskriften.")
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            f"Filen mangler de påkrævede kolonner: {', '.join(missing)}. "
            f"Overskriften skal indeholde {', '.join(required)} (adskilt af ; eller ,)."
        )
    known = set(required) | set(optional)
    wanted = [(i, name) for i, name in enumerate(header) if name in known]
    rows: list[tuple[int, dict[str, str]]] = []
    shape_errors: list[RowError] = []
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            if (len(cells) != len(header) and any(c.strip() for c in cells[len(header) :])) or len(cells) < len(header):
                shape_errors.append(
                    RowError(
                        line,
                        "*",
                        delimiter.join(cells)[:80],
                        f"rækken har {len(cells)} felter, men overskriften har {len(header)}",
                    )
                )
                continue
            rows.append((line, {name: cells[i].strip() for i, name in wanted}))
    except csv.Error as exc:
        raise ImportFileError(f"Række {line + 1} kan ikke læses som CSV: {exc}") from None
    return Table(columns=[name for _, name in wanted], rows=rows, shape_errors=shape_errors)


# ---- value parsers: each returns the parsed value or raises InvalidValue -----------------------

_TRUE = {"1", "ja", "j", "true", "yes", "y", "sand"}
_FALSE = {"0", "nej", "n", "false", "no", "falsk", ""}


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidValue("skal være 1/0, ja/nej, true/false eller yes/no")


def parse_date(value: str) -> dt.date | None:
    """`YYYY-MM-DD` or `DD-MM-YYYY`; empty gives None."""
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidValue("ugyldig dato; brug ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ")


def require(value: str) -> str:
    if not value:
        raise InvalidValue("skal udfyldes")
    return value


def iter_chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RowCheck:
    """The errors found in one data row; a row with any error is rejected whole."""

    def __init__(self, validation: Validation, line: int, raw: dict[str, str]):
        self.validation, self.line, self.raw = validation, line, raw
        self.errors: list[RowError] = []

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, self.raw.get(column, ""), reason))

    def unique(self, key, *, column: str, reason: str) -> None:
        """The file must not name the same thing twice; `reason` may use {row} (the first one)."""
        seen = self.validation.seen
        if key in seen:
            self.fail(column, reason.format(row=seen[key]))
        else:
            seen[key] = self.line


class Validation:
    """A file's row-by-row validation, shared by every CSV import: which rows are rejected, with
    which errors, and whether anything may be applied (`--strict`)."""

    def __init__(self, table: Table, result: ImportResult):
        self.result = result
        result.errors = list(table.shape_errors)
        self.rejected = {e.row for e in table.shape_errors}
        self.seen: dict = {}

    def row(self, line: int, raw: dict[str, str]) -> RowCheck:
        return RowCheck(self, line, raw)

    def accept(self, check: RowCheck) -> bool:
        """True when the row is valid; otherwise record its errors and reject it."""
        if check.errors:
            self.result.errors.extend(check.errors)
            self.rejected.add(check.line)
            return False
        return True

    def finish(self, *, strict: bool, valid: int, empty: str) -> bool:
        """Close validation; True when the valid rows may be applied. Raises ImportFileError when
        the file holds no rows at all (`empty` says what was expected)."""
        self.result.rejected = len(self.rejected)
        self.result.errors.sort(key=lambda e: e.row)
        if strict and self.result.rejected:
            self.result.applied = False
            return False
        if not valid and not self.result.rejected:
            raise ImportFileError(empty)
        return True
