"""The row-import framework: parse -> validate -> apply, the same way for every file of rows.

An import is a small declaration on `RowImport`: its columns, how one row is checked and parsed,
and how the valid rows are applied. `RowImport.run` does the rest, identically for the registry
extract, risk events, visits and hospital notifications:

- reads the file a row at a time (`read`, a CSV table unless the import reads another format);
- collects every row's errors (row, column, value, reason); a row with any error is rejected whole;
- `--strict`: one rejected row refuses the whole file, and nothing is changed;
- a file without a single row is a file error (`empty`), when the import says so;
- applies the valid rows in one transaction: after the whole file is validated, or, with
  `chunk_rows`, validated and written chunk by chunk inside that one transaction (a registry
  extract of 1.2 million rows: memory stays flat), rolled back under `--strict`;
- reports progress and returns the `ImportResult` (its summary line, the exit status).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import transaction

from .. import freshness
from ..models import Municipality, User
from .bulk import analyze
from .tables import ImportResult, Progress, RowCheck, Source, Table, Validation, read_table

# Returned by `check` for a row that is neither applied nor rejected (counted as unchanged): a
# hospital notification about an admission says nothing about a discharge.
SKIP = object()
PROGRESS_EVERY = 5000


class _StrictRollback(Exception):
    """A strict import found an invalid row after chunks were written: undo them all."""


class RowImport:
    required: ClassVar[list[str]] = []
    optional: ClassVar[list[str]] = []
    # The file error when the file holds no rows at all; None when an import reads its own format
    # and says so itself.
    empty: ClassVar[str | None] = None
    # Validate and write in chunks of this many rows (None: validate the whole file, then write).
    chunk_rows: ClassVar[int | None] = None
    # The models whose tables the import fills (history tables too): analysed (PostgreSQL's
    # statistics) once it has written rows.
    analyzes: ClassVar[tuple] = ()

    def __init__(
        self,
        *,
        strict: bool = False,
        municipality: Municipality | None = None,
        user: User | None = None,
        progress: Progress | None = None,
    ):
        self.strict, self.municipality, self.user, self.progress = strict, municipality, user, progress
        self.table: Any = None

    # ---- the declaration -------------------------------------------------------------------

    def read(self, data: Source) -> Table:
        """The rows: (line, raw) pairs, re-iterable, with `total` and `shape_errors`."""
        return read_table(data, required=self.required, optional=self.optional)

    def prepare(self) -> None:
        """Look-ups the row checks need, made once (e.g. the citizens the file names)."""

    def check(self, check: RowCheck, raw: dict) -> Any:
        """One row's own checks: record each error on `check` (`check.fail(column, reason)`) and
        return the parsed row, or SKIP."""
        raise NotImplementedError

    def check_chunk(self, pending: list[tuple[RowCheck, Any]]) -> None:
        """Checks across rows, on a chunk of rows that passed their own checks, in file order
        (chunked imports; the others use `check.unique` row by row)."""

    def apply(self, rows: list, result: ImportResult) -> None:
        """Write the valid rows (inside the import's transaction) and count them on `result`."""
        raise NotImplementedError

    @classmethod
    def as_service(cls):
        """The import as a service function, as the commands, the upload job and the demo call it:
        `service(data=..., strict=..., municipality=..., user=..., progress=...)`."""

        def service(
            *,
            data: Source,
            strict: bool = False,
            municipality: Municipality | None = None,
            user: User | None = None,
            progress: Progress | None = None,
        ) -> ImportResult:
            return cls(strict=strict, municipality=municipality, user=user, progress=progress).run(data)

        service.__doc__ = cls.__doc__
        return service

    # ---- the run ---------------------------------------------------------------------------

    def run(self, data: Source) -> ImportResult:
        result = self._run(data)
        if result.created or result.updated:
            if self.analyzes:
                transaction.on_commit(lambda: analyze(*self.analyzes))  # once the rows are committed
            municipality_id = self.municipality.pk if self.municipality is not None else None
            transaction.on_commit(lambda: freshness.changed(municipality_id))  # the figures move
        return result

    def _run(self, data: Source) -> ImportResult:
        self.table = table = self.read(data)
        result = ImportResult()
        validation = Validation(table, result)
        self.prepare()
        if self.chunk_rows:
            return self._run_chunked(table, validation, result)
        parsed = []
        for index, (line, raw) in enumerate(table.rows, 1):
            row = self._check(validation, line, raw, result)
            if row is not None and validation.accept(row[0]):
                parsed.append(row[1])
            self._progress(index, table.total)
        if not self._finish(validation, len(parsed)):
            return result
        with transaction.atomic():
            self.apply(parsed, result)
        if self.progress:
            self.progress(table.total, table.total)
        return result

    def _run_chunked(self, table, validation: Validation, result: ImportResult) -> ImportResult:
        valid = 0
        try:
            with transaction.atomic():
                self.start_chunks()
                pending: list[tuple[RowCheck, Any]] = []
                for line, raw in table.rows:
                    row = self._check(validation, line, raw, result)
                    if row is None:
                        continue
                    pending.append(row)
                    if len(pending) == self.chunk_rows:
                        valid += self._accept_and_apply(pending, validation, result)
                        pending = []
                        if self.progress:
                            self.progress(min(line - 1, table.total), table.total)
                valid += self._accept_and_apply(pending, validation, result)
                self.finish_chunks()
                if not self._finish(validation, valid):
                    raise _StrictRollback
        except _StrictRollback:
            result.created = result.updated = result.unchanged = 0
            result.municipalities = set()
            return result
        if self.progress:
            self.progress(table.total, table.total)
        return result

    def start_chunks(self) -> None:
        """Inside the transaction, before the first chunk (e.g. create a temporary table)."""

    def finish_chunks(self) -> None:
        """After the last chunk (e.g. drop the temporary table)."""

    def _check(self, validation: Validation, line: int, raw, result: ImportResult):
        """(check, parsed row) for a row that passed its own checks; None for one that did not
        (rejected) or was skipped (counted as unchanged)."""
        check = validation.row(line, raw)
        parsed = self.check(check, raw)
        if parsed is SKIP and not check.errors:
            result.unchanged += 1
            return None
        if check.errors:
            validation.accept(check)
            return None
        return check, parsed

    def _accept_and_apply(self, pending, validation: Validation, result: ImportResult) -> int:
        """A chunk: its checks across rows, then its valid rows written (not once a strict import
        has met an invalid row: it will be rolled back). Returns how many were valid."""
        self.check_chunk(pending)
        rows = [row for check, row in pending if validation.accept(check)]
        if not (self.strict and (validation.rejected or validation.table.shape_errors)):
            self.apply(rows, result)
        return len(rows)

    def _finish(self, validation: Validation, valid: int) -> bool:
        if self.empty is None:  # the import's own format has said whether the file is empty
            return validation.finish(strict=self.strict, valid=max(valid, 1), empty="")
        return validation.finish(strict=self.strict, valid=valid, empty=self.empty)

    def _progress(self, index: int, total: int) -> None:
        if self.progress and index % PROGRESS_EVERY == 0:
            self.progress(index, total)


def rows_of(items: Iterable) -> list:
    """A list of (number, item) rows, numbered from 1, for an import that reads its own format."""
    return list(enumerate(items, 1))
