"""Headquarters' daily summary of units' requests (需求汇总表) as a sheet: its header, its rows.

This module reads the layout and checks each row on its own (no database); the import
(``services.requisitions.import_requisitions``) matches the items and units and decides what
the rows add. Columns such as 申请单号, 申请单位, 物资名称, 数量, 优先级 (1/2/3 or
医疗一线/其他一线/社区), 需用日期, 事由; a title row above the header is normal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from fangkong.common.digits import ascii_digits
from fangkong.common.spreadsheets import Table, find_header, header_key, header_titles
from fangkong.common.text import InvalidText, clean_name, too_long

from .choices import Tier
from .stock_sheet import RowRejected, SheetInvalid, item_key, parse_expiry, parse_qty


class Col(StrEnum):
    NUMBER = "number"
    UNIT = "unit"
    ITEM = "item"
    QTY = "qty"
    TIER = "tier"
    NEEDED = "needed"
    REASON = "reason"
    ERROR = "error"  # 错误原因 of a rejects file sent back: ignored on the way in


ALIASES: dict[str, tuple[str, ...]] = {
    Col.NUMBER: ("申请单号", "单号", "申请编号", "需求编号", "编号", "number"),
    Col.UNIT: ("申请单位", "需求单位", "用物单位", "单位名称", "requesting unit"),
    Col.ITEM: ("物资名称", "品名", "名称", "物资", "物品名称", "item"),
    Col.QTY: ("数量", "申请数量", "需求数量", "需用数量", "qty", "quantity"),
    Col.TIER: ("优先级", "优先等级", "保障优先级", "级别", "priority", "tier"),
    Col.NEEDED: ("需用日期", "需求日期", "需用时间", "需求时间", "要求到货日期", "needed by"),
    Col.REASON: ("事由", "申请事由", "用途", "需求事由", "reason"),
    Col.ERROR: ("错误原因",),
}
REQUIRED = (Col.NUMBER, Col.UNIT, Col.ITEM, Col.QTY)
# what a tier cell may say, compared width-folded without spaces
TIER_WORDS: dict[str, int] = {
    "1": Tier.MEDICAL,
    "一": Tier.MEDICAL,
    "一级": Tier.MEDICAL,
    "医疗一线": Tier.MEDICAL,
    "2": Tier.FRONT_LINE,
    "二": Tier.FRONT_LINE,
    "二级": Tier.FRONT_LINE,
    "其他一线": Tier.FRONT_LINE,
    "其它一线": Tier.FRONT_LINE,
    "3": Tier.COMMUNITY,
    "三": Tier.COMMUNITY,
    "三级": Tier.COMMUNITY,
    "社区": Tier.COMMUNITY,
}
MAX_NUMBER = 64


@dataclass(frozen=True)
class RequisitionRow:
    """A data row checked on its own."""

    number: int  # the row number Excel shows
    index: int  # the row's index in the table
    ref: str  # 申请单号
    unit: str
    item: str  # width-folded, spaces collapsed (as the catalog compares names)
    qty: int
    tier: int
    needed_on: dt.date | None
    reason: str


@dataclass
class RequisitionSheet:
    table: Table
    header_row: int
    titles: list[str]
    columns: dict[str, int]
    rows: list[RequisitionRow]
    rejected: list[tuple[int, int, str]]  # (row number, index, reason)

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.rejected)


def parse_tier(text: str) -> int:
    """1, 2 or 3 (full-width too), 一级…, or 医疗一线 / 其他一线 / 社区; RowRejected otherwise."""
    key = header_key(ascii_digits(text or "")).removeprefix("第")
    if key.endswith(".0"):
        key = key[:-2]
    tier = TIER_WORDS.get(key)
    if tier is None:
        raise RowRejected(
            _("the priority %(p)s is not known; write 1 (医疗一线), 2 (其他一线) or 3 (社区)")
            % {"p": (text or "").strip()[:20] or "—"}
        )
    return tier


def parse_needed(text: str) -> dt.date | None:
    """The needed-by date (2026-02-10, 2026/2/10, 2026年2月10日); none when blank."""
    if not (text or "").strip():
        return None
    try:
        return parse_expiry(text)
    except RowRejected:
        raise RowRejected(
            _("the needed-by date %(d)s is not a real date; write it as 2026-02-10")
            % {"d": text.strip()[:30]}
        ) from None


def _cell(cells: list[str], columns: dict[str, int], col: str) -> str:
    c = columns.get(col)
    return cells[c].strip() if c is not None and c < len(cells) else ""


def _text(cells: list[str], columns: dict[str, int], col: str, limit: int = 0) -> str:
    """The cell as a name; one longer than ``limit`` is refused, never cut."""
    try:
        text = item_key(clean_name(_cell(cells, columns, col)))
    except InvalidText as e:
        raise RowRejected(str(e)) from None
    if limit and len(text) > limit:
        raise RowRejected(f"{ALIASES[col][0]}: {too_long(len(text), limit)}")
    return text


def check_row(number: int, index: int, cells: list[str], columns: dict[str, int]) -> RequisitionRow:
    """One data row checked; RowRejected with the reason and what is allowed."""
    ref = _text(cells, columns, Col.NUMBER)
    if not ref:
        raise RowRejected(_("the row has no 申请单号 (requisition number)"))
    if len(ref) > MAX_NUMBER:
        raise RowRejected(_("the 申请单号 is longer than 64 characters"))
    unit = _text(cells, columns, Col.UNIT, 100)
    if not unit:
        raise RowRejected(_("the row names no requesting unit (申请单位)"))
    item = _text(cells, columns, Col.ITEM, 100)
    if not item:
        raise RowRejected(_("the row names no item (物资名称)"))
    qty = parse_qty(_cell(cells, columns, Col.QTY))
    tier_text = _cell(cells, columns, Col.TIER)
    tier = parse_tier(tier_text) if Col.TIER in columns else Tier.COMMUNITY
    # a day already past is kept: the list is headquarters' own, read as it stands (the issue's
    # contract refuses only unknown items and quantities that are no positive whole number)
    needed_on = parse_needed(_cell(cells, columns, Col.NEEDED))
    return RequisitionRow(
        number=number,
        index=index,
        ref=ref,
        unit=unit,
        item=item,
        qty=qty,
        tier=tier,
        needed_on=needed_on,
        reason=_text(cells, columns, Col.REASON, 200),
    )


def read_sheet(table: Table) -> RequisitionSheet:
    """Every non-blank row under the header, checked (a repeated header row is skipped)."""
    if not any(any(c.strip() for c in row) for row in table.rows):
        raise SheetInvalid(_("the file is empty"))
    found = find_header(table, ALIASES, REQUIRED)
    if found is None:
        raise SheetInvalid(
            _(
                "no header row found: a requisition list needs the columns 申请单号, 申请单位, "
                "物资名称 and 数量 (优先级, 需用日期 and 事由 may follow)"
            )
        )
    row, columns = found
    sheet = RequisitionSheet(
        table=table,
        header_row=row,
        titles=header_titles(table, row),
        columns=columns,
        rows=[],
        rejected=[],
    )
    item_aliases = {header_key(a) for a in ALIASES[Col.ITEM]}
    for i in range(row + 1, len(table.rows)):
        cells = table.rows[i]
        if not "".join(cells).strip():
            continue
        if header_key(_cell(cells, columns, Col.ITEM)) in item_aliases:
            continue  # the header again
        try:
            sheet.rows.append(check_row(i + 1, i, cells, columns))
        except RowRejected as e:
            sheet.rejected.append((i + 1, i, str(e)))
    return sheet
