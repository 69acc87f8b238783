"""The report as a Word document (and PDF through LibreOffice) that a leader prints."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.reports import docx as word
from fangkong.reports.services import check_issue_report

from .conftest import DAY

OFFICE = word.office()


def _query(city, **more):
    return {"region": city.city.code, "day": DAY.isoformat(), **more}


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_word_report_has_its_title_sections_tables_and_outstanding_list(city, people, login):
    answer = login(people.hq).get(reverse("reports:export_docx"), _query(city))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith(f'daily-430100-{DAY}.docx"')
    document = _open(answer.content)
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert paragraphs[0] == ("Title", "《长沙市防控工作日报》")
    assert str(DAY) in paragraphs[1][1] and "未签发（实时）" in paragraphs[1][1]
    headings = [t for s, t in paragraphs if s == "Heading 1"]
    assert headings == [
        "人口登记",
        "健康监测",
        "核酸检测",
        "物资保障",
        "求助",
        "床位与转运",
        "资金",
        "志愿者",
        "待办事项",
    ]
    tables = [_texts(t) for t in document.tables]
    health = next(t for t in tables if t[1][0] == "应报（人）")
    assert health[0] == ["指标", "今天", "昨日", "变化", "占比", "统计口径"]
    reported = next(r for r in health if r[0] == "已报（人）")
    assert reported[1:5] == ["1", "0", "+1", "50.0%"]
    rows = [t for t in tables if t[0][0] == "下级地区"]
    assert any(r[0] == "芙蓉区" and r[1] == "2" for t in rows for r in t[1:])
    outstanding = tables[-1]
    assert outstanding[0] == ["板块", "地区", "事项"] and len(outstanding) > 1
    assert AuditEntry.objects.get(action="export").detail["format"] == "docx"


def test_the_word_report_prints_on_a4_across_with_every_column_inside_the_margins(city):
    from fangkong.reports.selectors import compile_report

    scope = scope_of_operator(city)
    document = _open(word.report_docx(compile_report(scope, city.city, DAY)))
    page = document.sections[0]
    assert (round(page.page_width.cm, 1), round(page.page_height.cm, 1)) == (29.7, 21.0)
    inside = page.page_width - page.left_margin - page.right_margin
    for table in document.tables:
        columns = table._tbl.tblGrid.findall(qn("w:gridCol"))
        assert sum(int(c.get(qn("w:w"))) for c in columns) * 635 <= inside + Cm(0.05)
        assert len(columns) <= word.ROW_COLUMNS + 1 or len(columns) == 6
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # on every page


def test_every_run_names_a_chinese_font(city):
    from fangkong.reports.selectors import compile_report

    document = _open(word.report_docx(compile_report(scope_of_operator(city), city.city, DAY)))
    runs = [r for t in document.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    for name in ("Normal", "Title", "Heading 1"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "宋体"
        assert fonts.get(qn("w:eastAsiaTheme")) is None


def test_the_word_report_of_an_issued_version_names_it_and_who_issued_it(city, people, login):
    check_issue_report(user=people.hq, scope=scope_of(people.hq), region=city.city, day=DAY)
    answer = login(people.hq).get(reverse("reports:export_docx"), _query(city, version="1"))
    assert answer["Content-Disposition"].endswith(f'daily-430100-{DAY}-v1.docx"')
    line = _open(answer.content).paragraphs[1].text
    assert "第 1 版" in line and "hq" in line and "未签发" not in line


def test_the_report_page_links_its_word_download(city, people, login):
    page = login(people.hq).get(reverse("reports:daily"), _query(city)).content.decode()
    assert reverse("reports:export_docx") + f"?region=430100&amp;day={DAY}" in page


def test_a_download_outside_the_scope_is_refused(city, people, login):
    answer = login(people.district).get(reverse("reports:export_docx"), {"region": "430103"})
    assert answer.status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_command_writes_word(city, tmp_path, capsys):
    out = tmp_path / "r.docx"
    call_command(
        "report", "daily", "--region", "430102", "--on", DAY.isoformat(), "-o", str(out), "--json"
    )
    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Registry",
        "Health",
        "Mass testing",
        "Supplies",
        "Help requests",
        "Beds and transfers",
        "Funds",
        "Volunteers",
        "Outstanding",
    ]  # the language in force
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith('{"format": 1')


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_the_pdf_is_the_word_report_on_a4_landscape(city, people, login, tmp_path):
    answer = login(people.hq).get(reverse("reports:export_pdf"), _query(city))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert AuditEntry.objects.get(action="export").detail["format"] == "pdf"
    if not shutil.which("pdfinfo"):
        return
    (tmp_path / "r.pdf").write_bytes(answer.content)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "r.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    if shutil.which("pdffonts"):
        fonts = subprocess.run(
            ["pdffonts", str(tmp_path / "r.pdf")], check=True, capture_output=True, text=True
        ).stdout
        assert "CJK" in fonts  # the Chinese text is set in a Chinese font


def test_without_libreoffice_there_is_no_pdf_and_no_link(city, people, login, monkeypatch):
    monkeypatch.setattr(word, "office", lambda: None)
    client = login(people.hq)
    assert client.get(reverse("reports:export_pdf"), _query(city)).status_code == 404
    page = client.get(reverse("reports:daily"), _query(city)).content.decode()
    assert reverse("reports:export_pdf") not in page


def scope_of_operator(city):
    from fangkong.accounts.scope import Cap, Scope

    return Scope(user_id=None, role="", path=city.city.path, caps=frozenset(Cap))


def test_the_command_says_to_write_word_where_no_pdf_can_be_made(city, tmp_path, monkeypatch):
    from django.core.management import CommandError

    monkeypatch.setattr(word, "office", lambda: None)
    out = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match="LibreOffice is not installed; write .docx instead"):
        call_command("report", "daily", "--region", "430102", "--on", str(DAY), "-o", str(out))
    assert not out.exists()


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_the_command_writes_pdf(city, tmp_path):
    out = tmp_path / "r.pdf"
    call_command("report", "daily", "--region", "430102", "--on", str(DAY), "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
