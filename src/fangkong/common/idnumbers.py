"""Chinese resident identity card numbers (居民身份证, GB 11643-1999).

An 18-character number: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women) and a check digit over ISO 7064 MOD 11-2 (0-9 or X).

The address code is looked up in python-stdnum's list of present and past codes
(``stdnum.cn.ric``): a province that does not exist is refused; a county code it does not
know is accepted and flagged (``ResidentId.unknown_area``), since the list can lag a new
county. stdnum also refuses a county that did not exist in the birth year; we do not, because
the code is the one of the office that issued the number, often years after the birth. On top,
our own birth-date rules: none in the future, none before 1880.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum import numdb

from .digits import compact

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


class InvalidIdNumber(ValueError):
    """The number is not a valid resident ID; ``code`` names the rule it broke."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_on: dt.date
    sex: str  # "M" or "F"
    area_code: str
    unknown_area: bool = False  # the province exists, the county code is not one we know


def normalise(raw: str) -> str:
    """Any script's digits to ASCII, spaces and dashes out, a lowercase x upper."""
    if raw and _SHAPE.match(raw):  # already clean (ASCII only): the common case, in one step
        return raw
    return compact(raw).upper()


@functools.lru_cache(maxsize=4096)
def area_known(area_code: str) -> tuple[bool, bool]:
    """(the province exists, the county code is a known present or past one). Read from
    stdnum's list directly: ``ric.validate`` refuses what we only flag (and stdnum 2.2 raises
    KeyError for a known province with an unknown county)."""
    parts = numdb.get("cn/loc").info(area_code)
    province = bool(parts[0][1].get("province"))
    return province, province and len(parts) > 1 and bool(parts[1][1].get("county"))


def unknown_area(number: str) -> bool:
    """A valid number's county code is not a known present or past one (see ``parse``)."""
    return not area_known(number[:6])[1]


def check_digit(first17: str) -> str:
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate a resident ID number and return what it encodes; raise InvalidIdNumber."""
    number = normalise(raw)
    if not number:
        raise InvalidIdNumber("missing", _("ID number is missing"))
    if len(number) != 18:
        raise InvalidIdNumber(
            "length",
            _("ID number must have 18 characters, this one has %(n)d") % {"n": len(number)},
        )
    if not _SHAPE.match(number):
        raise InvalidIdNumber(
            "characters", _("ID number must be 17 digits followed by a digit or X")
        )
    try:
        birth_on = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            "birth_date", _("ID number holds an impossible birth date %(d)s") % {"d": number[6:14]}
        ) from None
    today = today or dt.date.today()
    if birth_on > today:
        raise InvalidIdNumber(
            "future", _("ID number holds a future birth date %(d)s") % {"d": birth_on}
        )
    if birth_on.year < 1880:
        raise InvalidIdNumber(
            "birth_date", _("ID number holds an impossible birth date %(d)s") % {"d": birth_on}
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            "check_digit",
            _("ID number has a wrong check digit (%(got)s, expected %(want)s)")
            % {"got": number[17], "want": expected},
        )
    if not area_known(number[:6])[0]:
        raise InvalidIdNumber(
            "province",
            _("ID number starts with %(code)s: no province has this code") % {"code": number[:2]},
        )
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentId(
        number=number,
        birth_on=birth_on,
        sex=sex,
        area_code=number[:6],
        unknown_area=unknown_area(number),
    )


def make(area_code: str, birth_on: dt.date, sequence: int) -> str:
    """Build a valid number (for synthetic data): ``sequence`` 0-999, odd for men."""
    first17 = f"{area_code}{birth_on:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
