"""An allowance roster (发放花名册) as hospitals send it: a title row or two, the header (序号,
姓名, 身份证号码, 工作单位, 人员类别, 金额（元）, 银行卡号, 开户银行), the staff, and a 合计 row
at the bottom — a total to compare, never a person.

This module reads the layout and checks each row on its own against the policy's rates (no
database); ``services.rosters`` decides what the rows add.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from fangkong.common import spreadsheets
from fangkong.common.codes import InvalidCode, bank_card
from fangkong.common.idnumbers import InvalidIdNumber
from fangkong.common.idnumbers import parse as parse_id
from fangkong.common.money import InvalidAmount, parse_fen, show
from fangkong.common.spreadsheets import Table
from fangkong.common.text import InvalidText, clean_name


class Col(StrEnum):
    SEQ = "seq"
    NAME = "name"
    ID = "id_number"
    UNIT = "unit"
    CATEGORY = "category"
    AMOUNT = "amount"
    CARD = "bank_card"
    BANK = "bank"
    REASON = "reason"  # 错误原因 of a rejects file sent back: ignored on the way in


ALIASES: dict[Col, tuple[str, ...]] = {
    Col.SEQ: ("序号", "编号", "no"),
    Col.NAME: ("姓名", "名字", "name"),
    Col.ID: ("身份证号码", "身份证号", "公民身份号码", "证件号码", "id number"),
    Col.UNIT: ("工作单位", "单位", "所在单位", "unit"),
    Col.CATEGORY: ("人员类别", "类别", "人员类型", "category"),
    Col.AMOUNT: ("金额", "发放金额", "补助金额", "慰问金金额", "amount"),
    Col.CARD: ("银行卡号", "卡号", "银行账号", "账号", "bank card"),
    Col.BANK: ("开户银行", "开户行", "银行", "bank"),
    Col.REASON: (spreadsheets.REASON_HEADER,),
}
REQUIRED = (Col.NAME, Col.ID, Col.CATEGORY, Col.AMOUNT, Col.CARD, Col.BANK)
MAX_NAME = 60  # Payee.name
MAX_BANK = 60  # Payee.bank
MAX_UNIT = 120  # Payee.unit
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "total"})


class RosterInvalid(ValueError):
    """The file as a whole is not a roster; nothing was saved."""


class RowRejected(ValueError):
    """One row cannot be taken; the message says why and what is allowed."""


@dataclass(frozen=True)
class RosterRow:
    index: int  # in the table
    number: int  # as the spreadsheet numbers it (1-based)
    name: str
    id_number: str
    unit: str
    category: str
    amount_fen: int
    bank_card: str
    bank: str


@dataclass
class Sheet:
    table: Table
    header_row: int
    titles: list[str]
    columns: dict[Col, int]
    read: int = 0
    rows: list[RosterRow] = field(default_factory=list)
    rejected: list[tuple[int, int, str]] = field(default_factory=list)  # (number, index, why)
    stated_fen: int | None = None  # what the 合计 row says
    total_rows: list[int] = field(default_factory=list)  # the numbers of the 合计 rows


def _cell(cells: list[str], columns: Mapping[Col, int], col: Col) -> str:
    c = columns.get(col)
    return cells[c].strip() if c is not None and c < len(cells) else ""


def _is_total(cells: list[str], columns: Mapping[Col, int]) -> bool:
    for col in (Col.SEQ, Col.NAME):
        if _cell(cells, columns, col).replace(" ", "").lower() in TOTAL_WORDS:
            return True
    return False


def _fits(title: str, text: str, limit: int, reasons: list[str]) -> str:
    """The text if it fits the payment file's column; a longer one is refused, never cut (a
    name or a bank cut short is not the account holder's the bank pays)."""
    if len(text) > limit:
        reasons.append(
            _("%(col)s has %(n)d characters; at most %(max)d")
            % {"col": title, "n": len(text), "max": limit}
        )
        return ""
    return text


def _name(cells, columns, reasons: list[str]) -> str:
    try:
        name = clean_name(_cell(cells, columns, Col.NAME))
    except InvalidText as e:
        reasons.append(str(e))
        return ""
    if not name:
        reasons.append(_("姓名 is empty"))
    return _fits("姓名", name, MAX_NAME, reasons)


def _id_number(cells, columns, reasons: list[str], *, lossy: bool) -> str:
    if lossy:
        reasons.append(
            _(
                "the ID number was stored as a number and lost its last digits; format the "
                "column as text and type it again"
            )
        )
        return ""
    try:
        return parse_id(_cell(cells, columns, Col.ID)).number
    except InvalidIdNumber as e:
        reasons.append(str(e))
        return ""


