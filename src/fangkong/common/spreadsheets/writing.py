"""Writing: the one writer every .xlsx and CSV export uses."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Cell:
    """A value with how it is shown in an .xlsx: a number format ("0.0%", "+0;-0;0"), bold,
    aligned ("right" over a column of numbers), text wrapped in its column. Plain values need
    no Cell."""

    value: object
    number_format: str = ""
    bold: bool = False
    align: str = ""
    wrap: bool = False


def csv_cell(value: object) -> object:
    """A value as a CSV cell: formula-like text gets a leading ', numbers stay numbers."""
    if isinstance(value, Cell):
        value = value.value
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


def _xlsx_value(ws, value: object, *, bold: bool = False) -> object:
    """A value openpyxl writes as itself: text as a text cell, never as a formula or error."""
    look = value if isinstance(value, Cell) else Cell(value, bold=bold)
    value = look.value
    if isinstance(value, str):
        if _NOT_IN_XLSX.search(value):
            value = _NOT_IN_XLSX.sub("\ufffd", value)
        if "_x" in value:
            value = _LOOKS_ESCAPED.sub("_x005F_", value)
    formula_like = isinstance(value, str) and value.startswith(("=", "#"))
    if not (formula_like or bold or look.bold or look.number_format or look.align or look.wrap):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(ws, value=value)
    if formula_like:
        cell.data_type = "s"  # openpyxl takes "=..." for a formula and "#N/A" for an error
    # A style is looked up in the workbook's registries each time it is set: done once per
    # look and copied to every cell after it (100,000 text cells of a payment file).
    key = (bold or look.bold, look.number_format, look.align, look.wrap)
    styles = ws.__dict__.setdefault("_fangkong_styles", {})
    if key in styles:
        cell._style = copy(styles[key])
        return cell
    if bold or look.bold:
        cell.font = Font(bold=True)
    if look.number_format:
        cell.number_format = look.number_format
    if look.wrap or look.align:
        cell.alignment = Alignment(
            horizontal=look.align or None, wrap_text=look.wrap or None, vertical="top"
        )
    styles[key] = copy(cell._style)
    return cell


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
    write_book(path_or_buffer, [Sheet(sheet, [[title], *rows] if title else rows)])


@dataclass
class Sheet:
    """One sheet of a workbook: its rows and how it prints. ``widths``: column widths in
    characters from column A; ``bold``: the indexes (from 0) of rows written bold (titles,
    headings); ``landscape`` prints A4 across; ``fit_width`` scales every column onto one page
    width (as many pages down as it takes); ``repeat_rows``: the first rows printed again at
    the top of every page."""

    name: str
    rows: Iterable[Sequence[object]]
    widths: Sequence[float] = ()
    bold: Collection[int] = ()
    landscape: bool = False
    fit_width: bool = False
    repeat_rows: int = 0


def _page_setup(ws, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    for i, width in enumerate(sheet.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if sheet.landscape:
        ws.page_setup.orientation = "landscape"
    if sheet.fit_width:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    if sheet.repeat_rows:
        ws.print_title_rows = f"1:{sheet.repeat_rows}"


def write_book(path_or_buffer: Path | io.BytesIO, sheets: Sequence[Sheet]) -> None:
    """Write an .xlsx of one or more sheets (names made acceptable to Excel and unique), every
    value through the same rule as ``write_table``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        name = sheet_title(sheet.name)
        n = 1
        while name.lower() in used:
            n += 1
            name = sheet_title(f"{sheet.name[:27]} ({n})")
        used.add(name.lower())
        ws = book.create_sheet(title=name)
        _page_setup(ws, sheet)
        bold = set(sheet.bold)
        for i, row in enumerate(sheet.rows):
            ws.append([_xlsx_value(ws, v, bold=i in bold) for v in row])
    book.save(path_or_buffer)


def printed_book():
    """An empty workbook for a report laid out by hand (merged titles, borders, footers), as
    the supply daily report is; every value written into it goes through ``xlsx_text``."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def xlsx_text(value: object) -> object:
    """A value as ``write_table`` would store it: text without characters .xlsx cannot hold,
    and never read back as an escape; the caller marks formula-like text as text."""
    if isinstance(value, str):
        if _NOT_IN_XLSX.search(value):
            value = _NOT_IN_XLSX.sub("\ufffd", value)
        if "_x" in value:
            value = _LOOKS_ESCAPED.sub("_x005F_", value)
    return value
