"""The residents' ledger (台账) as communities keep it: finding its header, reading its rows.

This module only reads and writes the layout; ``services.ledger`` decides what the rows change.
A ledger has title and note rows above a header row (sometimes two rows: 住址 over 楼栋/单元/
门牌号), header names as each community writes them, and columns nobody planned for, which are
kept with the person as notes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from fangkong.common.digits import ascii_digits
from fangkong.common.spreadsheets import HEADER_SEARCH_ROWS, Table, header_key
from fangkong.common.spreadsheets import REASON_HEADER as _REASON

from .choices import IdType, Sex, TagKind


class Col(StrEnum):
    SEQ = "seq"
    NAME = "name"
    SEX = "sex"
    ID_TYPE = "id_type"
    ID_NUMBER = "id_number"
    BIRTH_ON = "birth_on"
    PHONE = "phone"
    BUILDING = "building"
    UNIT = "unit"
    DOOR = "door"
    ADDRESS = "address"
    RELATION = "relation"
    CATEGORIES = "categories"
    ALONE = "alone"
    NOTES = "notes"
    GRID = "grid"
    REASON = "reason"  # 错误原因 of a rejects file sent back: ignored on the way in


# The first name of each column is the one the export writes.
ALIASES: dict[Col, tuple[str, ...]] = {
    Col.SEQ: ("序号", "编号", "no", "no."),
    Col.NAME: ("姓名", "名字", "name"),
    Col.SEX: ("性别", "sex"),
    Col.ID_TYPE: ("证件类型", "证件种类", "idtype"),
    Col.ID_NUMBER: (
        "证件号码",
        "身份证号",
        "身份证号码",
        "证件号",
        "公民身份号码",
        "身份证",
        "idnumber",
    ),
    # 出生年月 and 生日 too: kept as a note they would show the date beside a masked number.
    Col.BIRTH_ON: ("出生日期", "出生年月日", "出生年月", "生日", "birthdate"),
    Col.PHONE: ("联系电话", "手机号", "手机号码", "电话", "手机", "联系方式", "phone"),
    Col.BUILDING: ("楼栋", "楼号", "栋", "楼栋号", "栋号", "building"),
    Col.UNIT: ("单元", "单元号", "unit"),
    Col.DOOR: ("门牌号", "房号", "室", "房间号", "门牌", "door"),
    Col.ADDRESS: ("地址", "住址", "现住址", "家庭住址", "居住地址", "address"),
    Col.RELATION: ("与户主关系", "关系", "relation"),
    Col.CATEGORIES: ("人员类别", "类别", "人员类型", "category"),
    Col.ALONE: ("是否独居老人", "独居", "独居老人", "是否独居"),
    Col.NOTES: ("备注", "notes"),
    Col.GRID: ("网格", "所属网格", "网格编码", "网格名称", "grid"),
    Col.REASON: (_REASON,),
}
_ALIAS_TO_COL = {alias: col for col, aliases in ALIASES.items() for alias in aliases}
REASON_HEADER = ALIASES[Col.REASON][0]
_NOTHING_LOST: frozenset[Col] = frozenset()

ID_TYPE_WORDS: dict[str, str] = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "二代身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳台居民居住证": IdType.HMT_RESIDENCE,
    "港澳居民居住证": IdType.HMT_RESIDENCE,
    "台湾居民居住证": IdType.HMT_RESIDENCE,
    "往来内地通行证": IdType.MAINLAND_PERMIT,
    "港澳居民来往内地通行证": IdType.MAINLAND_PERMIT,
    "台湾居民来往大陆通行证": IdType.MAINLAND_PERMIT,
    "回乡证": IdType.MAINLAND_PERMIT,
    "台胞证": IdType.MAINLAND_PERMIT,
    "其他": IdType.OTHER,
    "其他证件": IdType.OTHER,
}
SEX_WORDS = {"男": Sex.MALE, "女": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
YES_WORDS = frozenset({"是", "√", "✓", "✔", "y", "yes", "1", "true", "独居", "是的", "有"})

# 人员类别 as written → (tag kind, place). Anything else is kept as an "other" tag, by its words.
CATEGORY_WORDS: dict[str, TagKind] = {
    "密切接触者": TagKind.CLOSE_CONTACT,
    "密接": TagKind.CLOSE_CONTACT,
    "密切接触": TagKind.CLOSE_CONTACT,
    "次密切接触者": TagKind.SECONDARY_CONTACT,
    "次密接": TagKind.SECONDARY_CONTACT,
    "独居老人": TagKind.ELDERLY_ALONE,
    "卧床": TagKind.BEDRIDDEN,
    "卧床老人": TagKind.BEDRIDDEN,
    "失能": TagKind.BEDRIDDEN,
    "残疾人": TagKind.DISABLED,
    "残疾": TagKind.DISABLED,
    "慢性病": TagKind.CHRONIC_CARE,
    "慢病": TagKind.CHRONIC_CARE,
    "慢性病患者": TagKind.CHRONIC_CARE,
    "孕妇": TagKind.PREGNANT,
    "孕产妇": TagKind.PREGNANT,
}
_RETURNEE = re.compile(r"^(?P<place>.*?)(返乡|返回|返岗|返城|回乡|入境)(人员)?$")
_CATEGORY_SPLIT = re.compile(r"[、,，;；/|\s]+")
_DATE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(\s.*)?$")


class LedgerInvalid(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True)
class Header:
    """Where the header is and which column holds what."""

    row: int  # index of the (last) header row
    titles: list[str]  # each column's header as written
    columns: dict[Col, int]
    extra: list[int]  # columns the ledger has that Fangkong does not know: kept as notes

    @property
    def data_start(self) -> int:
        return self.row + 1


def _columns_of(cells: list[str]) -> dict[Col, int]:
    found: dict[Col, int] = {}
    for c, cell in enumerate(cells):
        col = _ALIAS_TO_COL.get(header_key(cell))
        if col is not None and col not in found:
            found[col] = c
    return found


def find_header(table: Table) -> Header:
    """The first row naming both a name and a document-number column, within the first rows."""
    for r, cells in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        columns = _columns_of(cells)
        if Col.NAME not in columns or Col.ID_NUMBER not in columns:
            continue
        titles = list(cells)
        last = r
        # A two-row header: 住址 merged over 楼栋 | 单元 | 门牌号 in the row below.
        if r + 1 < len(table.rows):
            below = table.rows[r + 1]
            taken = {c for col, c in columns.items() if col != Col.ADDRESS}
            gained = {
                col: c
                for col, c in _columns_of(below).items()
                if col not in columns and c not in taken
            }
            if gained:
                if columns.get(Col.ADDRESS) in gained.values():
                    del columns[Col.ADDRESS]
                columns.update(gained)
                last = r + 1
                for c in gained.values():
                    titles += [""] * (c + 1 - len(titles))
                    titles[c] = below[c]
        width = max((len(row) for row in table.rows[last:]), default=len(titles))
        titles += [""] * (width - len(titles))
        known = set(columns.values())
        extra = [c for c in range(width) if c not in known and titles[c].strip()]
        return Header(row=last, titles=titles, columns=columns, extra=extra)
    raise LedgerInvalid(
        _(
            "no header row found in the first %(n)d rows: a ledger needs a column %(name)s and "
            "a column for the document number (%(ids)s)"
        )
        % {
            "n": HEADER_SEARCH_ROWS,
            "name": ALIASES[Col.NAME][0],
            "ids": "、".join(ALIASES[Col.ID_NUMBER][:4]),
        }
    )


@dataclass
class LedgerRow:
    """One data row: its number in the sheet (1-based, as Excel shows it) and its cells."""

    number: int
    index: int
    cells: list[str]
    values: dict[Col, str] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    lossy: frozenset[Col] = frozenset()

    def get(self, col: Col) -> str:
        return self.values.get(col, "")


def data_rows(table: Table, header: Header) -> list[LedgerRow]:
    """The non-blank rows under the header (a repeated header row, as pasted tables have, too)."""
    out = []
    width = len(header.titles)
    for i in range(header.data_start, len(table.rows)):
        cells = table.rows[i]
        if not "".join(cells).strip():
            continue
        cells = cells + [""] * (width - len(cells))
        values = {col: cells[c].strip() for col, c in header.columns.items() if c < len(cells)}
        if header_key(values.get(Col.NAME, "")) in ALIASES[Col.NAME]:
            continue  # the header again, as pasted tables have it (compared as headers are)
        lossy = (
            frozenset(col for col, c in header.columns.items() if (i, c) in table.lossy)
            if table.lossy
            else _NOTHING_LOST
        )
        extra = [(header.titles[c].strip(), cells[c].strip()) for c in header.extra if cells[c]]
        out.append(
            LedgerRow(number=i + 1, index=i, cells=cells, values=values, extra=extra, lossy=lossy)
        )
    return out


@functools.lru_cache(maxsize=512)
def id_type_of(text: str) -> str | None:
    """A 证件类型 as written to an IdType value; blank means a resident ID card."""
    key = header_key(text)
    if not key:
        return IdType.RESIDENT_ID
    if key in ID_TYPE_WORDS:
        return ID_TYPE_WORDS[key]
    for choice in IdType:
        if key in (choice.value, header_key(str(choice.label))):
            return choice.value
    return None


def id_type_words() -> str:
    return "、".join(["居民身份证", "护照", "港澳台居民居住证", "往来内地通行证", "其他"])


@functools.lru_cache(maxsize=64)
def sex_of(text: str) -> str:
    return SEX_WORDS.get(header_key(text)[:1], Sex.UNKNOWN) if text else Sex.UNKNOWN


@functools.lru_cache(maxsize=64)
def is_yes(text: str) -> bool:
    return header_key(text) in YES_WORDS


def parse_date(text: str) -> dt.date | None:
    """1980-01-02, 1980/1/2, 1980.1.2, 1980年1月2日 or 19800102; ValueError if not a date."""
    text = ascii_digits(text).strip()
    if not text:
        return None
    if re.fullmatch(r"[0-9]{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def categories_of(text: str) -> list[tuple[str, str, str]]:
    if not text:
        return []
    return list(_categories_of(text))


@functools.lru_cache(maxsize=1024)
def _categories_of(text: str) -> tuple[tuple[str, str, str], ...]:
    return tuple(_parse_categories(text))


def _parse_categories(text: str) -> list[tuple[str, str, str]]:
    """人员类别 words → (tag kind, place, label): known kinds, returnees with the place they
    came from (武汉返乡 → 武汉), and any other category kept under its own words."""
    out = []
    for word in _CATEGORY_SPLIT.split(unicodedata.normalize("NFKC", text or "")):
        word = word.strip()
        if not word or word in ("无", "-", "/"):
            continue
        if word in CATEGORY_WORDS:
            out.append((CATEGORY_WORDS[word].value, "", ""))
            continue
        m = _RETURNEE.match(word)
        if m:
            out.append((TagKind.RETURNEE.value, m.group("place"), ""))
            continue
        out.append((TagKind.OTHER.value, "", word[:50]))
    return out


# A masked export's birth column holds the year only, under its own title (not read back as a
# date: a masked ledger does not import anyway).
BIRTH_YEAR_TITLE = "出生年份"


def export_titles(*, unmasked: bool = True) -> list[str]:
    """The header the export writes: the first name of each column, in ledger order; a masked
    export has the birth year where the birth date would be."""
    order = [
        Col.SEQ,
        Col.NAME,
        Col.SEX,
        Col.ID_TYPE,
        Col.ID_NUMBER,
        Col.BIRTH_ON,
        Col.PHONE,
        Col.BUILDING,
        Col.UNIT,
        Col.DOOR,
        Col.ADDRESS,
        Col.RELATION,
        Col.CATEGORIES,
        Col.ALONE,
        Col.NOTES,
        Col.GRID,
    ]
    return [
        BIRTH_YEAR_TITLE if c == Col.BIRTH_ON and not unmasked else ALIASES[c][0] for c in order
    ]


# What the export writes, in the words the import reads back (whatever the page's language).
ID_EXPORT_WORDS = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.PASSPORT: "护照",
    IdType.HMT_RESIDENCE: "港澳台居民居住证",
    IdType.MAINLAND_PERMIT: "往来内地通行证",
    IdType.OTHER: "其他",
}
SEX_EXPORT_WORDS = {Sex.MALE: "男", Sex.FEMALE: "女", Sex.UNKNOWN: ""}
TAG_EXPORT_WORDS = {
    TagKind.CLOSE_CONTACT: "密切接触者",
    TagKind.SECONDARY_CONTACT: "次密接",
    TagKind.BEDRIDDEN: "卧床",
    TagKind.DISABLED: "残疾人",
    TagKind.CHRONIC_CARE: "慢性病",
    TagKind.PREGNANT: "孕妇",
}


def category_word(kind: str, place: str, label: str) -> str:
    """A tag as the 人员类别 column writes it (elderly living alone has its own column)."""
    if kind == TagKind.RETURNEE:
        return f"{place}返乡" if place else "返乡人员"
    if kind == TagKind.OTHER:
        return label
    return TAG_EXPORT_WORDS.get(kind, "")
