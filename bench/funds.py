"""Allowance rosters at scale: `python -m bench.funds [--rows N]` (PostgreSQL from
DATABASE_URL; the database is re-created).

A hospital's roster of N rows (default 100,000; title rows, the header, a 合计 row) checked
row by row (GB 11643 ID, Luhn card, category and rate) and imported; the same roster imported
again (adds nothing); every row approved; the payment file of N payees written (openpyxl
write-only, card numbers as text). Goals: 100,000 rows imported under 20 s; the payment file
of 100,000 payees under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish

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


def roster(n: int) -> bytes:
    from openpyxl import Workbook
    from stdnum import luhn

    from fangkong.common.idnumbers import make

    book = Workbook(write_only=True)
    ws = book.create_sheet("花名册")
    ws.append(["一线医务人员一次性慰问金发放花名册"])
    ws.append(HEADER)
    total = 0
    for i in range(1, n + 1):
        day = dt.date(1960, 1, 1) + dt.timedelta(days=i // 999)
        body = f"622202{i:012d}"
        aid = i % 3 == 0
        total += 5000 if aid else 2000
        ws.append(
            [
                str(i),
                f"员工{i}",
                make("430102", day, i % 999 + 1),
                f"第{i % 20}医院",
                "援鄂医疗队员" if aid else "本地医务人员",
                "5,000.00" if aid else "2000",
                body + luhn.calc_check_digit(body),
                "中国工商银行长沙分行",
            ]
        )
    ws.append(["合计", "", "", "", "", f"{total:,}.00", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from fangkong.funds.services import (
        check_approve,
        check_pay_batch,
        check_save_policy,
        import_roster,
        write_payfile,
    )
    from fangkong.regions.services import create_region

    region = create_region(code="430000", name="湖南省", level="province")
    policy, _ = check_save_policy(
        code="BENCH",
        name="一线医务人员一次性慰问金",
        rates={"援鄂医疗队员": 500000, "本地医务人员": 200000},
        region=region,
    )
    data = roster(args.rows)
    started = time.perf_counter()
    result = import_roster(data=data, filename="bench.xlsx", policy=policy)
    imported = time.perf_counter() - started
    assert result.accepted == args.rows and not result.rejected, result.as_dict()
    started = time.perf_counter()
    again = import_roster(data=data, filename="bench.xlsx", policy=policy)
    repeated = time.perf_counter() - started
    assert again.accepted == 0
    check_approve(policy=policy)
    started = time.perf_counter()
    batch = check_pay_batch(policy=policy)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "pay.xlsx"
        write_payfile(batch=batch, target=target)
        size = target.stat().st_size
    paid = time.perf_counter() - started
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Funds {stamp} — {machine()}, PostgreSQL {pg_version}",
            "",
            f"A roster of {args.rows:,} rows ({len(data) / 1e6:.1f} MB .xlsx, title rows and a "
            "合计 row):",
            "",
            "| step | seconds | goal |",
            "|---|---:|---:|",
            f"| read, check and import every row | {imported:.1f} | 20 |",
            f"| the same roster again (adds nothing) | {repeated:.1f} | |",
            f"| payment file of {batch.rows:,} payees ({size / 1e6:.1f} MB, "
            f"¥{batch.total_fen // 100:,}) | {paid:.1f} | 10 |",
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
