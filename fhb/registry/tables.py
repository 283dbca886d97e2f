"""Reading delimited files and parsing their values, with errors that name row, column and reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection

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
        raise ImportFileError(_not_utf8(f"ugyldig byte ved position {exc.start}", kind)) from None


def _not_utf8(where: str, kind: str = "CSV") -> str:
    return f"Filen er ikke UTF-8 ({where}). " + (
        "Gem den som CSV UTF-8 og prøv igen." if kind == "CSV" else "Gem den med tegnsættet UTF-8 og prøv igen."
    )


Source = bytes | str | BinaryIO


def as_binary(data: Source) -> BinaryIO:
    """A seekable binary file for any source: an uploaded file is read from disk as it is parsed,
    never held in memory whole."""
    if isinstance(data, str):
        return io.BytesIO(data.encode("utf-8"))
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    return data


def count_lines(handle: BinaryIO) -> int:
    """Lines in the file (a row with a quoted line break counts twice): for progress only."""
    handle.seek(0)
    lines, last = 0, b"\n"
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    handle.seek(0)
    return lines + (last != b"\n")


class Rows:
    """The data rows of a table, read from the file each time they are iterated (an import may
    read them twice: once for the CPR numbers it must look up, once to validate), a row at a time.
    Rows of the wrong shape are not yielded; they are collected in `shape_errors`."""

    def __init__(self, handle: BinaryIO, header: list[str], delimiter: str, wanted: list[tuple[int, str]]):
        self.handle, self.header, self.delimiter, self.wanted = handle, header, delimiter, wanted
        self.shape_errors: dict[int, RowError] = {}

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        self.handle.seek(0)
        text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        width, line = len(self.header), 1
        try:
            next(reader)  # the header
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines are not rows
                if (len(cells) != width and any(c.strip() for c in cells[width:])) or len(cells) < width:
                    self.shape_errors[line] = RowError(
                        line,
                        "*",
                        self.delimiter.join(cells)[:80],
                        f"rækken har {len(cells)} felter, men overskriften har {width}",
                    )
                    continue
                yield line, {name: cells[i].strip() for i, name in self.wanted}
        except csv.Error as exc:
            raise ImportFileError(f"Række {line + 1} kan ikke læses som CSV: {exc}") from None
        except UnicodeDecodeError:
            raise ImportFileError(_not_utf8(f"ugyldig byte efter række {line}")) from None
        finally:
            text.detach()  # leave the file open for the next pass


@dataclass
class Table:
    columns: list[str]
    rows: Rows  # (line number, {column: raw value}) for known columns, read lazily
    total: int  # the file's lines less the header: the denominator of progress

    @property
    def shape_errors(self) -> list[RowError]:
        return [self.rows.shape_errors[line] for line in sorted(self.rows.shape_errors)]

    def has(self, column: str) -> bool:
        return column in self.columns


def read_table(data: Source, *, required: list[str], optional: list[str]) -> Table:
    """Open a `;`- or `,`-separated file with a header row; its rows are read as they are iterated.
    Unknown columns are ignored."""
    handle = as_binary(data)
    handle.seek(0)
    first = handle.readline(1 << 20)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:
        header_line = first.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_not_utf8(f"ugyldig byte ved position {exc.start}")) from None
    if not header_line.strip():
        if not handle.read(1 << 16).strip():
            raise ImportFileError("Filen er tom.")
        raise ImportFileError("Overskriftsrækken er tom.")
    delimiter = ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","
    try:
        header = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
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
    total = max(count_lines(handle) - 1, 0)
    return Table(columns=[name for _, name in wanted], rows=Rows(handle, header, delimiter, wanted), total=total)


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


class SeenKeys:
    """The keys a file has named so far, each with the line it was first named on, for "the same
    citizen is also in row N". On PostgreSQL they are kept in a temporary table of the import's
    transaction (a national extract's 1.2 million keys took ~120 MB in a dict); elsewhere in a dict.
    Keys are ints. Call `first_lines` with each chunk's (key, line) pairs in file order."""

    TABLE = "fhb_import_seen"

    def __init__(self):
        self.in_database = connection.vendor == "postgresql"
        self.lines: dict[int, int] = {}
        if self.in_database:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
                cursor.execute(f"CREATE TEMP TABLE {self.TABLE} (key bigint PRIMARY KEY, line integer NOT NULL)")

    def first_lines(self, pairs: list[tuple[int, int]]) -> dict[int, int]:
        """{line: the line its key was first named on} for each pair whose key came before."""
        repeated: dict[int, int] = {}
        first_here: dict[int, int] = {}
        for key, line in pairs:
            if key in first_here:
                repeated[line] = first_here[key]
            else:
                first_here[key] = line
        if not self.in_database:
            for key, line in first_here.items():
                if key in self.lines:
                    repeated[line] = self.lines[key]
                else:
                    self.lines[key] = line
            return repeated
        keys, lines = list(first_here), list(first_here.values())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT b.line, s.line FROM unnest(%s::bigint[], %s::integer[]) AS b(key, line) "
                f"JOIN {self.TABLE} AS s USING (key)",
                [keys, lines],
            )
            earlier = dict(cursor.fetchall())
            cursor.execute(
                f"INSERT INTO {self.TABLE} SELECT * FROM unnest(%s::bigint[], %s::integer[]) ON CONFLICT DO NOTHING",
                [keys, lines],
            )
        repeated.update(earlier)
        # A key repeated within the chunk whose first naming was in an earlier chunk: that one.
        first_of_key = {line: key for key, line in first_here.items()}
        for line, first in list(repeated.items()):
            if first in first_of_key and first in earlier:
                repeated[line] = earlier[first]
        return repeated

    def close(self) -> None:
        if self.in_database:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


class RowCheck:
    """The errors found in one data row; a row with any error is rejected whole."""

    def __init__(self, validation: Validation, line: int, raw: dict[str, str]):
        self.validation, self.line, self.raw = validation, line, raw
        self.errors: list[RowError] = []

    def fail(self, column: str, reason: str, *, value: str | None = None) -> None:
        """Reject the row; the error repeats the column's value, or `value` when given."""
        self.errors.append(RowError(self.line, column, self.raw.get(column, "") if value is None else value, reason))

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
        self.table = table
        self.result = result
        result.errors = []
        self.rejected: set[int] = set()
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
        the file holds no rows at all (`empty` says what was expected). Call it after the rows
        have been read: rows of the wrong shape are found as they are read."""
        shape_errors = [e for e in self.table.shape_errors if e.row not in self.rejected]
        self.result.errors.extend(shape_errors)
        self.rejected |= {e.row for e in shape_errors}
        self.result.rejected = len(self.rejected)
        self.result.errors.sort(key=lambda e: e.row)
        if strict and self.result.rejected:
            self.result.applied = False
            return False
        if not valid and not self.result.rejected:
            raise ImportFileError(empty)
        return True
