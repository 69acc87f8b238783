"""A warehouse's stock sheet (库存表) as warehouses keep it: finding its header, reading its rows.

This module reads the layout and checks each row on its own (no database); the import
(``services.stock_import``) decides what the rows add. A sheet has a title row or two above the
header (《XX仓库物资库存表》), columns named as each warehouse names them, several rows of one
item when it has several batches, and often a 合计 row at the bottom: a total to compare, never
an item.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from fangkong.common.digits import ascii_digits
from fangkong.common.spreadsheets import Table, header_key
from fangkong.common.text import InvalidText, clean_name

HEADER_SEARCH_ROWS = 30
MAX_QTY = 10**12  # more than any warehouse holds: a longer number is a typing slip


class Col(StrEnum):
    SEQ = "seq"
    NAME = "name"
    SPEC = "spec"
    UNIT = "unit"
    QTY = "qty"
    BATCH = "batch"
    EXPIRES = "expires"
    NOTES = "notes"
    REASON = "reason"  # 错误原因 of a rejects file sent back: ignored on the way in


ALIASES: dict[Col, tuple[str, ...]] = {
    Col.SEQ: ("序号", "编号", "no", "no."),
    Col.NAME: ("物资名称", "品名", "名称", "物资", "物品名称", "商品名称", "item", "name"),
    Col.SPEC: ("规格型号", "规格", "型号", "spec"),
    Col.UNIT: ("单位", "计量单位", "unit"),
    Col.QTY: (
        "数量",
        "库存数量",
        "库存",
        "结存数量",
        "结存",
        "现有库存",
        "实有数量",
        "qty",
        "quantity",
    ),
    Col.BATCH: ("批次号", "批号", "批次", "生产批号", "batch"),
    Col.EXPIRES: ("有效期至", "有效期", "失效日期", "有效日期", "到期日期", "expires"),
    Col.NOTES: ("备注", "notes"),
    Col.REASON: ("错误原因",),
}
_ALIAS_TO_COL = {header_key(a): col for col, aliases in ALIASES.items() for a in aliases}
# A row whose name (or number) cell says one of these is the sheet's total.
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "总合计", "total"})
NO_EXPIRY_WORDS = frozenset({"", "长期", "长期有效", "无", "-", "/", "—"})
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})(?:\s*[-/.月]\s*([0-9]{1,2})\s*日?|\s*月?)")


class SheetInvalid(ValueError):
    """The file as a whole is not a stock sheet; nothing was written."""


class RowRejected(ValueError):
    """One row cannot be imported; the message says why and what is allowed."""


@dataclass(frozen=True)
class Header:
    row: int
    titles: list[str]
    columns: dict[Col, int]

    @property
    def data_start(self) -> int:
        return self.row + 1


def find_header(table: Table) -> Header:
    """The first row (of the first 30) naming an item-name column and a quantity column."""
    for r, cells in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        columns: dict[Col, int] = {}
        for c, cell in enumerate(cells):
            col = _ALIAS_TO_COL.get(header_key(cell))
            if col is not None and col not in columns:
                columns[col] = c
        if Col.NAME in columns and Col.QTY in columns:
            width = max((len(row) for row in table.rows[r:]), default=len(cells))
            return Header(row=r, titles=[*cells, *[""] * (width - len(cells))], columns=columns)
    raise SheetInvalid(
        _(
            "no header row found in the first %(n)d rows: a stock sheet needs a column for the "
            "item (%(names)s) and one for the quantity (%(qtys)s)"
        )
        % {
            "n": HEADER_SEARCH_ROWS,
            "names": "、".join(ALIASES[Col.NAME][:2]),
            "qtys": "、".join(ALIASES[Col.QTY][:2]),
        }
    )


def parse_qty(text: str, *, zero: bool = False) -> int:
    """A positive whole number as typed: ``5000``, ``5,000``, ``５０００``, ``5000.0``;
    RowRejected for anything else (若干, negative, zero unless ``zero``, a fraction, empty)."""
    raw = ascii_digits(text or "").strip().replace(" ", "")
    if not raw:
        raise RowRejected(_("the quantity is empty; write a whole number such as 5000"))
    digits = raw.replace(",", "") if _GROUPED.fullmatch(raw) else raw
    if re.fullmatch(r"[0-9]+\.0*", digits):
        digits = digits.split(".")[0]
    if re.fullmatch(r"[-−][0-9]+(?:\.[0-9]*)?", digits):
        raise RowRejected(_("the quantity must be more than 0"))
    if not re.fullmatch(r"[0-9]+", digits):
        raise RowRejected(
            _("the quantity %(q)s is not a whole number; write it as digits, such as 5000 or 5,000")
            % {"q": text.strip()[:30]}
        )
    if len(digits.lstrip("0")) > len(str(MAX_QTY)):  # before int(): 10,000 digits is a paste
        raise RowRejected(
            _("the quantity %(q)s is too large: at most %(max)s")
            % {"q": text.strip()[:30], "max": f"{MAX_QTY - 1:,}"}
        )
    qty = int(digits)
    if qty <= 0 and not (zero and qty == 0):
        raise RowRejected(_("the quantity must be more than 0"))
    if qty >= MAX_QTY:
        raise RowRejected(
            _("the quantity %(q)s is too large: at most %(max)s")
            % {"q": f"{qty:,}", "max": f"{MAX_QTY - 1:,}"}
        )
    return qty


def parse_expiry(text: str) -> dt.date | None:
    """An expiry date: 2026-05-31, 2026/5/31, 2026.5.31, 2026年5月31日, 20260531, or a month
    (2026-05, 2026年5月: its last day); none for 长期 or a blank. RowRejected if not a real
    date."""
    raw = ascii_digits(text or "").strip()
    if raw in NO_EXPIRY_WORDS:
        return None
    try:
        if re.fullmatch(r"[0-9]{8}", raw):
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        m = _DATE.fullmatch(raw) or _DATE.fullmatch(raw.split(" ")[0].split("T")[0])
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            day = int(m.group(3)) if m.group(3) else calendar.monthrange(year, month)[1]
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise RowRejected(
        _("the expiry %(d)s is not a real date; write it as 2026-05-31 (or 长期 for none)")
        % {"d": text.strip()[:30]}
    )


def item_key(name: str) -> str:
    """An item's name as compared with the catalog: width-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


