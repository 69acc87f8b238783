"""Headquarters' list of requests, cell by cell: priorities, quantities, names as typed
(hypothesis), and the rows of a whole sheet."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.spreadsheets import Table
from fangkong.supplies.requisition_sheet import (
    TIER_WORDS,
    check_row,
    parse_needed,
    parse_tier,
    read_sheet,
)
from fangkong.supplies.stock_sheet import RowRejected, SheetInvalid

HEADER = ["申请单号", "申请单位", "物资名称", "数量", "优先级", "需用日期", "事由"]
COLUMNS = {
    name: n for n, name in enumerate(["number", "unit", "item", "qty", "tier", "needed", "reason"])
}
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def row(**cells) -> list[str]:
    base = {"number": "SQ-1", "unit": "芙蓉区人民医院", "item": "N95口罩", "qty": "10", "tier": "1"}
    base.update(cells)
    return [base.get(k, "") for k in COLUMNS]


@given(st.sampled_from(sorted(TIER_WORDS)), st.booleans(), st.sampled_from(["", " ", "\u3000"]))
def test_every_way_of_writing_a_priority_reads_as_its_tier(word, full_width, pad):
    text = pad + (word.translate(FULL) if full_width else word) + pad
    assert parse_tier(text) == TIER_WORDS[word]


@given(st.text(max_size=12))
def test_anything_else_is_refused_naming_the_three_tiers(text):
    try:
        tier = parse_tier(text)
    except RowRejected as e:
        assert "医疗一线" in str(e) and "社区" in str(e)
        return
    assert tier in (1, 2, 3)


@pytest.mark.parametrize("text", ["0", "4", "-1", "紧急", "", "1.5", "一线"])
def test_priorities_that_are_not_one_of_the_three_are_refused(text):
    with pytest.raises(RowRejected, match="priority"):
        parse_tier(text)


@given(st.integers(1, 10**11), st.booleans(), st.booleans())
def test_a_positive_whole_quantity_reads_back_however_typed(n, grouped, full_width):
    text = f"{n:,}" if grouped else str(n)
    if full_width:
        text = text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert check_row(2, 1, row(qty=text), COLUMNS).qty == n


@given(st.integers(max_value=0) | st.just(2.5))
def test_zero_negative_and_fractions_are_refused(n):
    with pytest.raises(RowRejected, match="quantity"):
        check_row(2, 1, row(qty=str(n)), COLUMNS)


@given(
    st.text(alphabet=st.characters(categories=["Lo", "Nd", "Lu"]), min_size=1, max_size=20),
    st.sampled_from(["", " ", "  ", "\u3000"]),
)
def test_an_item_name_is_read_width_folded_without_surrounding_spaces(name, pad):
    wide = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name
    )  # the full-width forms of ASCII
    got = check_row(2, 1, row(item=pad + wide + pad), COLUMNS).item
    assert got == " ".join(unicodedata.normalize("NFKC", name).split())


def test_a_row_without_number_unit_or_item_is_refused_with_the_column():
    for col, word in (("number", "申请单号"), ("unit", "申请单位"), ("item", "物资名称")):
        with pytest.raises(RowRejected, match=word):
            check_row(2, 1, row(**{col: " "}), COLUMNS)


def test_needed_by_dates_as_typed_and_nonsense_refused():
    assert str(parse_needed("2026年12月5日")) == "2026-12-05"
    assert parse_needed("") is None
    with pytest.raises(RowRejected, match="needed-by"):
        parse_needed("2026-02-30")
    with pytest.raises(RowRejected, match="needed-by"):
        parse_needed("尽快")


def test_a_sheet_keeps_every_row_accounted_for():
    soon = timezone.localdate() + dt.timedelta(days=4)
    table = Table(
        rows=[
            ["芙蓉区防疫物资需求汇总表"],
            HEADER,
            row(),
            HEADER,  # pasted twice: the header again is skipped
            [""] * 7,
            row(number="SQ-2", qty="若干"),
            row(number="SQ-3", tier="社区", needed=f"{soon.year}/{soon.month}/{soon.day}"),
            row(number="SQ-4", needed=str(soon - dt.timedelta(days=6))),
            row(number="SQ-5", unit="芙" * 101),
        ],
        format="csv",
    )
    sheet = read_sheet(table)
    assert sheet.read == 5 and [r.ref for r in sheet.rows] == ["SQ-1", "SQ-3", "SQ-4"]
    assert sheet.rejected[0][:2] == (6, 5) and "quantity" in sheet.rejected[0][2]
    assert sheet.rows[1].tier == 3 and sheet.rows[1].needed_on == soon
    assert sheet.rows[2].needed_on == soon - dt.timedelta(days=6)  # past: the list's own word
    assert sheet.rejected[1][2] == "申请单位: 101 characters is too long: at most 100"


def test_a_sheet_without_the_needed_columns_is_not_a_requisition_list():
    with pytest.raises(SheetInvalid, match="申请单号"):
        read_sheet(Table(rows=[["物资名称", "数量"], ["N95口罩", "5"]], format="csv"))
