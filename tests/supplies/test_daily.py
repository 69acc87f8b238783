"""The supply daily report (物资保障日报): a region's day in figures, the .xlsx a leader prints,
the page's download and the command; and the report section's donation and cover figures,
which its trend repeats day by day."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.ops.outbreak.clock import clock_at, local
from fangkong.reports.sections import registered, until_of
from fangkong.supplies.choices import DonorKind
from fangkong.supplies.daily import daily_report, write_daily
from fangkong.supplies.services import (
    DonorIn,
    LineIn,
    check_count,
    check_issue,
    check_receive_donation,
    check_receive_transfer,
    check_transfer,
)

from .conftest import make_point, receive

pytestmark = pytest.mark.django_db
# The day reported: yesterday, so that its hours (8:00 to 10:00 below) have passed whenever the
# suite runs (today's report counts up to now, and just after midnight 8:00 is still to come).
TODAY = timezone.localdate() - dt.timedelta(days=1)
YESTERDAY = TODAY - dt.timedelta(days=1)


def at(day, hour):
    return clock_at(local(day, hour))


@pytest.fixture
def day_of_stock(point, n95, tree, people):
    """红星 held 200 masks yesterday; today 100 donated, 50 sent to 芷园 (taken in), 30 issued
    from the donation to a hospital, a count 2 short; 芷园 issued 10; tomorrow's issues are
    not today's."""
    hub = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    with at(YESTERDAY - dt.timedelta(days=3), 9):
        receive(point, n95, 200)
    with at(TODAY, 8):
        check_receive_donation(
            point=point,
            donor=DonorIn(DonorKind.ORGANISATION, "=长沙爱心企业"),
            lines=[LineIn(n95, 100, expires_on=TODAY + dt.timedelta(days=20))],
            client_id=uuid.uuid4(),
        )
    with at(TODAY, 9):
        w = check_transfer(point=point, to_point=hub, item=n95, qty=50, client_id=uuid.uuid4())
        check_receive_transfer(transfer=w.transfers[0], client_id=uuid.uuid4())
    with at(TODAY, 10):
        check_issue(
            point=point, item=n95, qty=30, client_id=uuid.uuid4(), recipient="芙蓉区人民医院"
        )
        check_issue(point=hub, item=n95, qty=10, client_id=uuid.uuid4(), recipient="芷园社区")
        check_count(
            point=point, item=n95, counted=198, client_id=uuid.uuid4(), lot=None, reason="破损"
        )
    return hub


def test_the_day_of_an_item_adds_up_from_yesterday_to_tonight(day_of_stock, tree, people, n95):
    report = daily_report(scope_of(people.district), tree.street, TODAY)
    (row,) = report.items
    assert (row.opening, row.received, row.donated) == (200, 100, 100)
    assert (row.moved_in, row.moved_out, row.issued, row.adjusted) == (50, 50, 40, -2)
    assert row.closing == 200 + 100 - 40 - 2
    assert [d.number for d, _l in report.donations] and len(report.passed_on) == 2
    yesterday = daily_report(scope_of(people.district), tree.street, YESTERDAY).items[0]
    assert (yesterday.opening, yesterday.closing, yesterday.issued) == (200, 200, 0)


