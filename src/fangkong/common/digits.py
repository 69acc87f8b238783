"""Digits as people type them, made ASCII before any rule looks at them.

A Chinese input method types full-width digits (１２３), a phone set to Arabic types ١٢٣, a
pasted document brings Devanagari or other scripts' digits; Python's ``\\d``, ``isdigit()`` and
``int()`` accept all of them, so a number checked as "already clean" could be stored as typed
and never match its ASCII twin. Every identifier (ID numbers, phones, region and grid codes,
bank cards, credit codes, person ids in imported rows) goes through ``ascii_digits`` (or
``compact``) first; after it, rules use ``[0-9]`` or ``re.ASCII``.
"""

from __future__ import annotations

import unicodedata


class _AsciiDigitTable(dict):
    """A ``str.translate`` table, filled as characters are met: a Unicode decimal digit maps
    to its ASCII digit, anything else to itself."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        value = ord(str(unicodedata.decimal(char))) if char.isdecimal() else code
        self[code] = value
        return value


_TABLE = _AsciiDigitTable()


def ascii_digits(text: str | None) -> str:
    """NFKC (full-width letters and digits to ASCII), then every remaining Unicode decimal
    digit (Arabic-Indic, Devanagari, ...) to its ASCII digit."""
    if not text:
        return ""
    if text.isascii():  # the common case: NFKC leaves ASCII alone
        return text
    return unicodedata.normalize("NFKC", text).translate(_TABLE)


def compact(text: str | None, *, remove: str = "") -> str:
    """``ascii_digits``, then without whitespace, dashes of any kind and ``remove``'s
    characters: how an identifier is typed with separators (``138-0013 8000``)."""
    if text and text.isascii() and text.isalnum() and not any(c in text for c in remove):
        return text  # the common case, a row of an import: nothing to take out
    return "".join(
        c
        for c in ascii_digits(text)
        if not c.isspace() and c not in remove and unicodedata.category(c) != "Pd"
    )


def is_ascii_number(text: str) -> bool:
    """Non-empty and ASCII digits only (``str.isdigit`` also says yes to ``²`` and ``١``)."""
    return text.isascii() and text.isdigit()
