"""Reading .xlsx: each sheet measured from its XML before calamine loads it, then row by row."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from .base import (
    EXACT_DIGITS,
    MAX_PIECE,
    MAX_WORKBOOK_XML_BYTES,
    MAX_XML_BYTES,
    XLSX,
    SpreadsheetError,
    Table,
    check_extent,
    column_number,
    unreadable,
)


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


# A cell's start tag (any namespace prefix); `<c .../>` holds nothing and does not count.
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])[^>]*>")
_ROW_OR_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_ANY_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


def _xml_pieces(book: zipfile.ZipFile, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's XML in pieces of about 1 MB, each cut before a tag (never inside one)."""
    read, rest = 0, b""
    with book.open(part) as f:
        while chunk := f.read(1 << 20):
            read += len(chunk)
            if read > MAX_XML_BYTES:
                raise SpreadsheetError(_("the workbook unpacks to more than 512 MB; split it"))
            rest += chunk
            cut = rest.rfind(b"<")
            if cut > 0:
                yield rest[:cut]
                rest = rest[cut:]
            elif len(rest) > MAX_PIECE:  # megabytes of one text: keep its tag, drop the text
                end = rest.find(b">")
                if end < 0:
                    raise unreadable(_("a tag longer than %(n)d MB") % {"n": MAX_PIECE >> 20})
                yield rest[: end + 1]
                rest = b""
    if rest:
        yield rest


def _fast_extent(piece: bytes) -> tuple[int, int] | None:
    """Farthest row and column of the cells holding something, when every cell names its
    reference (as Excel, WPS and openpyxl write them); None when one does not."""
    tags = [t for t in _CELL_TAG.findall(piece) if not t.endswith(b"/>")]
    if not tags:
        return 0, 0
    refs = _CELL_REF.findall(b"".join(tags))
    if len(refs) != len(tags):
        return None
    rows = max(map(int, {r for _c, r in refs}))
    return rows, max(map(column_number, {c for c, _r in refs}))


def _exact_extent(pieces: Iterable[bytes], sheet: str) -> None:
    """The same, following rows and cells that leave out their reference (counted on)."""
    row = col = far_row = far_col = 0
    for piece in pieces:
        for tag, attrs in _ROW_OR_CELL_TAG.findall(piece):
            ref = _ANY_REF.search(attrs)
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            row = int(digits) if digits else (row + 1 if tag == b"row" else row)
            if tag == b"row":
                col = 0
                continue
            col = column_number(letters) if letters else col + 1
            if not attrs.endswith(b"/"):
                far_row, far_col = max(far_row, row), max(far_col, col)
        check_extent(far_row, far_col, sheet)


def check_sheet_xml(book: zipfile.ZipFile, part: zipfile.ZipInfo, sheet: str) -> None:
    """Refuse a worksheet whose used range passes the limits, reading its XML as a stream
    (memory stays at a megabyte whatever the sheet declares) and stopping at the first cell
    beyond them. The ``<dimension>`` it declares is not trusted."""
    far_row = far_col = 0
    for piece in _xml_pieces(book, part):
        extent = _fast_extent(piece)
        if extent is None:
            _exact_extent(_xml_pieces(book, part), sheet)
            return
        far_row, far_col = max(far_row, extent[0]), max(far_col, extent[1])
        check_extent(far_row, far_col, sheet)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Each sheet's name → its worksheet part, as the workbook and its relationships say."""
    infos = {info.filename: info for info in book.infolist()}
    workbook, rels = infos.get("xl/workbook.xml"), infos.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    if max(workbook.file_size, rels.file_size) > MAX_WORKBOOK_XML_BYTES:
        raise unreadable("xl/workbook.xml")
    targets = {}
    for el in ElementTree.fromstring(book.read(rels)).iter():
        if _local(el.tag) == "Relationship":
            target = el.get("Target", "")
            paths = [target.lstrip("/")] if target.startswith("/") else [f"xl/{target}", target]
            found = [p for p in map(posixpath.normpath, paths) if p in infos]
            targets[el.get("Id", "")] = found[0] if found else ""
    parts = {}
    for el in ElementTree.fromstring(book.read(workbook)).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            info = infos.get(targets.get(rid, ""))
            if info is not None:
                parts[el.get("name", "")] = info
    return parts


def _check_workbook(data: bytes) -> dict[str, zipfile.ZipInfo]:
    """Every sheet's used range checked before calamine sees it; name → worksheet part ({}
    when the parts could not be told apart and every part that may be a sheet was checked)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        names = set(book.namelist())
        if "xl/workbook.xml" not in names:  # calamine reads .xlsb and .ods too: unmeasured
            raise SpreadsheetError(
                _("the file is a zip but not an .xlsx workbook; save it as .xlsx or CSV")
            )
        if sum(info.file_size for info in book.infolist()) > MAX_XML_BYTES:
            raise SpreadsheetError(_("the workbook unpacks to more than 512 MB; split it"))
        parts = _sheet_parts(book)
        for name, info in parts.items():
            check_sheet_xml(book, info, name)
        if not parts:  # an unusual layout: check every part that may be a worksheet
            for info in book.infolist():
                lower = info.filename.lower()
                if lower.endswith(".xml") and "sheet" in lower and "sharedstrings" not in lower:
                    check_sheet_xml(book, info, info.filename)
        return parts
    except (
        zipfile.BadZipFile,
        zlib.error,
        ElementTree.ParseError,
        KeyError,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as e:
        raise unreadable(e) from None


def _sheet_rows(sheet) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """A loaded sheet's rows from A1, converted one row at a time (and counted again)."""
    rows: list[list[str]] = []
    lossy: set[tuple[int, int]] = set()
    end = sheet.end
    if end is None:
        return rows, lossy
    width = end[1] + 1
    for r, raw in enumerate(sheet.iter_rows()):
        check_extent(r + 1, width, sheet.name)
        out = [""] * (width - len(raw))  # calamine starts a row at the first used column
        for value in raw:
            text, lost = _cell_text(value)
            if lost:
                lossy.add((r, len(out)))
            out.append(text)
        rows.append(out)
    missing = end[0] + 1 - len(rows)  # rows above the first used row, if calamine skipped them
    if missing > 0:
        rows[:0] = [[""] * width for _ in range(missing)]
        lossy = {(r + missing, c) for r, c in lossy}
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

    checked = _check_workbook(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as e:
        raise unreadable(e) from None
    for name in book.sheet_names:
        if checked and name not in checked:
            continue  # no worksheet part (a chart sheet): nothing was checked, nothing to read
        try:
            sheet = book.get_sheet_by_name(name)
        except (CalamineError, ValueError) as e:
            raise unreadable(e) from None
        rows, lossy = _sheet_rows(sheet)
        if any(any(rows_cell for rows_cell in row) for row in rows):
            _fill_merged(rows, lossy, sheet.merged_cell_ranges)
            return Table(rows=rows, format=XLSX, sheet=name, lossy=lossy)
    return Table(rows=[], format=XLSX)
