"""Spreadsheets as people make them: .xlsx and .csv read into rows of text, and written back.

Reading keeps what a ledger needs and nothing else: every cell as text (whole numbers without
".0", dates as ISO), merged cells filled with their top-left value, and the CSV's encoding
(UTF-8 with or without BOM, or GB18030 as Excel saves on Chinese Windows) remembered so a file
written back opens the same way. Numbers too long for Excel's 15 significant digits are flagged,
because their last digits are already lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other compound documents
_CSV_MARKS = frozenset("='\t ")
_SCIENTIFIC = re.compile(r"^-?[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
# Excel keeps 15 significant digits: a longer number typed into a cell has lost its tail.
EXACT_DIGITS = 15


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why and what is accepted."""


@dataclass
class Table:
    """The cells of one sheet as text; ``lossy`` holds (row, column) of numbers that lost digits."""

    rows: list[list[str]]
    format: str
    encoding: str = "utf-8"
    sheet: str = ""
    lossy: set[tuple[int, int]] = field(default_factory=set)


def _cell_text(value: object) -> tuple[str, bool]:
    """A cell as text, and whether it is a number too long to be exact."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, float):
        if value.is_integer():
            text = f"{value:.0f}"
            return text, len(text.lstrip("-")) > EXACT_DIGITS
        return repr(value), False
    if isinstance(value, int):
        return str(value), len(str(abs(value))) > EXACT_DIGITS
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat(), False
        return value.isoformat(sep=" ", timespec="minutes"), False
    if isinstance(value, dt.date | dt.time):
        return value.isoformat(), False
    if isinstance(value, dt.timedelta):
        return str(value), False
    return str(value).strip(), False


def _csv_text(value: str) -> tuple[str, bool]:
    """A CSV cell as text; undo Excel's ways of keeping a long number as text."""
    if not value:
        return "", False
    if value[0] not in _CSV_MARKS and value[-1] not in " \t" and "+" not in value:
        return value, False  # the common case: nothing to undo, not in scientific notation
    text = value.strip().lstrip("\t").strip()
    if text.startswith('="') and text.endswith('"'):  # ="430102..." keeps the digits in Excel
        text = text[2:-1]
    elif text.startswith("'"):
        text = text[1:]
    return text, bool(_SCIENTIFIC.match(text))


def _sheet_rows(raw: list[list[object]]) -> tuple[list[list[str]], set[tuple[int, int]]]:
    rows: list[list[str]] = []
    lossy: set[tuple[int, int]] = set()
    for r, row in enumerate(raw):
        out = []
        for c, value in enumerate(row):
            text, lost = _cell_text(value)
            if lost:
                lossy.add((r, c))
            out.append(text)
        rows.append(out)
    return rows, lossy


def _fill_merged(rows: list[list[str]], lossy: set[tuple[int, int]], ranges) -> None:
    """A merged range shows its top-left value in every cell (a 楼栋 merged down its rows)."""
    for (r0, c0), (r1, c1) in ranges or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value, lost = rows[r0][c0], (r0, c0) in lossy
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
                if lost:
                    lossy.add((r, c))


def read_xlsx(data: bytes) -> Table:
    """The first sheet with any content, merged cells filled with their top-left value."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as e:
        raise SpreadsheetError(
            _("the file is not a readable .xlsx workbook (%(e)s)") % {"e": e}
        ) from None
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows, lossy = _sheet_rows(sheet.to_python(skip_empty_area=False))
        if any(any(rows_cell for rows_cell in row) for row in rows):
            _fill_merged(rows, lossy, sheet.merged_cell_ranges)
            return Table(rows=rows, format=XLSX, sheet=name, lossy=lossy)
    return Table(rows=[], format=XLSX)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV: UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("the CSV file is neither UTF-8 nor GB18030 text; save it again as CSV from Excel")
        ) from None


def read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows: list[list[str]] = []
    lossy: set[tuple[int, int]] = set()
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
        out = []
        for c, value in enumerate(row):
            cell, lost = _csv_text(value)
            if lost:
                lossy.add((r, c))
            out.append(cell)
        rows.append(out)
    return Table(rows=rows, format=CSV, encoding=encoding, lossy=lossy)


def read_table(data: bytes, filename: str = "") -> Table:
    """Read .xlsx or .csv by content (the name only breaks ties); refuse anything else."""
    suffix = Path(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        return read_xlsx(data)
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise SpreadsheetError(
            _("this is an old Excel 97-2003 (.xls) file; open it in Excel and save as .xlsx or CSV")
        )
    if suffix in (".csv", ".txt", ".tsv") or (suffix == "" and b"\x00" not in data[:4096]):
        return read_csv(data)
    raise SpreadsheetError(
        _("%(name)s is not a spreadsheet; upload an .xlsx workbook or a CSV file")
        % {"name": filename or _("the file")}
    )


def write_table(
    path_or_buffer: Path | io.BytesIO,
    rows: Iterable[Sequence[object]],
    *,
    format: str,
    encoding: str = "utf-8-sig",
    title: str = "",
    sheet: str = "Sheet1",
) -> None:
    """Write rows as .xlsx or CSV; text stays text (an ID number keeps every digit)."""
    if format == CSV:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        if title:
            writer.writerow([title])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        data = buffer.getvalue().encode(encoding, errors="replace")
        if isinstance(path_or_buffer, Path):
            path_or_buffer.write_bytes(data)
        else:
            path_or_buffer.write(data)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31] or "Sheet1")
    if title:
        ws.append([title])
    for row in rows:
        ws.append(list(row))
    book.save(path_or_buffer)
