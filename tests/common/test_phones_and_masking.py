import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.masking import mask_id_number, mask_name, mask_phone
from fangkong.common.phones import InvalidPhone, normalise

from ..strategies import phones, typed_variants


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_phones_are_normalised_to_eleven_digits(raw):
    assert normalise(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["", "1381234567", "23812345678", "12812345678", "0731-8888888"])
def test_it_rejects_what_is_not_a_mainland_mobile(raw):
    with pytest.raises(InvalidPhone, match="11"):
        normalise(raw)


@given(st.from_regex(r"^1[3-9][0-9]{9}$", fullmatch=True))
def test_any_mobile_number_survives_normalising(phone):
    assert normalise(phone) == phone


def test_masks_keep_only_the_agreed_characters():
    assert mask_id_number("430302198005171234") == "4303**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张伟") == "张*"
    assert mask_name("欧阳明月") == "欧**月"
    assert mask_phone("") == "" and mask_id_number("") == ""


@given(st.text(min_size=9, max_size=30))
def test_a_masked_id_never_shows_its_middle(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[4:-4] == "*" * (len(number) - 8)


def test_a_phone_typed_half_full_width_is_stored_as_ascii():
    assert normalise("13８００１３８０９９") == "13800138099"


@given(typed_variants(phones()))
def test_any_typed_form_of_a_phone_normalises_to_it(pair):
    canonical, raw = pair
    assert normalise(raw) == canonical
    assert normalise("+86 " + raw) == canonical
