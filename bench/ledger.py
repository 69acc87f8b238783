"""Ledger import benchmark: `python -m bench.ledger` (PostgreSQL from DATABASE_URL; re-created).

A 100,000-row residents' ledger (title row, header, ~1 % bad rows, 人员类别 on some rows) as a
GB18030 CSV and as an .xlsx, each imported end to end into an empty grid (read the file, check
every row, households, COPY, audit, rejects file), then the same CSV again (every row unchanged).
The baseline, in the same session: a raw COPY of the parsed rows into the same persons table,
with no checks. Figures print and are appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish

HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "楼栋", "单元", "门牌号", "与户主关系"]
HEADER += ["人员类别", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志刚玉兰"
CATEGORIES = ["", "", "", "", "", "", "", "", "武汉返乡", "密切接触者", "外地返乡", "快递员"]


def ledger_rows(n: int, seed: int = 7) -> list[list[str]]:
    from fangkong.common.idnumbers import make

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=(i * 7919) % 29_000)
        number = make("430102", born, i % 997 + 1)
        if i % 100 == 99:  # a typo in the check digit: about 1 % of rows are refused
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        household = i // 3
        rows.append(
            [
                str(i + 1),
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "男" if int(number[16]) % 2 else "女",
                number,
                f"139{i:08d}" if i % 3 == 0 else "",
                f"{household // 240 + 1}栋",
                str(household // 60 % 4 + 1),
                f"{household % 60 // 4 + 1}{household % 4 + 1:02d}",
                "户主" if i % 3 == 0 else "",
                rng.choice(CATEGORIES),
                "",
            ]
        )
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer)
    w.writerow(["红星社区第1网格居民台账"])
    w.writerow(HEADER)
    w.writerows(rows)
    return buffer.getvalue().encode("gb18030")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["红星社区第1网格居民台账"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_grid():
    from fangkong.regions.services import create_region

    parent = None
    for code, name, level in [
        ("430000", "湖南省", "province"),
        ("430100", "长沙市", "city"),
        ("430102", "芙蓉区", "district"),
        ("430102001000", "新华街道", "street"),
        ("430102001001", "红星社区", "community"),
        ("430102001001001", "红星第1网格", "grid"),
    ]:
        parent = create_region(code=code, name=name, level=level, parent=parent)
    return parent


def empty_registry() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE people_persontag, people_duplicatedismissal, people_person, "
            "regions_household, regions_building RESTART IDENTITY CASCADE"
        )
        cur.execute("ANALYZE")


def timed_import(data: bytes, filename: str, grid, rejects_dir: Path) -> tuple[float, object]:
    from fangkong.people.services import import_ledger, write_rejects

    started = time.perf_counter()
    result = import_ledger(data=data, filename=filename, region=grid)
    if result.rejected:
        write_rejects(result, rejects_dir / f"rejects-{filename}")
    return time.perf_counter() - started, result


def raw_copy_of_parsed_rows(data: bytes, grid) -> float:
    """COPY the rows as parsed (no checks, no households) into people_person and commit, as an
    import must; seconds. The rows are removed again afterwards (not timed)."""
    from django.db import transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter, reserve_ids
    from fangkong.common.spreadsheets import read_table
    from fangkong.people.models import Person

    table = read_table(data, "ledger.csv")
    rows = table.rows[2:]
    now = timezone.now()
    fields = ["id", "name", "sex", "id_type", "id_number", "id_rev", "phone", "grid"]
    fields += ["region_path", "relation", "notes", "created_at", "updated_at"]
    started = 0.0
    with transaction.atomic():
        writer = BulkWriter(Person, fields)
        ids = reserve_ids(Person, len(rows))
        seen = set()
        for pk, r in zip(ids, rows, strict=True):
            if r[3] in seen:
                continue
            seen.add(r[3])
            writer.rows.append(
                (
                    pk,
                    r[1],
                    "M",
                    "resident_id",
                    r[3],
                    r[3][::-1],
                    r[4],
                    grid.pk,
                    grid.path,
                    r[8],
                    "",
                    now,
                    now,
                )
            )
        started = time.perf_counter()
        writer.flush()
    seconds = time.perf_counter() - started
    empty_registry()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    grid = make_grid()
    rows = ledger_rows(args.rows)
    csv_data, xlsx_data = as_csv(rows), as_xlsx(rows)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        copy_s = raw_copy_of_parsed_rows(csv_data, grid)
        csv_s, csv_result = timed_import(csv_data, "ledger.csv", grid, Path(tmp))
        again_s, again = timed_import(csv_data, "ledger.csv", grid, Path(tmp))
        empty_registry()
        xlsx_s, xlsx_result = timed_import(xlsx_data, "ledger.xlsx", grid, Path(tmp))
    for name, seconds, result in (
        ("CSV (GB18030), into an empty grid", csv_s, csv_result),
        ("the same CSV again (every row unchanged)", again_s, again),
        (".xlsx, into an empty grid", xlsx_s, xlsx_result),
    ):
        out[name] = (seconds, result)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — ledger import — {machine()}, PostgreSQL {pg_version}",
        "",
        f"A {args.rows:,}-row ledger ({len(csv_data) / 2**20:.1f} MB CSV, "
        f"{len(xlsx_data) / 2**20:.1f} MB xlsx), end to end (read, check every row, households, "
        "COPY, audit, rejects file). Baseline in the same session: a raw COPY of the parsed "
        f"rows into the same persons table, no checks: **{copy_s:.2f} s** "
        f"({args.rows / copy_s:,.0f} rows/s).",
        "",
        "| run | seconds | rows/s | created | unchanged | rejected | × raw COPY |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (seconds, r) in out.items():
        lines.append(
            f"| {name} | {seconds:.2f} | {r.read / seconds:,.0f} | {r.created:,} | "
            f"{r.unchanged:,} | {len(r.rejected):,} | {seconds / copy_s:.1f} |"
        )
    lines += [
        "",
        "Goals: 100,000 rows from .xlsx in under 30 s; CSV within 3× of the raw COPY.",
    ]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
