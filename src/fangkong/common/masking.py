"""Masking of personal identifiers for display.

A mask is judged against everything else the same viewer reads (docs/scope.md). An 18-character
resident ID is area (6), birth date (8), sequence (3) and check digit (1): the mask keeps the
province and city (4, what the person's region mostly tells anyway) and the last 4 (sequence
and check digit, what people read off a card to tell namesakes apart); the viewer of a masked
number sees the birth year, never the date, so the 4 hidden month and day digits and the 2
district digits remain: even with the district known, every masked number has at least 32
birth dates consistent with what is shown (tests/people/test_masks.py).
"""

import re

ID_TAIL = 4  # the characters a masked ID number ends with, and what a masked search may type
_ID_HEAD = 4

# Identifiers in free text: resident IDs (18, or the old 15 digits) and mobile phone numbers.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def id_tail_shown(number: str) -> int:
    """How many trailing characters of ``number`` its mask shows: 4, or fewer for a short
    document, so that at least half of it stays hidden."""
    return min(ID_TAIL, len(number) // 2)


def mask_id_number(number: str) -> str:
    """4301**********1234 for an 18-character number; otherwise all but the last 4 characters
    (fewer for a short document: at most half is shown)."""
    if not number:
        return ""
    tail = id_tail_shown(number)
    head = _ID_HEAD if len(number) == 18 else 0
    return number[:head] + "*" * (len(number) - head - tail) + number[len(number) - tail :]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text(text: str) -> str:
    """Free text with every ID number and mobile phone number in it masked."""
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1).upper()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)


def mask_name(name: str) -> str:
    """张*明 / 李*: what a resident sees of their household members on a shared page."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_card(number: str) -> str:
    """**** **** 1234: a bank card by its last 4 digits, what a payee tells theirs apart by."""
    if not number:
        return ""
    return "**** " * 3 + number[-4:] if len(number) > 8 else "*" * len(number)
