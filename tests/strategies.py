"""Hypothesis strategies shared by the tests: identifiers as people type them.

``typed(canonical)`` draws the ways a canonical number reaches us: each digit in any script
(ASCII, full-width from a Chinese input method, Arabic-Indic, Devanagari, ...), mixed within
one number, with spaces or dashes between groups, and a lowercase or full-width X.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from fangkong.common.idnumbers import make

TODAY = dt.date(2026, 11, 24)

# The zero of each script's digits (its 1 to 9 follow it).
DIGIT_ZEROS = (
    0x30,  # ASCII
    0xFF10,  # full-width (Chinese input methods)
    0x0660,  # Arabic-Indic
    0x06F0,  # Extended Arabic-Indic (Persian, Urdu)
    0x0966,  # Devanagari
    0x09E6,  # Bengali
    0x0E50,  # Thai
    0x1D7CE,  # mathematical bold (folded by NFKC)
)
X_FORMS = ("X", "x", "Ｘ", "ｘ")
SEPARATORS = ("", "", "", " ", "-", "\u3000", "\u2014", "\t")

# Address codes python-stdnum knows as present counties, in several provinces.
KNOWN_AREAS = (
    "110101",
    "110105",
    "120101",
    "130102",
    "210102",
    "310104",
    "370102",
    "420322",
    "430102",
    "430302",
    "440305",
    "500101",
    "510104",
    "540102",
    "650102",
)
# Real provinces with a county part no list knows (flagged, not refused).
UNKNOWN_COUNTIES = ("439999", "110199", "420399")
NO_PROVINCE = ("291417", "000000", "100000", "900101")

births = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def id_numbers(areas=KNOWN_AREAS) -> st.SearchStrategy[str]:
    """Valid resident ID numbers (check digit right, a birth date between 1880 and TODAY)."""
    return st.builds(make, st.sampled_from(areas), births, sequences)


def phones() -> st.SearchStrategy[str]:
    return st.from_regex(r"^1[3-9][0-9]{9}$", fullmatch=True)


def region_codes() -> st.SearchStrategy[str]:
    """Stored region codes: 6 (GB/T 2260), 12 (street, community) or 15 (grid) digits."""
    return st.sampled_from((6, 12, 15)).flatmap(
        lambda n: st.from_regex(rf"^[0-9]{{{n}}}$", fullmatch=True)
    )


@st.composite
def typed(draw, canonical: str) -> str:
    """``canonical`` as someone might type it: any digit scripts, separators, x forms."""
    out = []
    for i, char in enumerate(canonical):
        if i and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
        if char.isdigit():
            out.append(chr(draw(st.sampled_from(DIGIT_ZEROS)) + int(char)))
        elif char == "X":
            out.append(draw(st.sampled_from(X_FORMS)))
        else:
            out.append(char)
    return "".join(out)


def typed_variants(numbers: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    """(canonical, as typed) pairs."""
    return numbers.flatmap(lambda n: st.tuples(st.just(n), typed(n)))