@dataclass(frozen=True)
class StockRow:
    """A data row checked on its own: the item, its lot and quantity."""

    number: int  # the row number Excel shows
    index: int  # the row's index in the table
    name: str
    spec: str
    unit: str
    qty: int
    batch: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class TotalRow:
    number: int
    qty: int | None  # None: the row gives no readable total


@dataclass
class Sheet:
    """What a stock sheet holds: its data rows (each checked, or refused with a reason), and
    the 合计 rows it gives."""

    table: Table
    header: Header
    rows: list[StockRow]
    rejected: list[tuple[int, int, str]]  # (row number, index, reason)
    totals: list[TotalRow]

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.rejected)


def _cell(cells: list[str], header: Header, col: Col) -> str:
    c = header.columns.get(col)
    return cells[c].strip() if c is not None and c < len(cells) else ""


def _is_total(cells: list[str], header: Header) -> bool:
    for col in (Col.NAME, Col.SEQ):
        if header_key(_cell(cells, header, col)) in TOTAL_WORDS:
            return True
    first = next((c for c in cells if c.strip()), "")
    return header_key(first) in TOTAL_WORDS


def check_row(number: int, index: int, cells: list[str], header: Header) -> StockRow:
    """One data row checked; RowRejected with the reason."""
    try:
        name = item_key(clean_name(_cell(cells, header, Col.NAME)))
    except InvalidText as e:
        raise RowRejected(str(e)) from None
    if not name:
        raise RowRejected(_("the row names no item (物资名称)"))
    if len(name) > 100:
        raise RowRejected(_("the item name is longer than 100 characters"))
    qty = parse_qty(_cell(cells, header, Col.QTY))
    expires_on = parse_expiry(_cell(cells, header, Col.EXPIRES))
    batch = item_key(_cell(cells, header, Col.BATCH))
    if batch in NO_EXPIRY_WORDS:
        batch = ""
    return StockRow(
        number=number,
        index=index,
        name=name,
        spec=item_key(_cell(cells, header, Col.SPEC))[:100],
        unit=item_key(_cell(cells, header, Col.UNIT))[:20],
        qty=qty,
        batch=batch[:50],
        expires_on=expires_on,
    )


def read_sheet(table: Table) -> Sheet:
    """Every non-blank row under the header: a data row (checked), a 合计 row, or the header
    again (as pasted tables repeat it: skipped)."""
    if not any(any(c.strip() for c in row) for row in table.rows):
        raise SheetInvalid(_("the file is empty"))
    header = find_header(table)
    sheet = Sheet(table=table, header=header, rows=[], rejected=[], totals=[])
    for i in range(header.data_start, len(table.rows)):
        cells = table.rows[i]
        if not "".join(cells).strip():
            continue
        if _ALIAS_TO_COL.get(header_key(_cell(cells, header, Col.NAME))) == Col.NAME:
            continue  # the header again
        if _is_total(cells, header):
            try:
                total: int | None = parse_qty(_cell(cells, header, Col.QTY), zero=True)
            except RowRejected:
                total = None
            sheet.totals.append(TotalRow(i + 1, total))
            continue
        try:
            sheet.rows.append(check_row(i + 1, i, cells, header))
        except RowRejected as e:
            sheet.rejected.append((i + 1, i, str(e)))
    return sheet
