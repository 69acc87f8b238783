"""What a sampling app exports, read without the database: the tube barcode, the document of
the person swabbed, the time and the point. ``services.samples`` decides what the rows change.

Barcodes are read the one way every path uses (``clean_barcode``: the phone's scan, the API,
the file): digits of any script to ASCII, spaces and dashes out, letters upper case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.common import idnumbers
from fangkong.common.digits import ascii_digits, compact
from fangkong.common.spreadsheets import Table, find_header, header_key, header_titles
from fangkong.people.choices import IdType
from fangkong.people.codes import person_of_code
from fangkong.people.ledger import id_type_of, id_type_words

BARCODE_MIN, BARCODE_MAX = 4, 40
_BARCODE = re.compile(r"[0-9A-Z]+", re.ASCII)


class BarcodeInvalid(ValueError):
    """Not a tube barcode; the message says what one is."""


def clean_barcode(text: str) -> str:
    """A tube barcode as stored: ASCII letters and digits, 4 to 40 of them."""
    code = compact(text or "").upper()
    if not code:
        raise BarcodeInvalid(_("scan or type the tube's barcode"))
    if not (_BARCODE.fullmatch(code) and BARCODE_MIN <= len(code) <= BARCODE_MAX):
        raise BarcodeInvalid(
            _("a tube barcode is %(min)d to %(max)d letters and digits, not “%(code)s”")
            % {"min": BARCODE_MIN, "max": BARCODE_MAX, "code": code[:50]}
        )
    return code


# The columns of a sampling app's export, by their synonyms (compared as ``header_key`` does).
ALIASES: dict[str, tuple[str, ...]] = {
    "barcode": ("试管编号", "管码", "条码", "试管条码", "试管码", "样本管编号", "barcode"),
    "id_type": ("证件类型", "证件种类", "idtype"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "证件号", "idnumber"),
    "name": ("姓名", "被采样人", "name"),
    "sampled_at": ("采样时间", "采集时间", "sampledat"),
    "point": ("采样点", "采样点名称", "采样地点", "point"),
    "reason": ("错误原因",),  # a rejects file sent back: ignored on the way in
}
REQUIRED = ("barcode", "id_number")


class SampleFileInvalid(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True)
class SampleRow:
    """One data row as read: its number as Excel shows it, its index in the table, its cells."""

    number: int
    index: int
    barcode: str
    id_type: str
    id_number: str
    name: str
    sampled_at: str
    point: str
    barcode_lossy: bool = False


@dataclass(frozen=True)
class SampleLayout:
    header_row: int
    columns: dict[str, int]
    titles: list[str]


def find_layout(table: Table) -> SampleLayout:
    """Where the header is (title rows above it are normal) and which column holds what."""
    found = find_header(table, ALIASES, REQUIRED)
    if found is None:
        raise SampleFileInvalid(
            _(
                "no header row found: a sampling file needs a column for the tube's barcode "
                "(%(barcode)s) and one for the document number (%(ids)s)"
            )
            % {
                "barcode": "、".join(ALIASES["barcode"][:3]),
                "ids": "、".join(ALIASES["id_number"][:3]),
            }
        )
    row, columns = found
    titles = header_titles(table, row)
    return SampleLayout(row, columns, titles)


def data_rows(table: Table, layout: SampleLayout) -> list[SampleRow]:
    """The non-blank rows under the header (a repeated header row is skipped)."""
    out = []
    barcode_col = layout.columns["barcode"]
    for i in range(layout.header_row + 1, len(table.rows)):
        cells = table.rows[i]
        if not "".join(cells).strip():
            continue

        def cell(name: str, cells=cells) -> str:
            c = layout.columns.get(name)
            return cells[c].strip() if c is not None and c < len(cells) else ""

        if header_key(cell("barcode")) in {header_key(a) for a in ALIASES["barcode"]}:
            continue  # the header again, as pasted tables have it
        out.append(
            SampleRow(
                number=i + 1,
                index=i,
                barcode=cell("barcode"),
                id_type=cell("id_type"),
                id_number=cell("id_number"),
                name=cell("name"),
                sampled_at=cell("sampled_at"),
                point=cell("point"),
                barcode_lossy=(i, barcode_col) in table.lossy,
            )
        )
    return out


_TIME = re.compile(
    r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:[T\s]+([0-9]{1,2})\s*[:：时]\s*([0-9]{1,2})\s*分?"
    r"(?:\s*[:：]?\s*([0-9]{1,2}(?:\.[0-9]+)?)\s*秒?)?)?$",
    re.ASCII,
)


# Excel's serial numbers of days since 1899-12-30 (a date cell read as a number, or a time
# column pasted without its format): 36526 is 2000-01-01, 73051 is 2100-01-01.
_SERIAL = re.compile(r"^([0-9]{5})(\.[0-9]+)?$", re.ASCII)
_SERIAL_DAYS = range(36526, 73051)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _excel_serial(text: str) -> dt.datetime | None:
    m = _SERIAL.match(text)
    if not m or int(m.group(1)) not in _SERIAL_DAYS:
        return None
    seconds = round(float(text) * 86400)
    return _EXCEL_EPOCH + dt.timedelta(seconds=seconds)


def parse_sampled_at(text: str) -> dt.datetime | None:
    """2022-04-01 08:30, 2022/4/1 8:30:05, 2022-04-01T08:30, 2022年4月1日 8时30分, an Excel
    serial number (44652.75 is 2022-04-01 18:00); local time unless it says its zone. None for
    a blank; ValueError for anything else."""
    text = ascii_digits(text or "").strip()
    if not text:
        return None
    serial = _excel_serial(text)
    if serial is not None:
        return timezone.make_aware(serial)
    m = _TIME.match(text)
    if m:
        year, month, day, hour, minute, second = m.groups()
        seconds = float(second or 0)
        value = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds)
        )
        return timezone.make_aware(value)
    value = dt.datetime.fromisoformat(text)  # with a zone: 2022-04-01T08:30:00+08:00
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@dataclass(frozen=True)
class Document:
    id_type: str
    id_number: str


def document_of(row: SampleRow) -> Document:
    """The row's document, normalised as the registry stores it; ValueError with a reason."""
    id_type = id_type_of(row.id_type)
    if id_type is None:
        raise ValueError(
            _("证件类型 “%(t)s” is not one of %(allowed)s")
            % {"t": row.id_type[:30], "allowed": id_type_words()}
        )
    if not row.id_number:
        raise ValueError(_("证件号码 is missing"))
    number = idnumbers.normalise(row.id_number)
    if id_type == IdType.RESIDENT_ID:
        try:
            number = idnumbers.parse(number).number
        except idnumbers.InvalidIdNumber as e:
            raise ValueError(str(e)) from None
    return Document(id_type, number)


_SCANNED_PERSON = re.compile(r"^(?:.*/persons/|P[:-]?)?([0-9]{1,18})/?$", re.ASCII | re.IGNORECASE)


def person_id_of_scan(text: str) -> int | None:
    """The person a scanned or typed code names: the QR of their resident page
    (``people.codes``), their number (``1234``, ``P1234``) or the address of their record
    (``…/persons/1234/``); None if it names nobody."""
    signed = person_of_code(text)
    if signed is not None:
        return signed
    m = _SCANNED_PERSON.match(ascii_digits(text or "").strip())
    if not m:
        return None
    pk = int(m.group(1))
    return pk if pk > 0 else None
