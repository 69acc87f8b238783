"""Digits in any script become ASCII before a rule reads them; bank cards and credit codes."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import uscc

from fangkong.common.codes import InvalidCode, bank_card, credit_code
from fangkong.common.digits import ascii_digits, compact, is_ascii_number

from ..strategies import DIGIT_ZEROS, typed, typed_variants


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("１２３", "123"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۹۸۷", "987"),
        ("१२३", "123"),
        ("𝟏𝟐𝟑", "123"),
        ("第３栋", "第3栋"),
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_every_script_s_digits_become_ascii(raw, want):
    assert ascii_digits(raw) == want


def test_compact_drops_spaces_and_every_kind_of_dash():
    assert compact("138-0013\u30008000 \u2014 1", remove="") == "138001380001"
    assert compact("(010) 1234", remove="()") == "0101234"


@given(
    st.one_of(st.text(), st.from_regex(r"[A-Za-z0-9()]{0,20}", fullmatch=True)),
    st.sampled_from(["", "()", "A"]),
)
def test_compact_of_plain_letters_and_digits_is_what_the_full_rule_gives(text, remove):
    import unicodedata

    spelled = "".join(
        c
        for c in ascii_digits(text)
        if not c.isspace() and c not in remove and unicodedata.category(c) != "Pd"
    )
    assert compact(text, remove=remove) == spelled


@given(st.text())
def test_after_ascii_digits_no_digit_is_outside_ascii(text):
    assert not any(c.isdecimal() and not c.isascii() for c in ascii_digits(text))


def test_is_ascii_number_refuses_what_isdigit_lets_through():
    assert is_ascii_number("0123")
    assert not any(is_ascii_number(t) for t in ("", "²", "١٢", "１２", "1 2"))
    assert "²".isdigit() and "١٢".isdigit()  # why str.isdigit is not used on input


def test_every_script_in_the_strategies_is_a_run_of_ten_digits():
    for zero in DIGIT_ZEROS:
        assert ascii_digits("".join(chr(zero + i) for i in range(10))) == "0123456789"


cards = st.from_regex(r"^62[0-9]{14,16}$", fullmatch=True).map(
    lambda body: body + luhn.calc_check_digit(body)
)


@given(typed_variants(cards))
def test_a_bank_card_typed_any_way_is_its_digits(pair):
    canonical, raw = pair
    assert bank_card(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("6222 0202 0000 0000 001", "check digit"),
        ("6222 02", "12 to 19 digits"),
        ("6222-0202-0000-ABCD", "12 to 19 digits"),
    ],
)
def test_a_wrong_bank_card_is_refused_with_a_reason(raw, message):
    with pytest.raises(InvalidCode, match=message):
        bank_card(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341L",
        "9111 0000 6000 3734 1l",
        "９１１１００００６０００３７３４１Ｌ",
        "٩١١١٠٠٠٠٦٠٠٠٣٧٣٤١L",
    ],
)
def test_a_credit_code_typed_any_way_is_accepted(raw):
    assert credit_code(raw) == "91110000600037341L"


def test_a_credit_code_of_an_authority_written_with_a_letter_is_accepted():
    body = "Y1110000MA0123456"
    assert credit_code(body + uscc.calc_check_digit(body + "0")) == body + "2"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("91110000600037341A", "check character"),
        ("9111000060003734", "18 characters"),
        ("9111000O600037341L", "6-digit area code"),
        ("91110000600037341O", "without I, O"),
    ],
)
def test_a_wrong_credit_code_is_refused_with_a_reason(raw, message):
    with pytest.raises(InvalidCode, match=message):
        credit_code(raw)


uscc_bodies = st.from_regex(r"^[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}$", fullmatch=True)


@given(uscc_bodies, st.data())
def test_any_valid_credit_code_passes_and_any_other_check_character_fails(body, data):
    check = uscc.calc_check_digit(body + "0")
    code = body + check
    assert credit_code(data.draw(typed(code))) == code
    other = data.draw(st.sampled_from([c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != check]))
    with pytest.raises(InvalidCode):
        credit_code(body + other)
    if re.match(r"^[0-9]{8}", code):  # stdnum agrees where it can read the code
        assert uscc.is_valid(code)
