"""The certificate of volunteer hours (志愿服务时长证明) as a PDF, in Chinese.

fpdf2 writes the PDF and embeds the subset of Noto Sans CJK SC that the text uses (the fonts
come from fonts-noto-cjk, scripts/install-system-deps.sh); the text stays selectable and
searchable (ToUnicode map)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import Hours

# Noto Sans CJK collections hold JP, KR, SC, TC, HK in this order
_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk")
_SC = 2


class FontMissing(RuntimeError):
    pass


@cache
def font_file(weight: str = "Regular") -> str:
    for folder in _FONT_DIRS:
        path = Path(folder) / f"NotoSansCJK-{weight}.ttc"
        if path.exists():
            return str(path)
    raise FontMissing(
        "Noto Sans CJK is not installed: run scripts/install-system-deps.sh (fonts-noto-cjk)"
    )


def _day(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def certificate_pdf(hours: Hours, *, issuer: str, on: dt.date | None = None) -> bytes:
    """One A4 page: who, how many hours and shifts, between which days, by kind of post, the
    issuing community and the date."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    on = on or timezone.localdate()
    v = hours.volunteer
    pdf = FPDF(format="A4")
    pdf.set_title(_("Certificate of volunteer hours"))
    pdf.set_author(issuer)
    pdf.set_creator("Fangkong")
    # one weight: each face of the collection costs a second to read and subset
    pdf.add_font("cjk", "", font_file("Regular"), collection_font_number=_SC)
    pdf.add_page()
    pdf.set_margins(25, 30, 25)
    pdf.set_y(40)
    pdf.set_font("cjk", "", 26)
    pdf.cell(0, 16, _("Certificate of volunteer hours"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("cjk", "", 14)
    body = _(
        "%(name)s (phone ending %(tail)s) of %(area)s served as a volunteer from %(first)s "
        "to %(last)s: %(shifts)s shifts, %(hours)s hours in all."
    ) % {
        "name": v.name,
        "tail": v.phone[-4:],
        "area": v.home_area.name,
        "first": _day(hours.first_day),
        "last": _day(hours.last_day),
        "shifts": hours.shifts,
        "hours": hours.hours,
    }
    pdf.multi_cell(0, 10, body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if hours.by_kind:
        heads = FontFace(emphasis="", fill_color=(235, 235, 235))
        with pdf.table(
            col_widths=(60, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT"), headings_style=heads
        ) as table:
            head = table.row()
            for title in (_("Duty"), _("Hours"), _("Shifts")):
                head.cell(title)
            for label, minutes, n in hours.by_kind:
                row = table.row()
                row.cell(label)
                row.cell(f"{minutes / 60:.1f}")
                row.cell(str(n))
    pdf.ln(20)
    pdf.cell(0, 10, _("Thank you for your service."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.cell(0, 10, issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, _day(on), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
