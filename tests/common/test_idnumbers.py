import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric

from fangkong.common import idnumbers
from fangkong.common.idnumbers import InvalidIdNumber, check_digit, make, parse

from ..strategies import (
    KNOWN_AREAS,
    NO_PROVINCE,
    TODAY,
    UNKNOWN_COUNTIES,
    births,
    id_numbers,
    sequences,
    typed_variants,
)

areas = st.sampled_from(KNOWN_AREAS + UNKNOWN_COUNTIES)


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
        ("291417196710156909", "province"),  # right check digit, but there is no province 29
        ("11010518791231002X", "birth_date"),  # before 1880
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
        assert e.code in {
            "missing",
            "length",
            "characters",
            "birth_date",
            "future",
            "check_digit",
            "province",
        }


def test_normalise_leaves_a_clean_number_alone():
    assert idnumbers.normalise("11010519491231002X") == "11010519491231002X"


def test_it_reads_a_number_typed_with_a_chinese_input_method():
    parsed = parse("４２０３２２１９８００１０１００１６", today=TODAY)
    assert parsed.number == "420322198001010016"


@pytest.mark.parametrize(
    "raw",
    [
        "430102198505051116",
        "４30102198505051116",  # first digit full-width
        "٤٣٠١٠٢١٩٨٥٠٥٠٥١١١٦",  # Arabic-Indic
        "४३०१०२१९८५०५०५१११६",  # Devanagari
        "4301 0219 8505 0511 16",
    ],
)
def test_the_same_number_in_any_digit_script_is_one_number(raw):
    assert parse(raw, today=TODAY).number == "430102198505051116"
    assert idnumbers.normalise(raw) == "430102198505051116"


def test_a_number_of_no_province_is_refused_and_says_so():
    with pytest.raises(InvalidIdNumber, match="29: no province") as err:
        parse("291417196710156909", today=TODAY)
    assert err.value.code == "province"


def test_a_county_code_no_list_knows_is_accepted_and_flagged():
    parsed = parse(make("439999", dt.date(1980, 1, 1), 11), today=TODAY)
    assert parsed.unknown_area
    assert not parse(make("430102", dt.date(1980, 1, 1), 11), today=TODAY).unknown_area


def test_a_county_abolished_before_the_birth_year_is_not_flagged():
    # 110103 崇文区 was merged away in 2010; numbers issued there stay valid for life.
    parsed = parse(make("110103", dt.date(2015, 6, 1), 11), today=TODAY)
    assert not parsed.unknown_area


@given(typed_variants(id_numbers(KNOWN_AREAS + UNKNOWN_COUNTIES)))
def test_any_typed_form_normalises_to_the_number(pair):
    canonical, raw = pair
    assert idnumbers.normalise(raw) == canonical
    assert parse(raw, today=TODAY).number == canonical


# Numbers near validity, so the comparison is not decided by the length alone: any address
# code (known, unknown county, no province, random), any 8 digits as a birth date (some
# impossible, some before 1880, some in the future), and usually the right check digit.
near_valid = st.builds(
    lambda area, birth, seq, right, wrong: (
        f"{area}{birth}{seq:03d}" + (check_digit(f"{area}{birth}{seq:03d}") if right else wrong)
    ),
    st.one_of(
        st.sampled_from(KNOWN_AREAS + UNKNOWN_COUNTIES + NO_PROVINCE),
        st.from_regex(r"^[0-9]{6}$", fullmatch=True),
    ),
    st.one_of(
        st.sampled_from(["18791231", "18800101", f"{TODAY:%Y%m%d}", "20261125", "19490230"]),
        births.map(lambda d: f"{d:%Y%m%d}"),
        st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 1, 1)).map(
            lambda d: f"{d:%Y%m%d}"
        ),
        st.from_regex(r"^[0-9]{8}$", fullmatch=True),
    ),
    sequences,
    st.integers(0, 4).map(bool),
    st.sampled_from("0123456789X"),
)


def stdnum_accepts_all_but_the_county(number: str) -> bool:
    """stdnum.cn.ric's checks, with the county looked up but not required: length, digits,
    check digit, a real birth date, and a province it knows."""
    try:
        number = ric.compact(number)
        if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
            return False
        if number[-1] != ric.calc_check_digit(number):
            return False
        ric.get_birth_date(number)
    except ric.ValidationError:
        return False
    return bool(numdb.get("cn/loc").info(number[:6])[0][1].get("province"))


def county_known(number: str) -> bool:
    parts = numdb.get("cn/loc").info(number[:6])
    return len(parts) > 1 and bool(parts[1][1].get("county"))


def birth_rules(number: str) -> bool:
    birth = ric.get_birth_date(number)
    return dt.date(1880, 1, 1) <= birth <= TODAY


@given(near_valid)
@example("291417196710156909")
@example("360426199101010071")  # stdnum's own example
@example(make("430102", dt.date(1850, 1, 1), 11))  # before 1880: stdnum accepts, we do not
def test_it_accepts_exactly_what_stdnum_accepts_plus_our_birth_date_rules(number):
    try:
        parsed = parse(number, today=TODAY)
    except InvalidIdNumber:
        parsed = None
    expected = stdnum_accepts_all_but_the_county(number) and birth_rules(number)
    assert (parsed is not None) == expected
    if parsed is not None:
        # a county stdnum does not know is flagged; one it knows (at any time) is not
        assert parsed.unknown_area == (not county_known(number))
    if stdnum_valid(number) and birth_rules(number):
        assert parsed is not None and not parsed.unknown_area


def stdnum_valid(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except KeyError:  # stdnum 2.2: a known province with an unknown county is a KeyError
        return False
