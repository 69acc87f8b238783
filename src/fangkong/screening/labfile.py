"""What a lab exports, read without the database: per row a tube's barcode, its finding
(阴性/阳性/无效, also 阴/阳), its Ct values (ORF1ab, N), the lab and the time of the report.
``services.results`` decides what the rows change.

A title row above the header is normal (``find_header``), as is the header again further down
(pasted tables). Barcodes are read as every path reads them (``samplefile.clean_barcode``),
times as the sample import reads them (``parse_sampled_at``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from fangkong.common import spreadsheets
from fangkong.common.digits import ascii_digits
from fangkong.common.spreadsheets import Table, find_header, header_key, header_titles

from .choices import Result
from .samplefile import BarcodeInvalid, clean_barcode, parse_sampled_at

# The columns of a lab's report, by their synonyms (compared as ``header_key`` does).
ALIASES: dict[str, tuple[str, ...]] = {
    "barcode": (
        "试管编号",
        "样本编号",
        "条码",
        "管码",
        "试管条码",
        "样本条码",
        "条码号",
        "样本号",
        "barcode",
    ),
    "result": ("检测结果", "结果", "核酸结果", "检测结论", "result"),
    "ct_orf1ab": ("ORF1ab", "CtORF1ab", "ORF1abCt", "ORF1ab基因", "ORF1ab值", "ctorf1ab"),
    "ct_n": ("N", "CtN", "NCt", "N基因", "N值", "ctn"),
    "lab": ("检测机构", "检测单位", "实验室", "检测实验室", "lab"),
    "reported_at": ("报告时间", "检测时间", "报告日期", "出报告时间", "reportedat"),
    "reason": ("错误原因",),  # a rejects file sent back: ignored on the way in
}
REQUIRED = ("barcode", "result")

# 检测结果 as labs write it, compared without spaces, brackets or case.
_WORDS: dict[str, Result] = {}
for _result, _words in (
    (Result.NEGATIVE, ("阴性", "阴", "negative", "neg", "-", "−", "(-)", "阴性(-)")),
    (Result.POSITIVE, ("阳性", "阳", "positive", "pos", "+", "(+)", "阳性(+)")),
    (Result.INVALID, ("无效", "invalid", "无效样本", "样本无效")),
):
    for _w in _words:
        _WORDS[_w] = _result
# A Ct value that says nothing was detected (stored blank): 未检出, >40, N/A.
_NOT_DETECTED = {"", "-", "—", "/", "无", "未检出", "na", "n/a", "nd", "undetermined", "阴性"}
_CT = re.compile(r"^[><≥≤]?=?\s*([0-9]{1,2}(?:\.[0-9]{1,3})?)$", re.ASCII)
CT_MAX = Decimal("50")
_DECIMAL_COMMA = re.compile(r"^([><≥≤]?=?\s*[0-9]{1,2}),([0-9]{1,3})$", re.ASCII)


class LabFileInvalid(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", ascii_digits(text or "")).lower()
    return re.sub(r"[\s　]", "", text)


def parse_result(text: str) -> Result:
    """阴性/阳性/无效 (also 阴, 阳, negative, positive, invalid, −, +); ValueError otherwise."""
    key = _folded(text)
    found = _WORDS.get(key) or _WORDS.get(re.sub(r"[()（）]", "", key))
    if found is None:
        raise ValueError(
            _("检测结果 “%(v)s” is not one of 阴性, 阳性, 无效 (also 阴, 阳)") % {"v": text[:30]}
        )
    return found


def parse_ct(text: str, column: str) -> Decimal | None:
    """A Ct value, 0 to 50 with up to three decimals (a point or a comma); blank, 未检出,
    N/A or ``>40`` (nothing detected) is None; ValueError otherwise."""
    key = _folded(text)
    if key in _NOT_DETECTED or key.startswith(">"):
        return None
    # a decimal comma (36,5; 36，5 folds to it): a Ct value has no thousands to separate
    m = _CT.match(_DECIMAL_COMMA.sub(r"\1.\2", key))
    if m:
        try:
            value = Decimal(m.group(1))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            value = None
        if value is not None and value <= CT_MAX:
            return value.quantize(Decimal("0.01"))
    raise ValueError(
        _("%(col)s “%(v)s” is not a Ct value (a number from 0 to 50, or blank)")
        % {"col": column, "v": text[:30]}
    )


@dataclass(frozen=True)
class LabRow:
    """One data row as read: its number as Excel shows it, its index in the table, its cells."""

    number: int
    index: int
    barcode: str
    result: str
    ct_orf1ab: str
    ct_n: str
    lab: str
    reported_at: str
    barcode_lossy: bool = False


@dataclass(frozen=True)
class LabLayout:
    header_row: int
    columns: dict[str, int]
    titles: list[str]


@dataclass(frozen=True)
class Reading:
    """A row read into values: the tube's barcode, the finding, Ct values, lab and time."""

    barcode: str
    result: Result
    ct_orf1ab: Decimal | None
    ct_n: Decimal | None
    lab: str
    reported_at: dt.datetime | None


