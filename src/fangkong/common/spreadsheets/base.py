"""The limits every reading obeys, the error it raises, and the table it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)

# Limits, for every upload and import (page, API, command line). A ledger of a whole street
# (200,000 residents) fits; a sheet whose farthest cell lies beyond them is refused unread.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
FORM_OVERHEAD = 64 * 1024  # a multipart body's other fields and boundaries
MAX_ROWS = 200_000
MAX_COLUMNS = 100  # a ledger has about 16; "CV" is the 100th column
MAX_CELLS = 4_000_000  # rows × columns of the used range: 200,000 rows of 20 columns
MAX_CELL_CHARS = 131_072  # Python's csv limit; Excel itself holds 32,767 characters in a cell
MAX_LINE_CHARS = 1_048_576  # one CSV line: bounds the cells a line of commas makes
MAX_XML_BYTES = 512 * 1024 * 1024  # unpacked .xlsx parts (a 200,000-row sheet is ~150 MB)
MAX_WORKBOOK_XML_BYTES = 8 * 1024 * 1024
MAX_PIECE = 4 * 1024 * 1024
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


def too_large_message() -> str:
    return _("the file is larger than %(n)d MB; split it by grid") % {
        "n": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def check_upload_size(size: int, *, overhead: int = 0) -> None:
    """Refuse a file over ``MAX_UPLOAD_BYTES`` (the same limit and message everywhere);
    ``overhead``: what a request body holds besides the file (form fields, boundaries)."""
    if size > MAX_UPLOAD_BYTES + overhead:
        raise SpreadsheetError(too_large_message())


def column_letters(n: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def check_extent(rows: int, columns: int, sheet: str = "") -> None:
    """Refuse a sheet whose used range (A1 to its farthest cell) passes the limits."""
    if rows <= MAX_ROWS and columns <= MAX_COLUMNS and rows * columns <= MAX_CELLS:
        return
    where = _("the sheet %(name)s") % {"name": sheet} if sheet else _("the file")
    raise SpreadsheetError(
        _(
            "%(where)s has cells up to %(cell)s (%(rows)s rows × %(cols)s columns); a sheet "
            "may have at most %(max_rows)s rows, %(max_cols)s columns (up to %(last)s) and "
            "%(max_cells)s cells: delete the cells beyond the table, or split the file"
        )
        % {
            "where": where,
            "cell": f"{column_letters(columns)}{rows}",
            "rows": f"{rows:,}",
            "cols": f"{columns:,}",
            "max_rows": f"{MAX_ROWS:,}",
            "max_cols": MAX_COLUMNS,
            "last": column_letters(MAX_COLUMNS),
            "max_cells": f"{MAX_CELLS:,}",
        }
    )


def unreadable(e: object) -> SpreadsheetError:
    return SpreadsheetError(_("the file is not a readable .xlsx workbook (%(e)s)") % {"e": e})
