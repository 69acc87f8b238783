"""Text people type, paste or import: what a name may hold.

A name is shown on pages, printed on lists and written into Excel files. Control characters
(C0, DEL, C1) break the Excel file and the terminal, direction overrides make a name display as
something else than it is (U+202E turns "张三gpj.exe" around), and a name of nothing but
invisible characters is no name. Tabs and line breaks are kept as spaces: a cell typed with
Alt+Enter in Excel holds one.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

# Embedding, override and isolate controls: they reorder what follows them on screen.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters pasted in from web pages and Word, dropped from a name: zero-width space,
# word joiner, byte-order mark, soft hyphen. (Zero-width joiners stay: some scripts need them.)
_NOISE = str.maketrans(dict.fromkeys("\u200b\u2060\ufeff\u00ad"))
_SPACES = frozenset("\t\n\r")


def too_long(length: int, limit: int) -> str:
    """Why a text of ``length`` characters cannot be kept in a field of ``limit``: text is
    refused, never cut (what is kept must be what was written)."""
    return _("%(n)d characters is too long: at most %(max)d") % {"n": length, "max": limit}


class InvalidText(ValueError):
    """The text holds a character it may not; the message names it and says what is allowed."""


def _refused(ch: str) -> str | None:
    if ch in _SPACES:
        return None
    if ch in BIDI_CONTROLS:
        return _("a text-direction control")
    category = unicodedata.category(ch)
    if category == "Cc":
        return _("a control character")
    if category == "Cs":
        return _("a broken character (a lone surrogate)")
    return None


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Mn", "Me")


def clean_name(text: str) -> str:
    """A name width-folded (NFKC), invisible noise dropped, spaces collapsed; InvalidText if it
    holds a control or direction character, or nothing visible. An empty name stays empty."""
    text = text or ""
    if not text.isprintable():  # the common case (letters, digits, one space) skips the walk
        for ch in text:
            what = _refused(ch)
            if what is not None:
                raise InvalidText(
                    _(
                        "the name holds %(what)s (U+%(code)04X); a name may hold letters, "
                        "digits, spaces and punctuation"
                    )
                    % {"what": what, "code": ord(ch)}
                )
        if text.strip() and not any(_visible(ch) for ch in text):
            raise InvalidText(
                _(
                    "the name holds only invisible characters; a name may hold letters, digits, "
                    "spaces and punctuation"
                )
            )
    return " ".join(unicodedata.normalize("NFKC", text).translate(_NOISE).split())
