"""Mainland mobile phone numbers: normalised to 11 digits."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .digits import compact

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


class InvalidPhone(ValueError):
    pass


def normalise(raw: str) -> str:
    """Return the 11-digit number; accept +86/0086, spaces, dashes, brackets and any
    script's digits."""
    if raw and _MOBILE.match(raw):  # already clean (ASCII only)
        return raw
    text = compact(raw, remove="()")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not _MOBILE.match(text):
        raise InvalidPhone(
            _("phone number must be 11 digits starting with 13-19, got %(raw)s") % {"raw": raw}
        )
    return text
