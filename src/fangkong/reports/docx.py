"""The daily report as a Word document (.docx) a leader prints, and as PDF through LibreOffice.

Written with python-docx from the same content as the page and the Excel export: the title
《…防控工作日报》, a line with the day, the moment of the figures, the version and who issued it
(or that it is not issued); per section a heading, its figures as a table (today, yesterday,
change, share, what each counts) and the rows per child region as tables of at most
``ROW_COLUMNS`` figures each (the region's name repeated), so no column is ever cut off; the
outstanding items at the end. A4 landscape, fixed column widths that add up to the width
between the margins, table headers repeated on every page. Every run names an East Asian font
(宋体, which WPS and Word have; LibreOffice substitutes its CJK serif), so Chinese never falls
back to a Latin font.

PDF is LibreOffice's conversion of that document (``soffice --headless --convert-to pdf``):
optional on a server, offered only where LibreOffice is installed (``pdf_available``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .export import as_of, percent

EAST_ASIAN_FONT = "宋体"  # SimSun; LibreOffice maps it to the installed CJK serif
LATIN_FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Cm(29.7), Cm(21.0)  # A4 landscape
MARGIN = Cm(1.8)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
ROW_COLUMNS = 7  # figures per table of rows per child region (plus the region's name)
FIGURE_WIDTHS = (6.0, 2.2, 2.2, 2.0, 2.0)  # cm: figure, today, yesterday, change, share
REGION_WIDTH = Cm(4.5)
PDF_TIMEOUT = 120  # seconds for LibreOffice to convert a report


def _fonts(element: Any, size: float | None = None, bold: bool | None = None) -> None:
    """Name the Latin and East Asian fonts of a run or style (and drop theme fonts)."""
    props = element.get_or_add_rPr()
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr, name in (
        ("w:ascii", LATIN_FONT),
        ("w:hAnsi", LATIN_FONT),
        ("w:eastAsia", EAST_ASIAN_FONT),
        ("w:cs", LATIN_FONT),
    ):
        fonts.set(qn(attr), name)
    lang = props.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        props.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(document: Any) -> None:
    for name, size in (("Normal", 10.5), ("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element)
        if name != "Normal":
            style.font.bold = True
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _text(cell: Any, text: object, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(str(text))
    run.bold = bold
    run.font.size = Pt(9)
    _fonts(run._element)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(
    document: Any,
    widths: list[Any],
    header: list[str],
    rows: list[list[object]],
    numeric: range = range(0),
) -> Any:
    """A table of fixed column widths with ``header`` repeated on every page; the columns
    ``numeric`` right-aligned."""
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    heading = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading._tr.get_or_add_trPr().append(repeat)
    for i, (cell, text) in enumerate(zip(heading.cells, header, strict=True)):
        _text(cell, text, bold=True, right=i in numeric)
    for values in rows:
        cells = table.add_row().cells
        for i, value in enumerate(values):
            _text(cells[i], value, right=i in numeric)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def _note(figure: dict[str, Any], whole: dict[str, Any] | None) -> str:
    if whole and figure["note"]:
        return _("of %(what)s; %(note)s") % {"what": whole["label"], "note": figure["note"]}
    if whole:
        return _("of %(what)s") % {"what": whole["label"]}
    return figure["note"]


def _figures(document: Any, section: dict[str, Any]) -> None:
    by_key = {f["key"]: f for f in section["figures"]}
    widths = [Cm(w) for w in FIGURE_WIDTHS]
    widths.append(TEXT_WIDTH - sum(widths, Cm(0)))
    rows: list[list[object]] = []
    for f in section["figures"]:
        whole = by_key.get(f["of"]) if f["of"] else None
        rows.append(
            [
                _("%(label)s (%(unit)s)") % {"label": f["label"], "unit": f["unit"]},
                f["today"],
                f["yesterday"],
                f"{f['change']:+d}" if f["change"] else 0,
                percent(f["today"], whole["today"]) if whole else "",
                _note(f, whole),
            ]
        )
    header = [_("Figure"), _("Today"), _("Yesterday"), _("Change"), _("Share"), _("What it counts")]
    _table(document, widths, header, rows, range(1, 5))


def _cell(row: dict[str, Any], figure: dict[str, Any]) -> object:
    n = row["values"].get(figure["key"], 0)
    if not figure["of"]:
        return n
    shown = percent(n, row["values"].get(figure["of"], 0))
    return f"{n} ({shown})" if shown else n


def _rows(document: Any, section: dict[str, Any]) -> None:
    figures = [f for f in section["figures"] if f["in_rows"]]
    for start in range(0, len(figures), ROW_COLUMNS):
        part = figures[start : start + ROW_COLUMNS]
        width = (TEXT_WIDTH - REGION_WIDTH) // ROW_COLUMNS  # the same in every part
        widths = [REGION_WIDTH, *[width] * len(part)]
        header = [_("Region below"), *[f["label"] for f in part]]
        rows = [[row["name"], *[_cell(row, f) for f in part]] for row in section["rows"]]
        _table(document, widths, header, rows, range(1, len(widths)))
        document.add_paragraph()


def _outstanding(document: Any, content: dict[str, Any]) -> None:
    items = [(s["title"], i) for s in content["sections"] for i in s["outstanding"]]
    document.add_heading(_("Outstanding"), level=1)
    if not items:
        document.add_paragraph(_("Nothing is outstanding."))
        return
    widths = [Cm(4), Cm(7)]
    widths.append(TEXT_WIDTH - sum(widths, Cm(0)))
    rows: list[list[object]] = [[title, i["region_name"], i["label"]] for title, i in items]
    _table(document, widths, [_("Section"), _("Region"), _("What")], rows)


def _issued_line(content: dict[str, Any], issued: dict[str, Any] | None) -> str:
    line = _("%(region)s · %(day)s · %(at)s") % {
        "region": content["region"]["name"],
        "day": content["day"],
        "at": as_of(content),
    }
    if issued:
        return (
            line
            + " · "
            + _("version %(v)s, issued by %(by)s at %(when)s")
            % {
                "v": issued["version"],
                "by": issued["issued_by"],
                "when": issued["issued_at"],
            }
        )
    return (
        line
        + " · "
        + _("not issued (live), compiled %(when)s")
        % {"when": content["compiled_at"][:16].replace("T", " ")}
    )


def report_docx(content: dict[str, Any], issued: dict[str, Any] | None = None) -> bytes:
    """The report as .docx bytes; ``issued``: version, issued_by, issued_at of a frozen one."""
    document = Document()
    _styles(document)
    _page(document)
    title = _("%(region)s epidemic control daily report") % {"region": content["region"]["name"]}
    document.core_properties.title = title
    document.core_properties.author = "Fangkong"
    document.add_heading(title, level=0)
    line = document.add_paragraph(_issued_line(content, issued))
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in content["sections"]:
        document.add_heading(section["title"], level=1)
        _figures(document, section)
        if section["rows"]:
            document.add_heading(_("By region below"), level=2)
            _rows(document, section)
    _outstanding(document, content)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def office() -> str | None:
    """LibreOffice's command on this machine, if it has one with Writer (Debian's
    ``libreoffice-writer``: LibreOffice with Calc alone cannot read a .docx)."""
    command = shutil.which("soffice") or shutil.which("libreoffice")
    if command is None:
        return None
    program = Path(command).resolve().parent
    if shutil.which("lowriter") or any(program.glob("libswlo.*")):
        return command
    return None


def pdf_available() -> bool:
    return office() is not None


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed here, or failed to convert."""


def docx_to_pdf(data: bytes) -> bytes:
    """Convert a .docx to PDF with LibreOffice (headless, its own profile in a temporary
    directory, so concurrent conversions do not share one)."""
    command = office()
    if command is None:
        raise PdfUnavailable("LibreOffice is not installed")
    with tempfile.TemporaryDirectory(prefix="fk-report-") as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(data)
        try:
            subprocess.run(
                [command, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT,
                env={"HOME": folder, "PATH": "/usr/local/bin:/usr/bin:/bin"},
            )
        except (subprocess.SubprocessError, OSError) as e:
            raise PdfUnavailable(f"LibreOffice could not convert the report: {e}") from e
        target = Path(folder) / "report.pdf"
        if not target.exists():
            raise PdfUnavailable("LibreOffice wrote no PDF")
        return target.read_bytes()


def report_pdf(content: dict[str, Any], issued: dict[str, Any] | None = None) -> bytes:
    return docx_to_pdf(report_docx(content, issued))
