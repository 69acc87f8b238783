"""`fangkong import requisitions FILE` and `fangkong supplies allocate --point CODE [--confirm]`,
as checks call them."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fangkong.common.spreadsheets import CSV, XLSX, read_table, write_table
from fangkong.supplies.choices import MovementKind, RequisitionSource, RequisitionStatus
from fangkong.supplies.models import AllocationRound, Movement, Requisition
from fangkong.supplies.services import save_item, set_substitute

from .conftest import make_point, receive

pytestmark = pytest.mark.django_db

TITLE = ["芙蓉区防疫物资需求汇总表（2026年11月30日）"]
HEADER = ["申请单号", "申请单位", "物资名称", "数量", "优先级", "需用日期", "事由"]


def sheet(tmp_path, rows, *, name="需求.xlsx", header=HEADER):
    path = tmp_path / name
    fmt = XLSX if name.endswith(".xlsx") else CSV
    write_table(path, [TITLE, header, *rows], format=fmt)
    return path


def run(*args) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


@pytest.fixture
def stocked(tree, n95):
    point = make_point(tree.district, code="FR01", name="芙蓉区物资仓库")
    receive(point, n95, 1000)
    return point


SOON = timezone.localdate() + dt.timedelta(days=4)  # needed-by dates still to come
LATER = SOON + dt.timedelta(days=1)
ROWS = [
    ["SQ-001", "芙蓉区人民医院", "N95口罩", "600", "医疗一线", str(SOON), "发热门诊"],
    ["SQ-002", "新华街道卡口", "N95口罩", "400", "2", "", "卡口值守"],
    ["SQ-003", "红星社区", "N95口罩", "800", "其他一线", f"{LATER:%Y/%-m/%-d}", "核酸采样"],
    ["SQ-004", "芷园社区", " Ｎ９５口罩 ", "500", "社区", "", "居民"],
]


def test_a_list_imports_as_approved_requisitions_and_again_adds_nothing(tmp_path, stocked, tree):
    path = sheet(tmp_path, ROWS)
    first, _err = run("import", "requisitions", str(path))
    assert first == {"read": 4, "accepted": 4, "rejected": 0, "rejects_file": None}
    reqs = {r.number: r for r in Requisition.objects.all()}
    assert {r.status for r in reqs.values()} == {RequisitionStatus.OPEN}
    assert {r.source for r in reqs.values()} == {RequisitionSource.FILE}
    assert [reqs[n].tier for n in ("SQ-001", "SQ-002", "SQ-003", "SQ-004")] == [1, 2, 2, 3]
    assert reqs["SQ-003"].region == tree.community_a  # a unit named as a region of the tree
    assert reqs["SQ-004"].item.name == "N95口罩"  # full-/half-width and spaces ignored
    assert reqs["SQ-001"].needed_on == SOON and reqs["SQ-003"].needed_on == LATER
    again, err = run("import", "requisitions", str(path))
    assert again == {"read": 4, "accepted": 0, "rejected": 0, "rejects_file": None}
    assert "known before" in err
    assert Requisition.objects.count() == 4


def test_unknown_items_and_bad_quantities_are_refused_with_their_reason(tmp_path, stocked):
    path = sheet(
        tmp_path,
        [
            ["SQ-101", "芙蓉区人民医院", "N95口罩", "5,000", "1", "", ""],
            ["SQ-102", "芙蓉区人民医院", "防护面屏", "10", "1", "", ""],
            ["SQ-103", "芙蓉区人民医院", "N95口罩", "若干", "1", "", ""],
            ["SQ-104", "芙蓉区人民医院", "N95口罩", "-5", "1", "", ""],
            ["SQ-105", "芙蓉区人民医院", "N95口罩", "2.5", "1", "", ""],
            ["SQ-106", "芙蓉区人民医院", "N95口罩", "10", "紧急", "", ""],
            ["SQ-101", "芙蓉区人民医院", "N95口罩", "10", "1", "", ""],
        ],
        name="需求.csv",
    )
    out, err = run("import", "requisitions", str(path))
    assert out["read"] == 7 and out["accepted"] == 1 and out["rejected"] == 6
    rejects = read_table((tmp_path / "需求-rejects.csv").read_bytes(), "x.csv")
    reasons = {row[0]: row[-1] for row in rejects.rows[1:]}
    assert "防护面屏 is not in the catalog" in reasons["SQ-102"]
    assert "not a whole number" in reasons["SQ-103"]
    assert "more than 0" in reasons["SQ-104"]
    assert "not a whole number" in reasons["SQ-105"]
    assert "priority" in reasons["SQ-106"]
    assert "row 3 of this file" in reasons["SQ-101"]
    assert out["rejects_file"] == str(tmp_path / "需求-rejects.csv")
    assert Requisition.objects.get().qty == 5000


def test_a_file_that_is_not_a_requisition_list_saves_nothing(tmp_path, stocked):
    path = sheet(tmp_path, [["1", "2"]], header=["序号", "物资名称"])
    with pytest.raises(CommandError, match="申请单号"):
        run("import", "requisitions", str(path))
    assert not Requisition.objects.exists()


def test_allocate_proposes_by_tier_then_confirm_issues_once(tmp_path, stocked):
    run("import", "requisitions", str(sheet(tmp_path, ROWS)))
    proposed, _ = run("supplies", "allocate", "--point", "FR01")
    by_id = {r["id"]: r for r in proposed["requests"]}
    # tier 1 first in full; tier 2 shares the remaining 400 at equal fill ratios (1/3 each)
    assert by_id["SQ-001"]["filled"] == 600
    assert by_id["SQ-002"]["filled"] + by_id["SQ-003"]["filled"] == 400
    assert abs(by_id["SQ-002"]["filled"] / 400 - by_id["SQ-003"]["filled"] / 800) < 0.01
    assert by_id["SQ-004"]["filled"] == 0
    assert by_id["SQ-001"] == {
        "id": "SQ-001",
        "unit": "芙蓉区人民医院",
        "item": "N95口罩",
        "qty": 600,
        "tier": 1,
        "filled": 600,
    }
    assert proposed["leftover"] == {"N95口罩": 0}
    assert not Movement.objects.filter(kind=MovementKind.ISSUE).exists()

    confirmed, _ = run("supplies", "allocate", "--point", "FR01", "--confirm")
    assert confirmed["requests"] == proposed["requests"]
    assert confirmed["round"] != proposed["round"]
    issued = Movement.objects.filter(kind=MovementKind.ISSUE)
    assert -sum(m.qty for m in issued) == 1000
    assert set(issued.values_list("reference", flat=True)) == {"SQ-001", "SQ-002", "SQ-003"}
    assert Requisition.objects.get(number="SQ-001").status == RequisitionStatus.FILLED
    assert Requisition.objects.get(number="SQ-003").status == RequisitionStatus.PARTLY
    balance, _ = run("supplies", "balance", "--point", "FR01")
    assert balance == {}

    again, _ = run("supplies", "allocate", "--point", "FR01", "--confirm")
    assert {r["id"] for r in again["requests"]} == {"SQ-002", "SQ-003", "SQ-004"}
    assert all(r["filled"] == 0 for r in again["requests"])
    assert by_id["SQ-003"]["qty"] - {r["id"]: r for r in again["requests"]}["SQ-003"]["qty"] > 0
    assert Movement.objects.filter(kind=MovementKind.ISSUE).count() == issued.count()
    assert AllocationRound.objects.filter(status="confirmed").count() == 2


def test_the_next_round_fills_the_rest_when_stock_arrives(tmp_path, stocked, n95):
    run("import", "requisitions", str(sheet(tmp_path, ROWS)))
    run("supplies", "allocate", "--point", "FR01", "--confirm")
    receive(stocked, n95, 2000)
    out, _ = run("supplies", "allocate", "--point", "FR01", "--confirm")
    assert {r["id"] for r in out["requests"]} == {"SQ-002", "SQ-003", "SQ-004"}
    assert all(r["filled"] == r["qty"] for r in out["requests"])
    assert set(Requisition.objects.values_list("status", flat=True)) == {"filled"}
    assert out["leftover"] == {"N95口罩": 3000 - 2300}


def test_a_substitute_fills_what_the_item_asked_for_cannot(tmp_path, stocked, n95):
    kn95 = save_item(name="KN95口罩", unit="个")
    set_substitute(item=n95, substitute=kn95, per_unit=1)
    receive(stocked, kn95, 500)
    run("import", "requisitions", str(sheet(tmp_path, ROWS)))
    out, _ = run("supplies", "allocate", "--point", "FR01", "--confirm")
    filled = {r["id"]: r["filled"] for r in out["requests"]}
    assert filled["SQ-001"] == 600
    assert sum(filled.values()) == 1500
    assert Movement.objects.filter(kind=MovementKind.ISSUE, item=kn95).exists()


def test_allocate_names_an_unknown_point(db):
    with pytest.raises(CommandError, match="no stock point"):
        run("supplies", "allocate", "--point", "NOPE")


def test_a_round_with_nothing_to_serve_reports_the_stock(stocked):
    out, _ = run("supplies", "allocate", "--point", "FR01", "--confirm")
    assert out["requests"] == [] and out["leftover"] == {"N95口罩": 1000}