def _amount(cells, columns, rates: Mapping[str, int], category: str, reasons: list[str]) -> int:
    if category not in rates:
        reasons.append(
            _("人员类别 %(c)s is not one of the policy's: %(allowed)s")
            % {"c": category or "—", "allowed": "、".join(rates)}
        )
    try:
        fen = parse_fen(_cell(cells, columns, Col.AMOUNT))
    except InvalidAmount as e:
        reasons.append(str(e))
        return 0
    if category in rates and fen != rates[category]:
        reasons.append(
            _("the amount %(got)s is not the rate of %(c)s, %(want)s")
            % {"got": show(fen), "c": category, "want": show(rates[category])}
        )
    return fen


def _card(cells, columns, reasons: list[str], *, lossy: bool) -> str:
    # A card number of 16-19 digits kept as a number has lost what lies past Excel's 15
    # significant digits, and one time in ten the rounded number passes the check digit too.
    if lossy:
        reasons.append(
            _(
                "the bank card number was stored as a number and lost its last digits; format "
                "the column as text and type it again"
            )
        )
        return ""
    try:
        return bank_card(_cell(cells, columns, Col.CARD))
    except InvalidCode as e:
        reasons.append(str(e))
        return ""


def check_row(
    cells: list[str],
    columns: Mapping[Col, int],
    rates: Mapping[str, int],
    *,
    unit: str = "",
    lossy: Collection[Col] = (),
) -> tuple[str, str, str, str, int, str, str]:
    """(name, id number, unit, category, fen, card, bank) of one row; RowRejected with every
    reason the row has, joined. ``lossy``: the columns whose number lost digits."""
    reasons: list[str] = []
    name = _name(cells, columns, reasons)
    id_number = _id_number(cells, columns, reasons, lossy=Col.ID in lossy)
    try:
        row_unit = clean_name(_cell(cells, columns, Col.UNIT)) or unit
    except InvalidText as e:
        row_unit = unit
        reasons.append(str(e))
    if not row_unit:
        reasons.append(_("工作单位 is empty: name the unit the person works for"))
    row_unit = _fits("工作单位", row_unit, MAX_UNIT, reasons)
    category = " ".join(_cell(cells, columns, Col.CATEGORY).split())
    fen = _amount(cells, columns, rates, category, reasons)
    card = _card(cells, columns, reasons, lossy=Col.CARD in lossy)
    bank = " ".join(_cell(cells, columns, Col.BANK).split())
    if not bank:
        reasons.append(_("开户银行 is empty: name the bank of the card"))
    bank = _fits("开户银行", bank, MAX_BANK, reasons)
    if reasons:
        raise RowRejected("; ".join(reasons))
    return name, id_number, row_unit, category, fen, card, bank


def find_header(table: Table) -> tuple[int, dict[Col, int]]:
    found = spreadsheets.find_header(table, ALIASES, REQUIRED)
    if found is None:
        raise RosterInvalid(
            _("no header row found in the first %(n)d rows: a roster needs the columns %(cols)s")
            % {
                "n": spreadsheets.HEADER_SEARCH_ROWS,
                "cols": "、".join(ALIASES[c][0] for c in REQUIRED),
            }
        )
    row, columns = found
    return row, {Col(k): v for k, v in columns.items()}


def read_roster(table: Table, rates: Mapping[str, int], *, unit: str = "") -> Sheet:
    """Every row below the header checked: taken, rejected with its reason, or a 合计 row read
    as the total to compare. Blank rows are skipped."""
    row, columns = find_header(table)
    sheet = Sheet(table, row, spreadsheets.header_titles(table, row), columns)
    exact = [(col, columns[col]) for col in (Col.ID, Col.CARD)]
    for index in range(row + 1, len(table.rows)):
        cells = table.rows[index]
        if not any(c.strip() for c in cells):
            continue
        if _is_total(cells, columns):
            sheet.total_rows.append(index + 1)
            try:
                sheet.stated_fen = parse_fen(_cell(cells, columns, Col.AMOUNT))
            except InvalidAmount:
                sheet.stated_fen = None
            continue
        sheet.read += 1
        try:
            lossy = [col for col, c in exact if (index, c) in table.lossy] if table.lossy else ()
            fields = check_row(cells, columns, rates, unit=unit, lossy=lossy)
        except RowRejected as e:
            sheet.rejected.append((index + 1, index, str(e)))
            continue
        sheet.rows.append(RosterRow(index, index + 1, *fields))
    return sheet
