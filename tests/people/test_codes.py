"""A person's own code (the QR on their resident page a sampler scans): it names them, and a
code changed by a single character, or made up, names nobody."""

from hypothesis import given
from hypothesis import strategies as st

from fangkong.people.codes import person_code, person_of_code
from fangkong.screening.samplefile import person_id_of_scan


@given(st.integers(1, 10**12))
def test_a_persons_code_names_them_and_no_one_else(pk):
    code = person_code(pk)
    assert person_of_code(code) == pk and person_id_of_scan(code) == pk


@given(st.integers(1, 10**6), st.integers(0, 40), st.sampled_from("AZaz09-_:"))
def test_a_code_changed_anywhere_names_nobody(pk, at, char):
    code = person_code(pk)
    at = at % len(code)
    changed = code[:at] + char + code[at + 1 :]
    if changed != code:
        assert person_of_code(changed) is None


@given(st.text(max_size=80))
def test_any_other_text_is_no_persons_code(text):
    if not text.startswith("FK1."):
        assert person_of_code(text) is None
