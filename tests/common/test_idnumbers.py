import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common import idnumbers
from fangkong.common.idnumbers import InvalidIdNumber, make, parse

TODAY = dt.date(2026, 11, 24)
areas = st.from_regex(r"^[1-6][0-9]{5}$", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def test_it_accepts_a_known_valid_number_and_reads_birth_and_sex():
    # The GB 11643 worked example.
    parsed = parse("11010519491231002X", today=TODAY)
    assert parsed.birth_on == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.area_code == "110105"


def test_it_normalises_full_width_digits_spaces_and_a_lowercase_x():
    assert parse("１１０１０５ 1949 1231 002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "missing"),
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "characters"),
        ("110105194902300021", "birth_date"),  # 30 February
        ("110105203001010011", "future"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_it_rejects_bad_numbers_with_a_reason(raw, code):
    with pytest.raises(InvalidIdNumber) as err:
        parse(raw, today=TODAY)
    assert err.value.code == code
    assert str(err.value)


@given(areas, births, sequences)
def test_every_made_number_parses_back_to_its_parts(area, birth, seq):
    number = make(area, birth, seq)
    parsed = parse(number, today=TODAY)
    assert (parsed.birth_on, parsed.area_code) == (birth, area)
    assert parsed.sex == ("M" if seq % 2 else "F")


@given(areas, births, sequences, st.integers(min_value=0, max_value=16), st.integers(0, 9))
def test_changing_one_digit_is_always_caught(area, birth, seq, position, digit):
    number = make(area, birth, seq)
    if number[position] == str(digit):
        return
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(InvalidIdNumber):
        parse(changed, today=TODAY)


@given(st.text(max_size=25))
def test_parse_never_fails_with_anything_but_a_clear_error(raw):
    try:
        parse(raw, today=TODAY)
    except InvalidIdNumber as e:
        assert e.code in {"missing", "length", "characters", "birth_date", "future", "check_digit"}


def test_normalise_leaves_a_clean_number_alone():
    assert idnumbers.normalise("11010519491231002X") == "11010519491231002X"
