"""Rosters as hospitals send them, built for tests and the bench."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from stdnum import luhn

from fangkong.common.idnumbers import make

HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "工作单位",
    "人员类别",
    "金额（元）",
    "银行卡号",
    "开户银行",
]


def id_number(n: int) -> str:
    """A valid resident ID, different for each n (up to 365 × 999)."""
    day = dt.date(1970, 1, 1) + dt.timedelta(days=n // 999)
    return make("430102", day, n % 999 + 1)


def card(n: int) -> str:
    body = f"622202{n:012d}"
    return body + luhn.calc_check_digit(body)


def row(n: int, *, unit="市第一人民医院", category="本地医务人员", amount="2000", **over):
    cells = {
        "name": f"员工{n}",
        "id": id_number(n),
        "card": card(n),
        "bank": "中国工商银行长沙分行",
    }
    cells.update(over)
    return [n, cells["name"], cells["id"], unit, category, amount, cells["card"], cells["bank"]]


def roster_xlsx(rows: list[list], *, total: str | None = None, title="一次性慰问金发放花名册"):
    """An .xlsx with a title row, the header, the rows and a 合计 row (given or summed)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("花名册")
    ws.append([title])
    ws.append(["填报单位：（盖章）", "", "", "", "", "", "", ""])
    ws.append(HEADER)
    for r in rows:
        ws.append([str(c) for c in r])
    if total is None:
        from decimal import Decimal

        total = str(sum(Decimal(str(r[5]).replace(",", "")) for r in rows if r[5]))
    ws.append(["合计", "", "", "", "", total, "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
