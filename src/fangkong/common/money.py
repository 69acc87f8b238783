"""Amounts of money as people type them (¥5,000.00, ５０００元, 1，000, 2000) into whole fen, and
into yuan for display; Decimal all the way, never a float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from fangkong.common.digits import ascii_digits

MAX_FEN = 10**14  # ¥1,000,000,000,000: more than any fund; a longer number is a slip
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class InvalidAmount(ValueError):
    """Not an amount of money; the message says what is allowed."""


def parse_fen(text: str | None) -> int:
    """An amount in yuan (5000, 5,000.00, ５０００元, ¥2000.5) as whole fen; at most two decimals,
    more than zero."""
    raw = ascii_digits(text or "").strip()
    raw = raw.removeprefix("¥").removeprefix("￥").removesuffix("元").replace(" ", "").strip()
    if not raw:
        raise InvalidAmount(_("the amount is empty; write it in yuan, such as 5000 or 5,000.00"))
    if _GROUPED.fullmatch(raw):
        raw = raw.replace(",", "")
    if not _PLAIN.fullmatch(raw) or len(raw) > 20:
        raise InvalidAmount(
            _("the amount %(a)s is not a number of yuan; write it such as 5000 or 5,000.00")
            % {"a": (text or "").strip()[:30]}
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidAmount(_("the amount %(a)s is not a number") % {"a": raw[:30]}) from None
    fen = value * 100
    if fen != fen.to_integral_value():
        raise InvalidAmount(
            _("the amount %(a)s has more than two decimals (fen)") % {"a": raw[:30]}
        )
    if fen <= 0:
        raise InvalidAmount(_("the amount must be more than 0"))
    if fen >= MAX_FEN:
        raise InvalidAmount(_("the amount %(a)s is too large") % {"a": raw[:30]})
    return int(fen)


def yuan(fen: int | None) -> Decimal:
    """Whole fen as yuan with two decimals (Decimal)."""
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def show(fen: int | None) -> str:
    """¥5,000.00 as a page shows it."""
    return f"¥{yuan(fen):,.2f}"


def yuan_json(fen: int | None) -> int | float:
    """Yuan as a JSON number: whole yuan as an integer, otherwise with its two decimals (a
    float prints them exactly below ¥10^13)."""
    fen = fen or 0
    return fen // 100 if fen % 100 == 0 else float(yuan(fen))