def find_layout(table: Table) -> LabLayout:
    """Where the header is (title rows above it are normal) and which column holds what."""
    found = find_header(table, ALIASES, REQUIRED)
    if found is None:
        raise LabFileInvalid(
            _(
                "no header row found: a lab's results need a column for the tube's barcode "
                "(%(barcode)s) and one for the result (%(result)s)"
            )
            % {
                "barcode": "、".join(ALIASES["barcode"][:3]),
                "result": "、".join(ALIASES["result"][:2]),
            }
        )
    row, columns = found
    titles = header_titles(table, row)
    return LabLayout(row, columns, titles)


def data_rows(table: Table, layout: LabLayout) -> list[LabRow]:
    """The non-blank rows under the header (a repeated header row is skipped)."""
    out = []
    barcode_col = layout.columns["barcode"]
    headers = {header_key(a) for a in ALIASES["barcode"]}
    names = ("barcode", "result", "ct_orf1ab", "ct_n", "lab", "reported_at")
    width = max(layout.columns.values()) + 1
    # a column the file lacks reads the blank cell added after the last one
    where = [layout.columns.get(name, width) for name in names]
    for i in range(layout.header_row + 1, len(table.rows)):
        cells = table.rows[i]
        if not "".join(cells).strip():
            continue
        padded = [*cells[:width], *[""] * (width + 1 - min(len(cells), width))]
        barcode, result, ct_orf1ab, ct_n, lab, reported_at = (padded[c].strip() for c in where)
        if header_key(barcode) in headers:
            continue
        out.append(
            LabRow(
                number=i + 1,
                index=i,
                barcode=barcode,
                result=result,
                ct_orf1ab=ct_orf1ab,
                ct_n=ct_n,
                lab=" ".join(lab.split())[:100],
                reported_at=reported_at,
                barcode_lossy=(i, barcode_col) in table.lossy,
            )
        )
    return out


def _once(memo: dict | None, parse, *args):
    """``parse(*args)``, or what it gave before for the same arguments (failures are not kept:
    they raise again)."""
    if memo is None:
        return parse(*args)
    key = (parse, *args)
    if key not in memo:
        memo[key] = parse(*args)
    return memo[key]


def read_row(row: LabRow, memo: dict | None = None) -> Reading:
    """The row's values; ValueError with the reason a lab can act on. ``memo``, a dict kept for
    the rows of one file, parses each result, Ct value and time written once (a lab's file
    repeats its few of them on thousands of rows)."""
    if row.barcode_lossy:
        raise ValueError(_("the barcode lost its last digits in Excel: format the column as text"))
    try:
        barcode = clean_barcode(row.barcode)
    except BarcodeInvalid as e:
        raise ValueError(str(e)) from None
    if not row.result:
        raise ValueError(_("检测结果 is missing: 阴性, 阳性 or 无效"))
    result = _once(memo, parse_result, row.result)
    ct_orf1ab = _once(memo, parse_ct, row.ct_orf1ab, "ORF1ab")
    ct_n = _once(memo, parse_ct, row.ct_n, "N")
    try:
        reported_at = _once(memo, parse_sampled_at, row.reported_at)
    except ValueError:
        raise ValueError(_("报告时间 is not a time like 2022-04-01 18:30")) from None
    return Reading(barcode, result, ct_orf1ab, ct_n, row.lab, reported_at)


def read_lab_file(data: bytes, filename: str) -> tuple[Table, LabLayout, list[LabRow]]:
    """The table, where its columns are, and its data rows; LabFileInvalid if it is not a
    lab's results at all."""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise LabFileInvalid(str(e)) from None
    if not any(any(c for c in row) for row in table.rows):
        raise LabFileInvalid(_("the file is empty"))
    layout = find_layout(table)
    return table, layout, data_rows(table, layout)
