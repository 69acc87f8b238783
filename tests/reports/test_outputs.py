"""The report as Excel, as JSON from the API, and from the command line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.reports.services import check_issue_report

from .conftest import DAY


def _query(city, **more):
    return {"region": city.city.code, "day": DAY.isoformat(), **more}


def test_the_excel_has_a_printable_sheet_per_section(city, people, login):
    answer = login(people.hq).get(reverse("reports:export"), _query(city))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith(f'daily-430100-{DAY}.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "人口登记",
        "健康监测",
        "核酸检测",
        "物资保障",
        "求助",
        "床位与转运",
        "资金",
        "志愿者",
    ]
    sheet = book["健康监测"]
    assert sheet["A1"].value == "长沙市日报 · 健康监测" and sheet["A1"].font.b
    assert f"{DAY}" in sheet["A2"].value and "未签发" in sheet["A2"].value
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["应报（人）"][:3] == (2, 1, 1)
    assert cells["已报（人）"][3] == 0.5  # shown as 50.0%
    assert "全天数据" in sheet["A2"].value
    assert cells["芙蓉区"][0] == 2 and cells["天心区"][0] == 0
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (
        "landscape",
        9,  # A4
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["A"].width == 26
    assert AuditEntry.objects.filter(action="export", object_type="daily_report").count() == 1


def test_the_excel_of_an_issued_version_names_it_and_who_issued_it(city, people, login):
    check_issue_report(user=people.hq, scope=scope_of(people.hq), region=city.city, day=DAY)
    answer = login(people.hq).get(reverse("reports:export"), _query(city, version="1"))
    assert answer["Content-Disposition"].endswith(f'daily-430100-{DAY}-v1.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]  # issued in English
    assert "第 1 版" in sheet["A2"].value and "hq" in sheet["A2"].value


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_the_excel_prints_on_a4_pages_as_wide_as_the_sheet(city, people, login, tmp_path):
    answer = login(people.hq).get(reverse("reports:export"), _query(city))
    (tmp_path / "report.xlsx").write_bytes(answer.content)
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(tmp_path / "report.xlsx")],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    if not shutil.which("pdfinfo"):
        return
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "report.pdf")], check=True, capture_output=True, text=True
    ).stdout
    # one landscape A4 page per sheet, every column on it (fit to the page's width)
    assert "Pages:           2" in info
    assert "841.89 x 595.3" in info


def test_the_api_gives_the_figures_without_names_or_links(city, people, login):
    answer = login(people.district).get(
        reverse("api:daily"), {"region": city.district.code, "day": DAY.isoformat()}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["region"]["code"], body["day"], body["version"]) == ("430102", str(DAY), None)
    health = next(s for s in body["sections"] if s["key"] == "health")
    assert {f["key"]: f["today"] for f in health["figures"]}["due"] == 2
    text = answer.content.decode()
    assert "link" not in text and "张伟" not in text and "/people/" not in text


def test_the_api_gives_the_issued_version_when_there_is_one(city, people, login):
    check_issue_report(user=people.hq, scope=scope_of(people.hq), region=city.city, day=DAY)
    client = login(people.hq)
    query = {"region": city.city.code, "day": DAY.isoformat()}
    assert client.get(reverse("api:daily"), query).json()["version"] == 1
    assert client.get(reverse("api:daily"), {**query, "live": "true"}).json()["version"] is None


def test_the_api_refuses_a_day_to_come_and_a_region_outside_the_scope(city, people, login):
    import datetime as dt

    client = login(people.district)
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert client.get(reverse("api:daily"), {"region": "430102", "day": later}).status_code == 422
    assert client.get(reverse("api:daily"), {"region": "430103"}).status_code == 404
    assert (
        login(people.grid_a).get(reverse("api:daily"), {"region": "430102001001001"}).status_code
        == 403
    )


def test_the_command_prints_the_report_as_its_last_json_line(city, tmp_path, capsys):
    call_command("report", "daily", "--region", "430100", "--on", DAY.isoformat(), "--json")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(last)
    assert (report["region"]["code"], report["day"]) == ("430100", DAY.isoformat())
    assert [s["key"] for s in report["sections"]] == [
        "registry",
        "health",
        "screening",
        "supplies",
        "assistance",
        "beds",
        "funds",
        "volunteers",
    ]
    assert "link" not in last


def test_the_command_writes_excel_or_json(city, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    call_command("report", "daily", "--region", "430102", "--on", DAY.isoformat(), "-o", str(out))
    assert load_workbook(out).sheetnames == [
        "Registry",
        "Health",
        "Mass testing",
        "Supplies",
        "Help requests",
        "Beds and transfers",
        "Funds",
        "Volunteers",
    ]  # the language in force
    out = tmp_path / "r.json"
    call_command(
        "report", "daily", "--region", "430102", "--on", str(DAY), "--at", "09:30", "-o", str(out)
    )
    written = json.loads(out.read_text("utf-8"))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == written
    assert written["as_of"].startswith(f"{DAY}T09:30")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "999999"], "no region"),
        (["--region", "430100", "--on", "yesterday"], "not a date"),
        (["--region", "430100", "--at", "25:00"], "not a time"),
        (["--region", "430100", "-o", "r.txt"], "write .xlsx, .docx, .pdf, .json"),
        (["--region", "430100", "-o", "/nowhere/at/all/r.xlsx"], "no folder /nowhere/at/all"),
        (["--region", "430100", "--on", "2022-02-30"], "not a date"),
    ],
)
def test_the_command_says_what_is_wrong(city, args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("report", "daily", *args)
