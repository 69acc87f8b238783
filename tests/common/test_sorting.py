"""Labels in the order people read them."""

from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.sorting import natural_key


def test_buildings_and_doors_sort_by_their_numbers():
    assert sorted(["10栋", "2栋", "1栋"], key=natural_key) == ["1栋", "2栋", "10栋"]
    assert sorted(["1-1001", "1-201", "1-101"], key=natural_key) == ["1-101", "1-201", "1-1001"]
    assert sorted(["1001", "101", "", "B", "a"], key=natural_key) == ["", "101", "1001", "a", "B"]


words = st.text(alphabet="栋单元-AbB ", max_size=4)  # no digits: the number stays one run


@given(words, st.integers(0, 10**6), st.integers(0, 10**6), words)
def test_a_smaller_number_sorts_first_whatever_surrounds_it(prefix, a, b, suffix):
    left, right = natural_key(f"{prefix}{a}{suffix}"), natural_key(f"{prefix}{b}{suffix}")
    assert (left < right) is (a < b)


@given(st.lists(st.text(max_size=8)))
def test_any_labels_sort_without_error_and_the_same_way_twice(labels):
    once = [natural_key(x) for x in sorted(labels, key=natural_key)]
    assert [natural_key(x) for x in sorted(reversed(labels), key=natural_key)] == once
