"""The rules a roster's cells are checked by, over many inputs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from fangkong.common.codes import InvalidCode, bank_card
from fangkong.common.money import InvalidAmount, parse_fen, show, yuan

DIGITS = st.text(alphabet="0123456789", min_size=11, max_size=18)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@given(DIGITS)
def test_a_card_with_its_luhn_digit_is_taken_however_it_is_typed(body):
    number = body + luhn.calc_check_digit(body)
    assert bank_card(number) == number
    assert bank_card(number.translate(WIDE)) == number
    assert bank_card(" ".join(number[i : i + 4] for i in range(0, len(number), 4))) == number


@given(DIGITS, st.integers(1, 9))
def test_a_card_with_a_wrong_check_digit_is_refused(body, shift):
    good = luhn.calc_check_digit(body)
    wrong = body + str((int(good) + shift) % 10)
    with pytest.raises(InvalidCode, match="check digit"):
        bank_card(wrong)


@given(st.text(alphabet="0123456789", min_size=0, max_size=11))
def test_a_card_too_short_is_refused_by_its_length(digits):
    with pytest.raises(InvalidCode, match="12 to 19 digits"):
        bank_card(digits)


@given(st.integers(1, 10**12 - 1))
def test_an_amount_reads_back_to_the_fen_in_every_way_it_is_written(fen):
    value = yuan(fen)
    assert parse_fen(f"{value}") == fen
    assert parse_fen(f"{value:,}") == fen
    assert parse_fen(show(fen)) == fen
    assert parse_fen(f"{value}元".translate(WIDE)) == fen


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3))
def test_an_amount_with_a_third_decimal_is_refused_never_rounded(value):
    text = f"{value:.3f}"
    if text.endswith("0"):
        return
    with pytest.raises(InvalidAmount):
        parse_fen(text)


@pytest.mark.parametrize("text", ["", "若干", "-2000", "0", "1,00,000", "2000.5.1", "1e3"])
def test_what_is_not_an_amount_is_refused_with_a_reason(text):
    with pytest.raises(InvalidAmount):
        parse_fen(text)
