"""Reading a CSV, counted as it is read, and telling .xlsx from CSV by content."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .base import (
    CSV,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    SpreadsheetError,
    Table,
    check_extent,
    check_upload_size,
)
from .xlsx import read_xlsx

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other compound documents
_CSV_MARKS = frozenset("='\t ")
_SCIENTIFIC = re.compile(r"^-?[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")


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


def _bounded_lines(text: str) -> Iterator[str]:
    for n, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > MAX_LINE_CHARS:
            raise SpreadsheetError(
                _("line %(n)d of the CSV file is longer than %(max)s characters")
                % {"n": n, "max": f"{MAX_LINE_CHARS:,}"}
            )
        yield line


def _used_width(row: list[str]) -> int:
    """The row's width up to its last non-blank cell (Excel writes ",,,," for formatted ones)."""
    width = len(row)
    while width and not row[width - 1]:
        width -= 1
    return width


def _csv_rows(reader) -> tuple[list[list[str]], set[tuple[int, int]]]:
    rows: list[list[str]] = []
    lossy: set[tuple[int, int]] = set()
    blank = width = 0
    for raw in reader:
        if not any(raw):
            blank += 1  # kept (as []) only when a row with content follows
            continue
        rows += [[] for _ in range(blank)]
        blank = 0
        if len(raw) > MAX_COLUMNS:
            raw = raw[: _used_width(raw)]
        width = max(width, len(raw))
        check_extent(len(rows) + 1, width)
        r = len(rows)
        out = []
        for c, value in enumerate(raw):
            cell, lost = _csv_text(value)
            if lost:
                lossy.add((r, c))
            out.append(cell)
        rows.append(out)
    return rows, lossy


def read_csv(data: bytes) -> Table:
    """A CSV's rows, counted as they are read (trailing blank rows are not kept)."""
    text, encoding = decode_text(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        rows, lossy = _csv_rows(reader)
    except csv.Error as e:
        if "field limit" in str(e):  # csv.field_size_limit(), left at MAX_CELL_CHARS
            raise SpreadsheetError(
                _("a cell on line %(n)d is longer than %(max)s characters")
                % {"n": reader.line_num, "max": f"{MAX_CELL_CHARS:,}"}
            ) from None
        raise SpreadsheetError(
            _("the CSV file cannot be read at line %(n)d (%(e)s)") % {"n": reader.line_num, "e": e}
        ) from None
    return Table(rows=rows, format=CSV, encoding=encoding, lossy=lossy)


def read_table(data: bytes, filename: str = "") -> Table:
    """Read .xlsx or .csv by content (the name only breaks ties); refuse anything else."""
    check_upload_size(len(data))
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
