"""Ledger files as communities make them, built by the tests themselves."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook

from fangkong.common.idnumbers import make

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "楼栋",
    "单元",
    "门牌号",
    "人员类别",
    "备注",
]


def ident(n: int, born: dt.date = dt.date(1985, 4, 9)) -> str:
    """A valid resident ID number, distinct for each ``n`` below 1000."""
    return make("430102", born, n)


def xlsx(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def far_cell_xlsx(row: int, column: int) -> bytes:
    """A 5 KB ledger: a header and one person in A1:B2, and one cell far away (what a stray
    keystroke after Ctrl+End leaves): at XFD1048576 it made calamine ask for 512 GB."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(["张三", ident(1)])
    sheet.cell(row=row, column=column, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
