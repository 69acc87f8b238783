"""The daily report as a leader prints it: an .xlsx with one sheet per section, A4 across,
every column on the page (through the project's one writer, common.spreadsheets)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from fangkong.common.spreadsheets import Cell, Sheet, write_book

LABEL_WIDTH = 26
NUMBER_WIDTH = 12
CHANGE = "+0;-0;0"
PERCENT = "0.0%"


def percent(part: int, whole: int) -> str:
    return "" if not whole else f"{100 * part / whole:.1f}%"


def _share(part: int, whole: int) -> object:
    return "" if not whole else Cell(part / whole, PERCENT)


def as_of(content: dict[str, Any]) -> str:
    """The moment the figures describe: an hour, or the whole day when they run to its end."""
    if content["as_of"][:10] != content["day"]:
        return _("figures of the whole day")
    return _("figures as of %(at)s") % {"at": content["as_of"][11:16]}


def headline(content: dict[str, Any], issued: dict[str, Any] | None) -> str:
    """Day, time of the figures and version: the second line of every sheet."""
    at = as_of(content)
    if issued:
        return _("%(day)s, %(at)s · version %(v)s, issued by %(by)s at %(when)s") % {
            "day": content["day"],
            "at": at,
            "v": issued["version"],
            "by": issued["issued_by"],
            "when": issued["issued_at"],
        }
    return _("%(day)s, %(at)s · not issued (compiled %(when)s)") % {
        "day": content["day"],
        "at": at,
        "when": content["compiled_at"][:16].replace("T", " "),
    }


def _figure_rows(section: dict[str, Any]) -> list[list[object]]:
    by_key = {f["key"]: f for f in section["figures"]}
    numbers = [_("Today"), _("Yesterday"), _("Change"), _("Share")]
    rows: list[list[object]] = [
        [
            Cell(_("Figure"), bold=True),
            *[Cell(h, bold=True, align="right") for h in numbers],
            Cell(_("What it counts"), bold=True),
        ]
    ]
    for f in section["figures"]:
        whole = by_key[f["of"]] if f["of"] else None
        shown = _share(f["today"], whole["today"]) if whole else ""
        note = f["note"]
        if whole and note:
            note = _("of %(what)s; %(note)s") % {"what": whole["label"], "note": note}
        elif whole:
            note = _("of %(what)s") % {"what": whole["label"]}
        rows.append(
            [
                _("%(label)s (%(unit)s)") % {"label": f["label"], "unit": f["unit"]},
                f["today"],
                f["yesterday"],
                Cell(f["change"], CHANGE),
                shown,
                note,
            ]
        )
    return rows


def _child_rows(section: dict[str, Any]) -> list[list[object]]:
    figures = [f for f in section["figures"] if f["in_rows"]]
    by_key = {f["key"]: f for f in section["figures"]}
    header: list[object] = [Cell(_("Region below"), bold=True)]
    for f in figures:
        header.append(Cell(f["label"], bold=True, align="right", wrap=True))
        if f["of"]:
            header.append(Cell(f"{f['label']} %", bold=True, align="right", wrap=True))
    rows = [header]
    for row in section["rows"]:
        cells: list[object] = [row["name"]]
        for f in figures:
            cells.append(row["values"].get(f["key"], 0))
            if f["of"]:
                whole = row["values"].get(by_key[f["of"]]["key"], 0)
                cells.append(_share(row["values"].get(f["key"], 0), whole))
        rows.append(cells)
    return rows


def section_sheet(
    content: dict[str, Any], section: dict[str, Any], issued: dict[str, Any] | None
) -> Sheet:
    region = content["region"]
    title = _("%(region)s daily report · %(section)s") % {
        "region": region["name"],
        "section": section["title"],
    }
    rows: list[list[object]] = [[title], [headline(content, issued)], []]
    rows += _figure_rows(section)
    if section["rows"]:
        rows.append([])
        rows += _child_rows(section)
    if section["outstanding"]:
        rows.append([])
        rows.append([Cell(_("Outstanding"), bold=True), Cell(_("What"), bold=True)])
        rows += [[i["region_name"], i["label"]] for i in section["outstanding"]]
    columns = max(len(r) for r in rows)
    return Sheet(
        name=section["title"],
        rows=rows,
        widths=[LABEL_WIDTH, *[NUMBER_WIDTH] * (columns - 1)],
        bold={0},
        landscape=True,
        fit_width=True,
        repeat_rows=2,
    )


def report_xlsx(content: dict[str, Any], issued: dict[str, Any] | None = None) -> bytes:
    """The report as .xlsx bytes; ``issued``: version, issued_by, issued_at of a frozen one."""
    buffer = io.BytesIO()
    write_book(buffer, [section_sheet(content, s, issued) for s in content["sections"]])
    return buffer.getvalue()