def test_the_workbook_prints_as_a_leader_reads_it(day_of_stock, tree, people):
    buffer = io.BytesIO()
    write_daily(daily_report(scope_of(people.district), tree.street, TODAY), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["物资保障", "缺货预警", "接收捐赠", "捐赠去向"]
    ws = book["物资保障"]
    assert ws["A1"].value == "新华街道防疫物资保障日报" and "A1:Q1" in ws.merged_cells
    assert f"{TODAY:%Y年%m月%d日}" in ws["A2"].value
    assert [c.value for c in ws[3]][:6] == [
        "序号",
        "物资名称",
        "单位",
        "类别",
        "昨日结存",
        "本日入库",
    ]
    assert [c.value for c in ws[4]][:12] == [
        1,
        "N95口罩",
        "个",
        "医疗防护",
        200,
        100,
        100,
        50,
        50,
        40,
        -2,
        258,
    ]
    assert ws["A5"].value == "合计" and ws["B5"].value == "1种"
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    gifts = book["接收捐赠"]
    assert gifts["C4"].value == "=长沙爱心企业" and gifts["C4"].data_type == "s"  # not a formula
    passed = book["捐赠去向"]
    assert {passed["D4"].value, passed["D5"].value} == {"芙蓉区人民医院", None} or passed[
        "D4"
    ].value


def test_the_command_writes_the_report_and_ends_with_json(day_of_stock, tree, tmp_path, capsys):
    out = tmp_path / "daily.xlsx"
    call_command(
        "supplies", "daily", "--region", tree.street.code, "--day", TODAY.isoformat(), "-o",
        str(out), "--json",
    )  # fmt: skip
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == {
        "file": str(out),
        "region": tree.street.code,
        "day": TODAY.isoformat(),
        "items": 1,
        "donations": 1,
    }
    assert load_workbook(out)["物资保障"]["B4"].value == "N95口罩"
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command(
            "supplies", "daily", "--region", tree.street.code, "--day", "12/1", "-o", str(out)
        )
    with pytest.raises(CommandError, match="to come"):
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        call_command(
            "supplies", "daily", "--region", tree.street.code, "--day", tomorrow, "-o", str(out)
        )
    with pytest.raises(CommandError, match="no region"):
        call_command("supplies", "daily", "--region", "999", "-o", str(out))


def test_a_day_out_of_the_calendar_is_answered_not_a_server_error(tree, people, login, tmp_path):
    # year 1's midnight cannot be stored as a moment: it was an OverflowError on the page
    # and a traceback from the command
    client = login(people.district)
    for day in ("0001-01-01", "1999-12-31", "9999-12-31"):
        page = client.get(reverse("supplies:daily") + f"?region=430102&day={day}")
        assert page.status_code == 200
        sheet = client.get(reverse("supplies:daily_xlsx") + f"?region=430102&day={day}")
        assert (
            sheet.status_code == 200
            and timezone.localdate().isoformat() in sheet["Content-Disposition"]
        )
    with pytest.raises(CommandError, match="a day from 2000-01-01 to today"):
        call_command(
            "supplies",
            "daily",
            "--region",
            "430102",
            "--day",
            "0001-01-01",
            "-o",
            str(tmp_path / "d.xlsx"),
        )


def test_staff_download_the_report_and_the_download_is_audited(day_of_stock, people, login):
    client = login(people.district)
    page = client.get(reverse("supplies:daily"))
    assert page.status_code == 200 and "N95口罩" in page.content.decode()
    response = client.get(reverse("supplies:daily_xlsx") + f"?region=430102001000&day={TODAY}")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["物资保障"]["A1"].value.startswith(
        "新华街道"
    )
    entry = AuditEntry.objects.get(object_type="supply_daily_report")
    assert entry.object_id == f"430102001000/{TODAY}" and entry.username == "district"
    assert client.get(reverse("supplies:daily") + "?region=430103").status_code == 404
    assert login(people.warehouse).get(reverse("supplies:daily_xlsx")).status_code == 403


def test_the_section_counts_donations_and_low_cover_as_its_trend_does(point, n95, tree, people):
    days = [TODAY - dt.timedelta(days=back) for back in range(4, 0, -1)]
    with at(days[0] - dt.timedelta(days=10), 8):
        receive(point, n95, 400)
    for n, day in enumerate(days):
        with at(day, 9):
            d, _c = check_receive_donation(
                point=point,
                donor=DonorIn(DonorKind.PERSON, f"捐赠人{n}"),
                lines=[LineIn(n95, 5, expires_on=TODAY + dt.timedelta(days=5))],
                client_id=uuid.uuid4(),
            )
        with at(day, 11):
            check_issue(
                point=point, item=n95, qty=60 + 20 * n, client_id=uuid.uuid4(), recipient="医院"
            )
    section = next(s for s in registered() if s.key == "supplies")
    scope = scope_of(people.district)
    figures = [
        {f.key: f.value for f in section.figures(scope, tree.district, d, until_of(d)).figures}
        for d in days
    ]
    trend = section.trend(scope, tree.district, [(d, until_of(d)) for d in days])
    assert [{k: t.get(k, 0) for k in f} for f, t in zip(figures, trend, strict=True)] == figures
    assert [f["donations"] for f in figures] == [1, 1, 1, 1]
    assert [f["donated_out"] for f in figures] == [1, 1, 1, 1]  # the donated lot expires first
    assert figures[-1]["low_cover"] == 1 and figures[0]["low_cover"] == 0
