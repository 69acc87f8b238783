"""The stock sheet's cells: quantities as typed, expiry dates, 合计 rows (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common.spreadsheets import Table
from fangkong.supplies.stock_sheet import RowRejected, parse_expiry, parse_qty, read_sheet

FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@given(st.integers(1, 10**11), st.booleans(), st.booleans())
def test_any_positive_whole_number_reads_back_as_typed(n, grouped, full_width):
    text = f"{n:,}" if grouped else str(n)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_qty(text) == n


@given(st.integers(max_value=0), st.sampled_from(["", ".0"]))
def test_zero_and_negative_quantities_are_refused_as_such(n, decimals):
    with pytest.raises(RowRejected, match="more than 0"):
        parse_qty(f"{n}{decimals}")


@given(st.text().filter(lambda t: not t.strip().isdigit()))
def test_text_that_is_not_a_number_is_refused_or_is_a_number(text):
    try:
        n = parse_qty(text)
    except RowRejected:
        return
    assert n > 0  # only forms of a number get through ("1,000", "５", "7.0")


@given(st.integers(13, 20_000))
def test_a_number_too_long_for_any_warehouse_is_refused_unread(n):
    with pytest.raises(RowRejected, match="too large: at most 999,999,999,999"):
        parse_qty("9" * n)


@pytest.mark.parametrize("text", ["若干", "", "12.5", "1,00", "5个", "一百"])
def test_what_is_not_a_positive_whole_number_is_refused(text):
    with pytest.raises(RowRejected):
        parse_qty(text)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(["-", "/", ".", "年"]))
def test_any_real_date_reads_back(day, sep):
    text = (
        f"{day.year}年{day.month}月{day.day}日"
        if sep == "年"
        else f"{day.year}{sep}{day.month}{sep}{day.day}"
    )
    assert parse_expiry(text) == day
    assert parse_expiry(day.strftime("%Y%m%d")) == day


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "明年", "2026-00-10"])
def test_what_is_not_a_real_date_is_refused(text):
    with pytest.raises(RowRejected):
        parse_expiry(text)


def test_a_month_means_its_last_day_and_long_term_means_none():
    assert parse_expiry("2026-02") == dt.date(2026, 2, 28)
    assert parse_expiry("2026年11月") == dt.date(2026, 11, 30)
    assert parse_expiry("长期") is None and parse_expiry("") is None


ROW = st.tuples(st.sampled_from(["N95口罩", "防护服", "酒精"]), st.integers(1, 10_000))


@given(st.lists(ROW, max_size=20), st.integers(0, 3), st.booleans())
def test_rows_of_a_sheet_add_up_whatever_the_title_rows_and_totals(rows, titles, total):
    cells = [[f"标题{i}"] for i in range(titles)] + [["序号", "品名", "单位", "数量"]]
    cells += [[str(i), name, "个", f"{n:,}"] for i, (name, n) in enumerate(rows, 1)]
    if total:
        cells.append(["合计", "", "", f"{sum(n for _name, n in rows):,}"])
    sheet = read_sheet(Table(rows=cells, format="csv"))
    assert sheet.read == len(rows) and not sheet.rejected
    assert [(r.name, r.qty) for r in sheet.rows] == rows
    assert [t.qty for t in sheet.totals] == ([sum(n for _name, n in rows)] if total else [])
