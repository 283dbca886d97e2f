"""The row-import framework (fhb/registry/rowimport.py), on a toy declaration: every import built on
it gets the same errors, --strict, empty-file rule, skipping, chunking and progress."""

import pytest

from fhb.registry.rowimport import SKIP, RowImport
from fhb.registry.tables import ImportFileError, InvalidValue, parse_date, require

pytestmark = pytest.mark.django_db


class Toy(RowImport):
    required = ["name", "day"]
    optional = ["skip"]
    empty = "Filen indeholder ingen rækker."

    def prepare(self):
        self.applied: list[list] = []

    def check(self, check, raw):
        if raw.get("skip") == "1":
            return SKIP
        try:
            require(raw["name"])
        except InvalidValue as exc:
            check.fail("name", str(exc))
        try:
            day = parse_date(raw["day"])
        except InvalidValue as exc:
            check.fail("day", str(exc))
            day = None
        if not check.errors:
            check.unique(raw["name"], column="name", reason="også i række {row}")
        return (raw["name"], day)

    def apply(self, rows, result):
        self.applied.append(list(rows))
        result.created += len(rows)


class ChunkedToy(Toy):
    chunk_rows = 2


FILE = "name;day;skip\nA;2026-01-01;\n;2026-01-02;\nB;not a date;\nA;2026-01-03;\nC;2026-01-04;1\nD;2026-01-05;\n"


@pytest.mark.parametrize("kind", [Toy, ChunkedToy])
def test_errors_name_row_column_and_reason_and_the_valid_rows_are_applied(kind):
    toy = kind()
    result = toy.run(FILE)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "name", "skal udfyldes"),
        (4, "day", "ugyldig dato; brug ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ"),
        (5, "name", "også i række 2"),
    ]
    assert (result.created, result.rejected, result.unchanged) == (2, 3, 1)  # C was skipped
    assert [name for chunk in toy.applied for name, _day in chunk] == ["A", "D"]
    assert result.applied and result.exit_code == 1


@pytest.mark.parametrize("kind", [Toy, ChunkedToy])
def test_strict_changes_nothing(kind):
    toy = kind(strict=True)
    result = toy.run(FILE)
    assert not result.applied and result.rejected == 3 and result.created == 0
    if kind is Toy:
        assert toy.applied == []  # validated first: nothing was written
    # chunked: the chunks written before the invalid row are rolled back with the transaction


def test_a_file_without_rows_is_a_file_error():
    with pytest.raises(ImportFileError, match="ingen rækker"):
        Toy().run("name;day\n\n")


def test_progress_ends_at_the_total():
    calls = []
    ChunkedToy(progress=lambda done, total: calls.append((done, total))).run(FILE)
    assert calls[-1] == (6, 6)
    assert all(done <= total for done, total in calls)
