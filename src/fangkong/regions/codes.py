"""Region codes as people write them, in the one form the tree stores.

GB/T 2260 gives provinces, cities and districts 6 digits; GB/T 10114 gives a street or
township 9 (its county's 6 plus 3), which the statistical division code (统计用区划代码) pads
to 12 with ``000``; communities and villages have 12; a grid is its community's code plus 3.
A street is stored with 12 digits whichever way it was typed, so ``420322100`` and
``420322100000`` are the same street, and a community ``420322100003`` is under it.
"""

from __future__ import annotations

from fangkong.common.digits import compact, is_ascii_number

from .choices import Level

# Digits a code has at each level, as stored.
CODE_LENGTH = {
    Level.PROVINCE: 6,
    Level.CITY: 6,
    Level.DISTRICT: 6,
    Level.STREET: 12,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
TOWNSHIP_LENGTH = 9  # GB/T 10114: county + 3
_TOWNSHIP_PAD = "000"


def canonical_code(raw: str | None) -> str:
    """The stored form of a code: ASCII digits, no spaces or dashes; a 9-digit township code
    padded to 12. Anything else is returned compacted, for the caller's rules to refuse."""
    code = compact(raw)
    if len(code) == TOWNSHIP_LENGTH and is_ascii_number(code):
        return code + _TOWNSHIP_PAD
    return code


def parent_code_of(code: str, level: str) -> str:
    """The parent's code read from a street, community or grid code ("" above a street,
    where the code does not say: a district's city may be 市辖区 or the province itself)."""
    if level == Level.STREET:
        return code[:6]
    if level == Level.COMMUNITY:
        return code[:TOWNSHIP_LENGTH] + _TOWNSHIP_PAD
    if level == Level.GRID:
        return code[:12]
    return ""
