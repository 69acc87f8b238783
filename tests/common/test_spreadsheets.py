"""Reading spreadsheets within bounds, and the one writer every export uses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.common import spreadsheets
from fangkong.common.spreadsheets import base
from fangkong.common.spreadsheets.writing import _NOT_IN_XLSX as NOT_IN_XLSX

from ..people.ledgers import far_cell_xlsx

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_book(sheet_data: str, *, dimension: str = "", prefix: str = "") -> bytes:
    """A workbook written by hand, to say what openpyxl would not (lies, prefixes, no refs)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>{dim}'
        f"<{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
            '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buffer.getvalue()


def text_cell(ref: str, text: str, p: str = "") -> str:
    return f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>'


A1_B2 = (
    f'<row r="1">{text_cell("A1", "姓名")}{text_cell("B1", "身份证号")}</row>'
    f'<row r="2">{text_cell("A2", "张三")}{text_cell("B2", "1")}</row>'
)


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough to reach with a few cells: 10 rows, 5 columns, 30 cells."""
    monkeypatch.setattr(base, "MAX_ROWS", 10)
    monkeypatch.setattr(base, "MAX_COLUMNS", 5)
    monkeypatch.setattr(base, "MAX_CELLS", 30)


@pytest.mark.parametrize(
    ("row", "column", "far"), [(1048576, 16384, "XFD1048576"), (200_000, 200, "GR200000")]
)
def test_a_sheet_with_a_cell_far_beyond_the_limits_is_refused_unread(row, column, far):
    data = far_cell_xlsx(row, column)
    assert len(data) < 6000
    with pytest.raises(spreadsheets.SpreadsheetError) as e:
        spreadsheets.read_table(data, "台账.xlsx")
    message = str(e.value)
    assert far in message and "200,000" in message and "100" in message


def test_reading_the_far_cell_file_stays_small_in_memory(tmp_path):
    """Peak memory of a fresh process that reads the 200,000 × 200 file (calamine alone took
    1.95 GB for it): the figure is printed, and bounded well below what it would take."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_xlsx(200_000, 200))
    script = (
        "import django, json, sys; django.setup()\n"
        "from fangkong.common import spreadsheets\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "try:\n    spreadsheets.read_table(data, 'far.xlsx'); refused = False\n"
        "except spreadsheets.SpreadsheetError:\n    refused = True\n"
        # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's over exec)
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status')"
        " if l.startswith('VmHWM')) // 1024\n"
        "print(json.dumps({'refused': refused, 'peak_mb': peak}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangkong.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"peak RSS reading the 200,000 × 200 file: {result['peak_mb']} MB")
    assert result["refused"] and result["peak_mb"] < 300


def test_the_declared_dimension_is_not_trusted(small_limits):
    far = text_cell("Z50", "x")
    data = raw_book(A1_B2 + f'<row r="50">{far}</row>', dimension="A1:B2")
    with pytest.raises(spreadsheets.SpreadsheetError, match="Z50"):
        spreadsheets.read_table(data, "a.xlsx")


def test_formatting_and_blank_rows_beyond_the_table_do_not_count(small_limits):
    styled = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    data = raw_book(A1_B2 + styled, dimension="A1:XFD1048576")
    table = spreadsheets.read_table(data, "a.xlsx")
    assert table.rows == [["姓名", "身份证号"], ["张三", "1"]]


def test_cells_that_leave_out_their_reference_are_counted_on(small_limits):
    def rows(n: int) -> str:
        return '<row><c t="inlineStr"><is><t>a</t></is></c></row>' * n

    assert len(spreadsheets.read_table(raw_book(rows(10)), "a.xlsx").rows) == 10
    with pytest.raises(spreadsheets.SpreadsheetError, match="A11"):
        spreadsheets.read_table(raw_book(rows(11)), "a.xlsx")


def test_cells_under_a_namespace_prefix_are_counted_too(small_limits):
    data = raw_book(f'<x:row r="9">{text_cell("M9", "x", "x:")}</x:row>', prefix="x")
    with pytest.raises(spreadsheets.SpreadsheetError, match="M9"):
        spreadsheets.read_table(data, "a.xlsx")


def test_a_table_that_starts_below_and_right_of_a1_keeps_its_place():
    data = raw_book(
        f'<row r="3">{text_cell("C3", "a")}</row><row r="5"><c r="D5"><v>2</v></c></row>'
    )
    table = spreadsheets.read_table(data, "a.xlsx")
    assert table.rows[2] == ["", "", "a", ""] and table.rows[4] == ["", "", "", "2"]
    assert len(table.rows) == 5


def test_a_csv_past_the_row_limit_is_refused_but_trailing_blank_lines_do_not_count(small_limits):
    rows = "姓名,身份证号\n" + "张三,1\n" * 9
    assert len(spreadsheets.read_table((rows + ",,\n" * 50).encode(), "a.csv").rows) == 10
    with pytest.raises(spreadsheets.SpreadsheetError, match="10 rows"):
        spreadsheets.read_table((rows + "李四,2\n").encode(), "a.csv")


def test_a_csv_past_the_column_limit_is_refused_but_trailing_empty_cells_do_not_count(
    small_limits,
):
    assert spreadsheets.read_table(("a,b" + "," * 200 + "\n").encode(), "a.csv").rows == [
        ["a", "b"]
    ]
    with pytest.raises(spreadsheets.SpreadsheetError, match="6 columns"):
        spreadsheets.read_table(b"a,b,c,d,e,f\n", "a.csv")


def test_a_csv_cell_over_128_kb_is_refused_with_its_line():
    data = ("姓名,备注\n张三," + "长" * 140_000 + "\n").encode()
    with pytest.raises(spreadsheets.SpreadsheetError) as e:
        spreadsheets.read_table(data, "a.csv")
    assert "131,072" in str(e.value) and "2" in str(e.value)


def test_a_csv_line_of_a_million_commas_is_refused():
    with pytest.raises(spreadsheets.SpreadsheetError, match="1,048,576"):
        spreadsheets.read_table(b"a" + b"," * 2_000_000, "a.csv")


def test_a_file_over_the_upload_limit_is_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(base, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(spreadsheets.SpreadsheetError, match="MB"):
        spreadsheets.read_table(b"a,b\n" * 30, "a.csv")


# -- writing ---------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/x","点此查看")', "+cmd|' /C calc'!A0", "@SUM(A1)"]


def _sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_formula_like_text_is_written_to_xlsx_as_text_and_numbers_as_numbers():
    buffer = io.BytesIO()
    spreadsheets.write_table(buffer, [[*FORMULAS, "#N/A", -1, "-1"]], format=spreadsheets.XLSX)
    xml = _sheet_xml(buffer.getvalue())
    assert "<f>" not in xml and 't="e"' not in xml
    assert "<v>-1</v>" in xml  # the number -1 is a number
    table = spreadsheets.read_table(buffer.getvalue(), "a.xlsx")
    assert table.rows == [[*FORMULAS, "#N/A", "-1", "-1"]]


def test_formula_like_text_gets_a_quote_in_csv_and_reads_back_as_it_was():
    buffer = io.BytesIO()
    cells = [*FORMULAS, "\tx", "-", "'quoted", -1, "-1", "+86", "3.5"]
    spreadsheets.write_table(buffer, [cells], format=spreadsheets.CSV, encoding="utf-8")
    line = buffer.getvalue().decode()
    assert line.startswith("\"'=HYPERLINK(") and ",'+cmd|" in line and ",'@SUM" in line
    assert ",-1,-1,+86,3.5" in line  # numbers, even written as text, stay numbers
    table = spreadsheets.read_table(buffer.getvalue(), "a.csv")
    assert table.rows[0] == [*FORMULAS, "\tx", "-", "'quoted", "-1", "-1", "+86", "3.5"]


def test_the_streamed_csv_starts_with_a_bom_and_defuses_formulas():
    lines = list(spreadsheets.csv_lines([["姓名"], [FORMULAS[0]]], bom=True))
    assert lines[0] == "\ufeff姓名\r\n" and lines[1].startswith("\"'=HYPERLINK")


def test_characters_an_xlsx_cannot_hold_are_replaced_not_a_failure(tmp_path):
    path = tmp_path / "x.xlsx"
    spreadsheets.write_table(
        path, [["张\x07\x1b[31m三", "a\x00b", "_x0007_"]], format=spreadsheets.XLSX, sheet="A/B:C?"
    )
    table = spreadsheets.read_table(path.read_bytes(), "x.xlsx")
    assert table.rows[0] == ["张\ufffd\ufffd[31m三", "a\ufffdb", "_x0007_"]
    assert table.sheet == "A_B_C_"


# Text a cell may hold as it comes back: no surrounding spaces (the readers trim them), no
# characters an .xlsx cannot hold.
cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\t"), max_size=30
).map(str.strip)


@given(st.lists(cell_text, min_size=1, max_size=5))
def test_any_text_reads_back_from_the_csv_writer_as_written(cells):
    buffer = io.BytesIO()
    spreadsheets.write_table(buffer, [["h"], cells], format=spreadsheets.CSV)
    rows = spreadsheets.read_csv(buffer.getvalue()).rows
    row = rows[1] if len(rows) > 1 else []
    assert row + [""] * (len(cells) - len(row)) == cells


@given(st.lists(cell_text, min_size=1, max_size=5))
def test_any_text_reads_back_from_the_xlsx_writer_as_text(cells):
    buffer = io.BytesIO()
    spreadsheets.write_table(buffer, [["h", *cells]], format=spreadsheets.XLSX)
    row = spreadsheets.read_table(buffer.getvalue(), "a.xlsx").rows[0][1:]
    kept = [NOT_IN_XLSX.sub("\ufffd", c).strip() for c in cells]
    assert row + [""] * (len(kept) - len(row)) == kept


def test_exports_in_src_use_the_one_writer():
    src = Path(spreadsheets.__file__).parents[2]
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if "spreadsheets" not in path.parts
        and any(w in path.read_text() for w in ("csv.writer(", "Workbook(", "csv.DictWriter("))
    ]
    assert offenders == []


def test_a_zip_that_is_not_an_xlsx_workbook_is_refused_unread():
    """calamine would also read .xlsb and .ods, whose sheets are not measured first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(spreadsheets.SpreadsheetError, match=".xlsx"):
        spreadsheets.read_table(buffer.getvalue(), "a.ods")
