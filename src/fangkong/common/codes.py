"""Bank card numbers and unified social credit codes (统一社会信用代码), normalised like every
identifier (any script's digits to ASCII, spaces and dashes out) and checked by python-stdnum."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.cn import uscc

from .digits import compact, is_ascii_number

_CARD = re.compile(r"^[0-9]{12,19}$")
# GB 32100-2015: registering authority and kind (1-9, A, N, Y ...), 6-digit area code, 9-char
# organisation code, check character; letters I, O, S, V and Z are never used. stdnum wants
# the first two as digits, which refuses the authorities written with a letter (A, N, Y).
_USCC_CHARS = "0-9A-HJ-NP-RTUWXY"
_CREDIT = re.compile(rf"^[{_USCC_CHARS}]{{2}}[0-9]{{6}}[{_USCC_CHARS}]{{10}}$")


class InvalidCode(ValueError):
    """Not a valid card number or credit code; the message says why."""


def bank_card(raw: str) -> str:
    """The card number as 12-19 ASCII digits with a right Luhn check digit (ISO/IEC 7812)."""
    # typed or pasted clean (the common case in a roster of 100,000): no normalising walk
    number = raw if is_ascii_number(raw) else compact(raw)
    if not _CARD.match(number):
        raise InvalidCode(_("bank card number must be 12 to 19 digits"))
    if not luhn.is_valid(number):
        raise InvalidCode(_("bank card number has a wrong check digit"))
    return number


def credit_code(raw: str) -> str:
    """The 18-character unified social credit code (GB 32100-2015), check character verified."""
    code = compact(raw).upper()
    if len(code) != 18:
        raise InvalidCode(_("unified social credit code must have 18 characters"))
    if not _CREDIT.match(code):
        raise InvalidCode(
            _(
                "unified social credit code must be 2 characters, a 6-digit area code, then"
                " letters and digits without I, O, S, V or Z"
            )
        )
    if code[-1] != uscc.calc_check_digit(code):
        raise InvalidCode(_("unified social credit code has a wrong check character"))
    return code
