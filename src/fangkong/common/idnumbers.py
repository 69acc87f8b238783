"""Chinese resident identity card numbers (居民身份证, GB 11643-1999).

An 18-character number: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women) and a check digit over ISO 7064 MOD 11-2 (0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


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


def normalise(raw: str) -> str:
    """Full-width digits to ASCII, spaces and dashes out, a lowercase x upper."""
    if raw and _SHAPE.match(raw):  # already clean: the common case, checked in one step
        return raw
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s\-]", "", text).upper()


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
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_on=birth_on, sex=sex, area_code=number[:6])


def make(area_code: str, birth_on: dt.date, sequence: int) -> str:
    """Build a valid number (for synthetic data): ``sequence`` 0-999, odd for men."""
    first17 = f"{area_code}{birth_on:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
