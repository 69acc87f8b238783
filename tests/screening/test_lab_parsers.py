"""The lab file's parsers without the database: results as labs write them, Ct values, and a
whole file (title rows above the header, CSV or .xlsx) read back row by row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from fangkong.screening.choices import Result
from fangkong.screening.labfile import (
    LabFileInvalid,
    parse_ct,
    parse_result,
    read_lab_file,
    read_row,
)

WORDS = {
    Result.NEGATIVE: ["阴性", "阴", "negative", "NEG", "-", "阴性(-)"],
    Result.POSITIVE: ["阳性", "阳", "Positive", "+", "阳性（+）"],
    Result.INVALID: ["无效", "invalid", "样本无效"],
}
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@given(
    st.sampled_from([(r, w) for r, words in WORDS.items() for w in words]),
    st.sampled_from(["", " ", "\u3000", "  "]),
)
def test_every_word_labs_use_reads_as_its_result(pair, pad):
    result, word = pair
    assert parse_result(f"{pad}{word}{pad}") == result


@given(st.text(max_size=12))
def test_any_other_text_is_refused_with_what_is_allowed(text):
    try:
        found = parse_result(text)
    except ValueError as e:
        assert "阴性, 阳性, 无效" in str(e)
    else:
        assert found in Result.values


@given(
    st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
def test_a_ct_value_reads_back_in_any_digits(value, full_width):
    text = f"{value:.2f}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_ct(text, "N") == value


@given(st.decimals(min_value=Decimal("50.01"), max_value=99, places=2))
def test_a_ct_value_above_50_is_refused(value):
    with pytest.raises(ValueError, match="0 to 50"):
        parse_ct(str(value), "ORF1ab")


@pytest.mark.parametrize(
    ("text", "value"),
    [("36,5", "36.50"), ("36，52", "36.52"), ("３６,５", "36.50"), ("9,25", "9.25")],
)
def test_a_ct_value_with_a_decimal_comma_reads_as_with_a_point(text, value):
    assert parse_ct(text, "N") == Decimal(value)


@pytest.mark.parametrize("text", ["", "-", "—", "未检出", "N/A", ">40", "＞40", "Undetermined"])
def test_nothing_detected_is_a_blank_ct(text):
    assert parse_ct(text, "N") is None


@given(st.text(max_size=10))
def test_a_ct_cell_is_a_value_a_blank_or_a_reason(text):
    try:
        value = parse_ct(text, "N")
    except ValueError as e:
        assert "Ct" in str(e)
    else:
        assert value is None or Decimal(0) <= value <= 50


barcodes = st.from_regex(r"[A-Z]{0,2}[0-9]{6,12}", fullmatch=True)
rows = st.lists(
    st.tuples(barcodes, st.sampled_from(["阴性", "阳性", "无效", "阴", "阳"])),
    min_size=1,
    max_size=20,
)


def _table(title_rows: int, body):
    lines = [[f"第{i}行说明"] for i in range(title_rows)]
    lines.append(["序号", "样本编号", "检测结果", "ORF1ab", "N", "检测机构", "报告时间"])
    for n, (code, word) in enumerate(body, 1):
        lines.append([str(n), code, word, "", "", "实验室", "2022-04-01 18:30"])
    return lines


def _csv(lines) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue().encode("gb18030")


def _xlsx(lines) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None)  # an .xlsx written and read per example
@given(rows, st.integers(min_value=0, max_value=3), st.sampled_from(["csv", "xlsx"]))
def test_a_file_reads_back_row_by_row_whatever_sits_above_the_header(body, titles, kind):
    lines = _table(titles, body)
    data = _csv(lines) if kind == "csv" else _xlsx(lines)
    _table_, layout, read = read_lab_file(data, f"r.{kind}")
    assert layout.header_row == titles
    assert [r.number for r in read] == [titles + 2 + i for i in range(len(body))]
    readings = [read_row(r) for r in read]
    assert [r.barcode for r in readings] == [code for code, _w in body]
    assert [r.result for r in readings] == [parse_result(w) for _c, w in body]
    assert all(r.reported_at is not None and r.lab == "实验室" for r in readings)


def test_a_file_without_a_barcode_or_result_column_is_refused():
    with pytest.raises(LabFileInvalid, match="no header row"):
        read_lab_file(_csv([["样本编号", "姓名"], ["HX1", "张三"]]), "r.csv")
