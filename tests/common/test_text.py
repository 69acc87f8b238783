"""What a name may hold: letters, digits, spaces and punctuation; nothing that hides or
reorders text or breaks an Excel file."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.text import BIDI_CONTROLS, InvalidText, clean_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        ("  张 \t 三\n", "张 三"),
        ("ＺＨＡＮＧ　San", "ZHANG San"),
        ("张\u200b三", "张三"),
    ],
)
def test_a_name_is_width_folded_and_its_spaces_collapsed(typed, stored):
    assert clean_name(typed) == stored


@pytest.mark.parametrize("name", ["张\x07三", "张\x00三", "张\x7f三", "张\x9b三", "\u202e三张"])
def test_control_and_direction_characters_are_refused_by_their_code_point(name):
    bad = next(ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf"))
    with pytest.raises(InvalidText, match=f"U\\+{ord(bad):04X}"):
        clean_name(name)


def test_a_name_of_only_invisible_characters_is_refused():
    with pytest.raises(InvalidText, match="invisible"):
        clean_name("\u200d\u200c\ufeff")


@given(st.text(max_size=20))
def test_a_name_either_is_refused_or_holds_nothing_hidden(text):
    try:
        name = clean_name(text)
    except InvalidText:
        return
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name)
    assert not BIDI_CONTROLS & set(name)
    assert name == name.strip() and "  " not in name
    assert clean_name(name) == name  # cleaning is stable
