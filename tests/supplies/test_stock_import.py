"""`fangkong import stock FILE --point CODE` and the supplies command line, as checks call them."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangkong.common.spreadsheets import CSV, XLSX, read_table, write_table
from fangkong.supplies.models import Item, Movement, StockPoint
from fangkong.supplies.services import check_issue

pytestmark = pytest.mark.django_db

TITLE = ["芙蓉区红星社区防疫物资库存表（2026年11月）"]
HEADER = ["序号", "物资名称", "规格型号", "单位", "库存数量", "批次号", "有效期至", "备注"]


def sheet(tmp_path, rows, *, name="库存.xlsx", title=True):
    path = tmp_path / name
    fmt = XLSX if name.endswith(".xlsx") else CSV
    write_table(path, [*([TITLE] if title else []), HEADER, *rows], format=fmt)
    return path


def run(*args) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


@pytest.fixture
def point(tree):
    out, _err = run(
        "supplies", "point", "HX01", "--name", "红星社区物资点", "--region", tree.community_a.code
    )
    return StockPoint.objects.get(pk=out["id"])


def test_the_point_command_creates_then_updates_by_code(tree):
    first, _ = run(
        "supplies",
        "point",
        "HX01",
        "--name",
        "红星社区物资点",
        "--region",
        tree.community_a.code,
        "--kind",
        "community",
    )
    again, _ = run(
        "supplies", "point", "HX01", "--name", "红星社区物资储备点", "--region", tree.street.code
    )
    assert first == again == {"id": first["id"], "code": "HX01"}
    point = StockPoint.objects.get()
    assert point.name == "红星社区物资储备点" and point.region_path == tree.street.path


def test_the_point_command_refuses_an_unknown_region_and_a_bad_kind(tree):
    with pytest.raises(CommandError, match="no region"):
        run("supplies", "point", "P1", "--name", "x", "--region", "999999")
    with pytest.raises(CommandError):
        run(
            "supplies", "point", "P1", "--name", "x", "--region", tree.grid_a.code, "--kind", "shop"
        )


ROWS = [
    ["1", "N95口罩", "1860", "个", "5,000", "B2026A", "2027-06-30", ""],
    ["2", "N95口罩", "1860", "个", "３０００", "B2026B", "2027/12/31", "第二批"],
    ["3", "84消毒液", "500ml", "瓶", "200", "", "", ""],
    ["4", "医用防护服", "", "套", "若干", "", "", ""],
    ["5", "", "", "个", "10", "", "", ""],
    ["6", "医用外科口罩", "", "个", "-20", "", "", ""],
    ["7", "酒精", "75%", "瓶", "", "", "", ""],
    ["8", "一次性手套", "", "副", "100", "", "2026-02-30", ""],
    ["9", "液化气罐", "15kg", "罐", "40", "", "长期", ""],
    ["合计", "", "", "", "8,300", "", "", ""],
]


def test_a_stock_sheet_becomes_opening_balances_with_every_row_accounted_for(tmp_path, point):
    path = sheet(tmp_path, ROWS)
    out, err = run("import", "stock", str(path), "--point", "HX01")
    assert out["read"] == 9  # the title, header and 合计 rows are not data
    assert out["accepted"] == 4 and out["rejected"] == 5
    assert out["rejects_file"] == str(tmp_path / "库存-rejects.xlsx")
    balance, _ = run("supplies", "balance", "--point", "HX01")
    assert balance == {"N95口罩": 8000, "84消毒液": 200, "液化气罐": 40}
    # the 合计 row is compared: 8,300 against 8,240 read
    assert "8,300" in err and "8,240" in err
    rejects = read_table((tmp_path / "库存-rejects.xlsx").read_bytes(), "r.xlsx").rows
    assert rejects[0] == [*HEADER, "错误原因"]
    reasons = {row[0]: row[-1] for row in rejects[1:]}
    assert set(reasons) == {"4", "5", "6", "7", "8"}
    assert "若干" in reasons["4"] and "物资名称" in reasons["5"]
    assert "more than 0" in reasons["6"] or "whole number" in reasons["6"]
    assert "empty" in reasons["7"] and "2026-02-30" in reasons["8"]


def test_items_not_in_the_catalog_are_added_with_their_unit(tmp_path, point):
    run("import", "stock", str(sheet(tmp_path, ROWS)), "--point", "HX01")
    assert Item.objects.get(name="液化气罐").unit == "罐"
    assert Item.objects.get(name="N95口罩").spec == "1860"
    assert not Item.objects.filter(name="医用防护服").exists()  # its only row was refused


def test_a_new_item_without_a_unit_and_a_row_in_another_unit_are_refused(tmp_path, point):
    Item.objects.create(name="N95口罩", unit="个")
    rows = [["1", "N95口罩", "", "箱", "10", "", "", ""], ["2", "隔离衣", "", "", "5", "", "", ""]]
    out, _ = run("import", "stock", str(sheet(tmp_path, rows, title=False)), "--point", "HX01")
    assert out["accepted"] == 0 and out["rejected"] == 2


def test_importing_the_same_sheet_again_adds_nothing(tmp_path, point):
    path = sheet(tmp_path, ROWS)
    run("import", "stock", str(path), "--point", "HX01")
    before = Movement.objects.count()
    out, _ = run("import", "stock", str(path), "--point", "HX01")
    assert out["read"] == 9 and out["accepted"] == 0
    assert Movement.objects.count() == before
    balance, _ = run("supplies", "balance", "--point", "HX01")
    assert balance["N95口罩"] == 8000


def test_the_same_sheet_again_adds_nothing_even_after_stock_went_out(tmp_path, point):
    path = sheet(tmp_path, ROWS, name="库存.csv")
    run("import", "stock", str(path), "--point", "HX01")
    n95 = Item.objects.get(name="N95口罩")
    check_issue(point=point, item=n95, qty=100, client_id=uuid.uuid4(), recipient="医院")
    out, _ = run("import", "stock", str(path), "--point", "HX01")
    assert out["accepted"] == 0
    assert run("supplies", "balance", "--point", "HX01")[0]["N95口罩"] == 7900


def test_two_identical_rows_of_one_item_add_up(tmp_path, point):
    rows = [
        ["1", "N95口罩", "", "个", "100", "", "", ""],
        ["2", "N95口罩", "", "个", "100", "", "", ""],
    ]
    out, _ = run("import", "stock", str(sheet(tmp_path, rows)), "--point", "HX01")
    assert out == {"read": 2, "accepted": 2, "rejected": 0, "rejects_file": None}
    assert run("supplies", "balance", "--point", "HX01")[0] == {"N95口罩": 200}


def test_a_file_that_is_not_a_stock_sheet_is_refused_whole(tmp_path, point):
    path = tmp_path / "x.csv"
    path.write_text("姓名,证件号码\n张三,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header"):
        run("import", "stock", str(path), "--point", "HX01")
    with pytest.raises(CommandError, match="no stock point"):
        run("import", "stock", str(path), "--point", "NOPE")
    assert not Movement.objects.exists()
