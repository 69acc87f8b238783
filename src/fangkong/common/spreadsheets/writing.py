"""Writing: the one writer every .xlsx and CSV export uses."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .base import CSV

# Text a spreadsheet would run as a formula (OWASP "CSV injection"), and ' which the reader
# takes away: written with a leading ' in CSV. A number written as text ("-1") stays as it is.
_FORMULA_MARKS = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# What XML 1.0 (so an .xlsx) cannot hold: C0 controls but tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF. Written as U+FFFD, so the file opens and shows where it was.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")
# An .xlsx writes a character XML cannot hold as _x0007_, so a reader decodes any _xHHHH_:
# text that holds one literally has its "_" written as _x005F_ (as Excel does).
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def csv_cell(value: object) -> object:
    """A value as a CSV cell: formula-like text gets a leading ', numbers stay numbers."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_MARKS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[object]], *, bom: bool = False) -> Iterator[str]:
    """Rows as CSV text one line at a time (a streamed download), cells through ``csv_cell``;
    ``bom`` starts with one, so Excel on Chinese Windows reads the UTF-8."""
    writer = csv.writer(_Echo())
    first = "\ufeff" if bom else ""
    for row in rows:
        yield first + writer.writerow([csv_cell(v) for v in row])
        first = ""


def _xlsx_value(ws, value: object) -> object:
    """A value openpyxl writes as itself: text as a text cell, never as a formula or error."""
    if not isinstance(value, str):
        return value
    if _NOT_IN_XLSX.search(value):
        value = _NOT_IN_XLSX.sub("\ufffd", value)
    if "_x" in value:
        value = _LOOKS_ESCAPED.sub("_x005F_", value)
    if value.startswith(("=", "#")):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl takes "=..." for a formula and "#N/A" for an error
        return cell
    return value


def sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: 31 characters, none of \\ / * ? : [ ]."""
    title = _NOT_IN_XLSX.sub("", _NOT_IN_SHEET_TITLE.sub("_", name or "")).strip("'")[:31]
    return title or "Sheet1"


def write_table(
    path_or_buffer: Path | io.BytesIO,
    rows: Iterable[Sequence[object]],
    *,
    format: str,
    encoding: str = "utf-8-sig",
    title: str = "",
    sheet: str = "Sheet1",
) -> None:
    """Write rows as .xlsx or CSV; text stays text (an ID number keeps every digit, a name that
    starts with = is not a formula)."""
    if format == CSV:
        lines = csv_lines([[title], *rows] if title else rows)
        data = "".join(lines).encode(encoding, errors="replace")
        if isinstance(path_or_buffer, Path):
            path_or_buffer.write_bytes(data)
        else:
            path_or_buffer.write(data)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet_title(sheet))
    if title:
        ws.append([_xlsx_value(ws, title)])
    for row in rows:
        ws.append([_xlsx_value(ws, v) for v in row])
    book.save(path_or_buffer)
