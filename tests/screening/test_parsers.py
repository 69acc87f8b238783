"""The sampling file's parsers, without the database: barcodes, times, scanned codes, the
header under title rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.spreadsheets import Table
from fangkong.screening.samplefile import (
    BarcodeInvalid,
    clean_barcode,
    data_rows,
    find_layout,
    parse_sampled_at,
    person_id_of_scan,
)

from ..strategies import typed

barcodes = st.from_regex(r"^[0-9A-Z]{4,40}$", fullmatch=True)


@given(barcodes.flatmap(lambda b: st.tuples(st.just(b), typed(b))))
def test_a_barcode_typed_in_any_digits_is_stored_the_same(pair):
    canonical, as_typed = pair
    assert clean_barcode(as_typed) == canonical
    assert clean_barcode(as_typed.lower()) == canonical


@given(st.text(max_size=60))
def test_anything_else_is_refused_with_what_a_barcode_is(text):
    try:
        code = clean_barcode(text)
    except BarcodeInvalid as e:
        assert str(e)
    else:
        assert code.isascii() and code.isalnum() and code.upper() == code
        assert 4 <= len(code) <= 40
        assert clean_barcode(code) == code


moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))


@given(moments, st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]))
def test_a_sampling_time_reads_back_in_the_forms_apps_export(moment, form):
    moment = moment.replace(microsecond=0)
    assert parse_sampled_at(moment.strftime(form)) == timezone.make_aware(moment)


def test_a_sampling_time_in_chinese_and_without_seconds():
    expected = timezone.make_aware(dt.datetime(2022, 4, 1, 8, 30))
    assert parse_sampled_at("2022年4月1日 8时30分") == expected
    assert parse_sampled_at("2022/4/1 8:30") == expected
    assert parse_sampled_at("２０２２-０４-０１ ０８:３０") == expected
    assert parse_sampled_at("") is None


@pytest.mark.parametrize(
    ("serial", "moment"),
    [
        ("44652", (2022, 4, 1, 0, 0)),
        ("44652.75", (2022, 4, 1, 18, 0)),
        ("44652.354166667", (2022, 4, 1, 8, 30)),
    ],
)
def test_an_excel_serial_number_reads_as_the_day_and_time_it_stands_for(serial, moment):
    assert parse_sampled_at(serial) == timezone.make_aware(dt.datetime(*moment))


@pytest.mark.parametrize(
    "text", ["昨天", "2022-13-01 08:00", "2022-04-01 25:00", "8:30", "12345", "99999.5", "44652,75"]
)
def test_a_time_that_is_no_time_is_refused(text):
    with pytest.raises(ValueError):
        parse_sampled_at(text)


@given(st.integers(min_value=1, max_value=10**18 - 1))
def test_a_residents_code_names_them_however_it_is_scanned(pk):
    for code in (str(pk), f"P{pk}", f"p:{pk}", f"https://fk.example/persons/{pk}/"):
        assert person_id_of_scan(code) == pk


@given(st.text(max_size=40))
def test_a_code_that_names_nobody_is_none_or_a_positive_id(text):
    found = person_id_of_scan(text)
    assert found is None or found > 0


HEADER = ["序号", "试管编号", "证件类型", "证件号码", "姓名", "采样时间", "采样点"]


@given(
    st.lists(
        st.lists(st.sampled_from(["核酸采样记录", "", "导出时间：2022-04-01"]), max_size=3),
        max_size=5,
    ),
    st.sampled_from(["试管编号", "管码", "条码", " 试管编号 ", "试管编号（扫码）"]),
)
def test_the_header_is_found_under_any_title_rows(titles, barcode_title):
    titles = [row for row in titles if not any("试管" in c for c in row)]
    header = [barcode_title if c == "试管编号" else c for c in HEADER]
    row = ["1", "HX0001", "居民身份证", "430102198005170011", "张伟", "2022-04-01 08:30", "广场"]
    table = Table(rows=[*titles, header, row, [], header, row], format="csv")
    layout = find_layout(table)
    assert layout.header_row == len(titles)
    rows = data_rows(table, layout)
    assert [(r.barcode, r.id_number, r.point) for r in rows] == [
        ("HX0001", "430102198005170011", "广场")
    ] * 2
    assert rows[0].number == len(titles) + 2  # as Excel numbers it
