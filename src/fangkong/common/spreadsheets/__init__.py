"""Spreadsheets as people make them: .xlsx and .csv read into rows of text, and written back.

Reading keeps what a ledger needs and nothing else: every cell as text (whole numbers without
".0", dates as ISO), merged cells filled with their top-left value, and the CSV's encoding
(UTF-8 with or without BOM, or GB18030 as Excel saves on Chinese Windows) remembered so a file
written back opens the same way. Numbers too long for Excel's 15 significant digits are flagged,
because their last digits are already lost.

Reading is bounded: a file is at most ``MAX_UPLOAD_BYTES``, and a sheet's used range (up to its
last cell holding a value: formatting and trailing blank rows do not count) at most
``MAX_ROWS`` × ``MAX_COLUMNS`` and ``MAX_CELLS``. An .xlsx sheet is measured from its XML before
it is loaded, because calamine allocates the whole rectangle up to the farthest cell (one cell
at XFD1048576 asked for 512 GB); a CSV is counted as it is read.

Imports share ``find_header``/``header_key`` (the header row below any title rows, and how a
header cell is compared) and ``write_rejects`` (the refused
rows with their 错误原因, in the input's own format). Writing goes through ``write_table`` and
``csv_lines``, which every export uses: text that a
spreadsheet would run as a formula is written as text, and characters an .xlsx cannot hold are
replaced, so no value makes an export fail or a download run code.
"""

from .base import (
    CSV,
    EXACT_DIGITS,
    FORM_OVERHEAD,
    FORMATS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    XLSX,
    SpreadsheetError,
    Table,
    check_extent,
    check_upload_size,
    column_letters,
    too_large_message,
)
from .headers import HEADER_SEARCH_ROWS, columns_of, find_header, header_key, header_titles
from .reading import decode_text, read_csv, read_table
from .rejects import REASON_HEADER, rejects_name, write_rejects
from .writing import (
    Cell,
    Sheet,
    csv_cell,
    csv_lines,
    printed_book,
    sheet_title,
    write_book,
    write_table,
    xlsx_text,
)
from .xlsx import check_sheet_xml, read_xlsx

__all__ = [
    "CSV",
    "Cell",
    "EXACT_DIGITS",
    "FORMATS",
    "HEADER_SEARCH_ROWS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "FORM_OVERHEAD",
    "MAX_UPLOAD_BYTES",
    "REASON_HEADER",
    "XLSX",
    "Sheet",
    "SpreadsheetError",
    "Table",
    "check_extent",
    "check_sheet_xml",
    "check_upload_size",
    "column_letters",
    "columns_of",
    "csv_cell",
    "csv_lines",
    "decode_text",
    "find_header",
    "header_key",
    "header_titles",
    "read_csv",
    "read_table",
    "read_xlsx",
    "rejects_name",
    "sheet_title",
    "too_large_message",
    "write_book",
    "printed_book",
    "xlsx_text",
    "write_rejects",
    "write_table",
]
