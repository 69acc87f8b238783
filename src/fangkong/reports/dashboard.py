"""The headquarters dashboard: the daily report's sections, read for today at a glance.

It reads the same compiled content as the daily report (``selectors.compile_report``, with a
14-day trend) and what each section's ``Board`` says to show (``sections.Board``): key figures
with the change from yesterday, child regions as tiles coloured by a share, the trend of each
key figure, and a league table of grids by the day's work, grids of similar size together.
It names no domain: the sections' boards choose the figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Scope
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from .sections import Section, SectionFigures, registered, share
from .selectors import compile_report, require_region

TREND_DAYS = 14
# Grids are compared within bands of the size figure (residents): a grid of 80 people and one
# of 3,000 do not have the same day.
BANDS = (0, 100, 300, 1000, 3000)
LEAGUE_SHOWN = 20  # per band: all when at most this many, else the first and last half of it


def dashboard_url(code: str) -> str:
    return reverse("reports:dashboard") + "?" + urlencode({"region": code})


def _sections(scope: Scope) -> dict[str, Section]:
    return {s.key: s for s in registered() if s.cap is None or scope.can(s.cap)}


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _figure(f: dict[str, Any], by_key: dict[str, dict], scope: Scope, section: str) -> dict:
    whole = by_key.get(f["of"]) if f["of"] else None
    link = f["link"]
    return {
        "id": f"{section}-{f['key']}",
        "key": f["key"],
        "label": f["label"],
        "unit": f["unit"],
        "note": f["note"],
        "today": f["today"],
        "yesterday": f["yesterday"],
        "change": f["change"],
        "share": _percent(share(f["today"], whole["today"])) if whole else "",
        "of_label": whole["label"] if whole else "",
        "url": link["url"] if link and scope.can(link["cap"]) else "",
        "trend": f["trend"],
    }


def _tone(value: float | None) -> str:
    if value is None:
        return "none"
    return "good" if value >= 0.95 else "fair" if value >= 0.8 else "poor"


def _tiles(section: dict[str, Any], key: str) -> list[dict[str, Any]]:
    of = next((f["of"] for f in section["figures"] if f["key"] == key), "")
    tiles = []
    for row in section["rows"]:
        part, whole = row["values"].get(key, 0), row["values"].get(of, 0)
        value = share(part, whole)
        tiles.append(
            {
                "code": row["code"],
                "name": row["name"],
                "part": part,
                "whole": whole,
                "share": _percent(value),
                "width": round(100 * value) if value is not None else 0,
                "tone": _tone(value),
                "url": dashboard_url(row["code"]),
            }
        )
    return tiles


def _band_of(size: int) -> int:
    return max(i for i, lo in enumerate(BANDS) if size >= lo)


def _band_label(i: int, label: str, unit: str) -> str:
    lo = BANDS[i]
    if i + 1 < len(BANDS):
        return _("%(label)s %(lo)d–%(hi)d %(unit)s") % {
            "label": label,
            "lo": lo,
            "hi": BANDS[i + 1] - 1,
            "unit": unit,
        }
    return _("%(label)s %(lo)d %(unit)s or more") % {"label": label, "lo": lo, "unit": unit}


def _grid_values(
    sections: dict[str, Section], answers: dict[str, SectionFigures]
) -> dict[str, dict[str, int]]:
    """Today's values per grid path, keyed ``section.key`` → n, of the sections that rank or
    size grids: their answers for today, kept by ``compile_report`` (never asked twice)."""
    values: dict[str, dict[str, int]] = {}
    for s in sections.values():
        if not (s.board.league or s.board.size) or s.key not in answers:
            continue
        for path, row in answers[s.key].values.items():
            bucket = values.setdefault(path, {})
            bucket.update({f"{s.key}.{k}": n for k, n in row.items()})
    return values


def _criteria(content: dict[str, Any], sections: dict[str, Section]) -> list[dict[str, Any]]:
    """The league's figures, in order: the first a share (higher is better), then counts
    (fewer is better)."""
    out = []
    for s in content["sections"]:
        by_key = {f["key"]: f for f in s["figures"]}
        for key in sections[s["key"]].board.league:
            f = by_key[key]
            # the first is the day's work done (a share, higher is better); the others are
            # what was left undone, as counts (fewer is better)
            of = f"{s['key']}.{f['of']}" if f["of"] and not out else ""
            out.append({"key": f"{s['key']}.{key}", "of": of, "label": f["label"]})
    return out


def _size(content: dict[str, Any], sections: dict[str, Section]) -> dict[str, str] | None:
    for s in content["sections"]:
        key = sections[s["key"]].board.size
        if key:
            f = next(f for f in s["figures"] if f["key"] == key)
            return {"key": f"{s['key']}.{key}", "label": f["label"], "unit": f["unit"]}
    return None


def _league_row(grid: Region, values: dict[str, int], criteria: list[dict]) -> dict[str, Any]:
    cells, order = [], []
    for c in criteria:
        n = values.get(c["key"], 0)
        if c["of"]:
            value = share(n, values.get(c["of"], 0))
            cells.append(_percent(value) or "–")
            order.append(-value if value is not None else 1.0)
        else:
            cells.append(str(n))
            order.append(n)
    return {"grid": grid, "cells": cells, "order": (*order, grid.code)}


def _shown(rows: list[dict]) -> list[dict | None]:
    """All rows, or the first and last of a long band with a gap (None) between."""
    if len(rows) <= LEAGUE_SHOWN:
        return list(rows)
    half = LEAGUE_SHOWN // 2
    return [*rows[:half], None, *rows[-half:]]


def league(
    scope: Scope,
    region: Region,
    content: dict[str, Any],
    sections: dict[str, Section],
    answers: dict[str, SectionFigures],
) -> dict[str, Any] | None:
    """Grids below the region ranked by the day's work, within bands of similar size, from
    the sections' ``answers`` for today (``compile_report``'s ``kept``)."""
    criteria, size = _criteria(content, sections), _size(content, sections)
    if not criteria or region.level == Level.GRID:
        return None
    values = _grid_values(sections, answers)
    grids = scope.filter(
        Region.objects.filter(path__in=list(values), level=Level.GRID), field="path"
    ).select_related("parent")
    bands: dict[int, list[dict]] = {}
    for grid in grids:
        n = values[grid.path].get(size["key"], 0) if size else 0
        row = _league_row(grid, values[grid.path], criteria)
        row["size"] = n
        bands.setdefault(_band_of(n), []).append(row)
    out = []
    for i in sorted(bands):
        rows = sorted(bands[i], key=lambda r: r["order"])
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            row["url"] = dashboard_url(row["grid"].code)
        label = _band_label(i, size["label"], size["unit"]) if size else ""
        out.append({"label": label, "count": len(rows), "rows": _shown(rows)})
    return {"criteria": criteria, "size": size, "bands": out}


def board(scope: Scope, region: Region) -> dict[str, Any]:
    """Today's dashboard of a region in the scope: key figures, tiles, trends and league."""
    require_region(scope, region)
    today = timezone.localdate()
    answers: dict[str, SectionFigures] = {}
    # yesterday and the trend as whole days (labelled so): the sections' day counters answer
    # them, where the same hour of each earlier day would be counted from the raw rows
    content = compile_report(scope, region, today, days=TREND_DAYS, whole_before=True, kept=answers)
    sections = _sections(scope)
    groups, tiles, trends = [], None, []
    for s in content["sections"]:
        chosen = sections[s["key"]].board
        by_key = {f["key"]: f for f in s["figures"]}
        keys = chosen.figures or tuple(by_key)
        figures = [_figure(by_key[k], by_key, scope, s["key"]) for k in keys if k in by_key]
        groups.append({"key": s["key"], "title": s["title"], "figures": figures})
        trends += [
            {"id": f["id"], "label": f["label"], "unit": f["unit"], "values": f["trend"]}
            for f in figures
        ]
        if chosen.tiles and tiles is None and s["rows"]:
            tiles = {
                "label": by_key[chosen.tiles]["label"],
                "of_label": by_key[by_key[chosen.tiles]["of"]]["label"]
                if by_key[chosen.tiles]["of"]
                else "",
                "tiles": _tiles(s, chosen.tiles),
            }
    days = [(today - dt.timedelta(days=b)).strftime("%m-%d") for b in range(TREND_DAYS - 1, -1, -1)]
    return {
        "content": content,
        "groups": groups,
        "tiles": tiles,
        "charts": {"days": days, "series": trends},
        "league": league(scope, region, content, sections, answers),
    }
