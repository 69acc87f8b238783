"""The daily report: compiled from the registered sections, or read as issued; all scoped.

A report is plain JSON (``content``), the same for the page, the Excel export, the API, the
command line and the frozen snapshot of an issued version:

    {"format": 1, "region": {"code", "name", "level"}, "day": "YYYY-MM-DD",
     "as_of": ISO time the figures describe, "compiled_at": ISO time,
     "sections": [{"key", "title",
                   "figures": [{"key", "label", "unit", "note", "of", "in_rows", "link",
                                "today", "yesterday", "change", "trend": [7 values]}],
                   "rows": [{"code", "name", "level", "values": {key: n}}],
                   "outstanding": [{"kind", "label", "region_code", "region_name", "count",
                                    "link"}]}]}

``of`` names the figure (same section) holding a share's denominator; ``trend`` is the last 7
days ending with the day. The previous days are taken at the same time of day as the report
(the whole day for a past day, the hour so far for today or a progress round), except on the
dashboard, which compares today so far with whole previous days (``whole_before``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict
from typing import Any

from django.http import Http404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from .models import DailyReport
from .sections import Section, SectionFigures, day_start, registered, until_of, whole_day

FORMAT = 1  # the layout of the content below; a new layout is a new number
TREND_DAYS = 7


def children_of(scope: Scope, region: Region) -> list[Region]:
    return list(scope.filter(region.children.all(), field="path").order_by("code"))


def _child_path(path: str, depth: int) -> str:
    """The path of the region one level below depth ``depth`` that holds ``path``."""
    return "/".join(path.split("/")[: depth + 2]) + "/"


def _rows(region: Region, children: list[Region], answer: SectionFigures) -> list[dict]:
    by_child: dict[str, dict[str, int]] = {c.path: {} for c in children}
    for path, values in answer.values.items():
        row = by_child.get(_child_path(path, region.depth))
        if row is None:
            continue
        for key, n in values.items():
            row[key] = row.get(key, 0) + n
    keys = [f.key for f in answer.figures if f.in_rows]
    return [
        {
            "code": c.code,
            "name": c.name,
            "level": c.level,
            "values": {k: by_child[c.path].get(k, 0) for k in keys},
        }
        for c in children
    ]


def _moments(
    day: dt.date, until: dt.datetime, days: int = TREND_DAYS, *, whole_before: bool = False
) -> list[tuple[dt.date, dt.datetime]]:
    """The trend's days, oldest first, each at the same time of day as ``until`` (or whole);
    with ``whole_before``, the days before ``day`` whole whatever the hour of ``until``."""
    whole = whole_before or until >= day_start(day + dt.timedelta(days=1))
    out = []
    for back in range(days - 1, 0, -1):
        d = day - dt.timedelta(days=back)
        out.append((d, until_of(d) if whole else until_of(d, until - dt.timedelta(days=back))))
    out.append((day, until))
    return out


def _earlier(scope: Scope, region: Region, section: Section, moments) -> list[dict[str, int]]:
    """The region's totals on each of the trend's earlier days: the section's ``trend`` for
    whole days at once where it has one, else its figures day by day."""
    if section.trend is not None and all(whole_day(d, at) for d, at in moments):
        return section.trend(scope, region, moments)
    return [
        {f.key: f.value for f in section.figures(scope, region, d, at).figures} for d, at in moments
    ]


def _section(
    scope: Scope,
    region: Region,
    children: list[Region],
    section: Section,
    moments,
    kept: dict[str, SectionFigures] | None,
) -> dict[str, Any]:
    *earlier, (day, until) = moments
    today = section.figures(scope, region, day, until)
    if kept is not None:
        kept[section.key] = today
    series = [*_earlier(scope, region, section, earlier), {f.key: f.value for f in today.figures}]
    before = series[-2]
    figures = []
    for f in today.figures:
        item = asdict(f)
        item["label"], item["unit"], item["note"] = str(f.label), str(f.unit), str(f.note)
        trend = [totals.get(f.key, 0) for totals in series]
        value = item.pop("value")
        item.update(
            today=value,
            yesterday=before.get(f.key, 0),
            change=value - before.get(f.key, 0),
            trend=trend,
        )
        figures.append(item)
    outstanding = []
    for i in today.outstanding:
        item = asdict(i)
        item["label"] = str(i.label)
        outstanding.append(item)
    return {
        "key": section.key,
        "title": str(section.title),
        "figures": figures,
        "rows": _rows(region, children, today),
        "outstanding": outstanding,
    }


def compile_report(
    scope: Scope,
    region: Region,
    day: dt.date,
    at: dt.datetime | None = None,
    days: int = TREND_DAYS,
    *,
    whole_before: bool = False,
    kept: dict[str, SectionFigures] | None = None,
) -> dict[str, Any]:
    """The report of ``region`` on ``day`` (as of ``at``, else the day's end or now), from
    every registered section the scope's role may read, with a trend of ``days`` days (the
    dashboard asks for 14). The earlier days are taken at the same hour as the day itself (a
    progress round compares like with like), or whole with ``whole_before`` (the dashboard:
    docs/reports.md, "Yesterday on the dashboard"). Each section's answer for the day itself
    is put in ``kept`` (by section key) when given: the dashboard's league ranks grids by it
    without asking again. The caller checks the scope."""
    until = until_of(day, at)
    moments = _moments(day, until, days, whole_before=whole_before)
    children = children_of(scope, region)
    sections = [s for s in registered() if s.cap is None or scope.can(s.cap)]
    return {
        "format": FORMAT,
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "day": day.isoformat(),
        "as_of": timezone.localtime(until).isoformat(timespec="seconds"),
        "compiled_at": timezone.localtime().isoformat(timespec="seconds"),
        "sections": [_section(scope, region, children, s, moments, kept) for s in sections],
    }


def require_region(scope: Scope, region: Region) -> None:
    scope.require(Cap.REPORTS_VIEW)
    if not scope.contains(region.path):
        raise Http404


def daily_report(
    scope: Scope, region: Region, day: dt.date, at: dt.datetime | None = None
) -> dict[str, Any]:
    """The live report of a region in the scope (compiled now)."""
    require_region(scope, region)
    return compile_report(scope, region, day, at)


def issued_versions(scope: Scope, region: Region, day: dt.date) -> list[DailyReport]:
    """The issued versions of a region's report of a day, the first first."""
    require_region(scope, region)
    return list(
        scope.filter(DailyReport.objects.filter(region=region, on=day))
        .select_related("issued_by")
        .order_by("version")
    )


def readable(scope: Scope, content: dict[str, Any]) -> dict[str, Any]:
    """An issued report as this reader may read it: the sections their role may read, as a
    report compiled for them would hold (an issuer may read more than a reader: street staff
    issue their communities' reports with the beds section, which community staff do not
    read; a section no longer registered is left out). The stored content is unchanged."""
    caps = {s.key: s.cap for s in registered()}
    return {
        **content,
        "sections": [
            s
            for s in content["sections"]
            if s["key"] in caps and (caps[s["key"]] is None or scope.can(caps[s["key"]]))
        ],
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the content in one canonical form (sorted keys, no spaces)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def figures_hash(content: dict[str, Any]) -> str:
    """The hash of what a report says, whenever it was compiled (two issues that say the same
    thing have the same figures hash)."""
    return content_hash({"sections": content["sections"]})


def intact(report: DailyReport) -> bool:
    """The stored content still has the hash it was issued with."""
    return content_hash(report.content) == report.content_hash


def public(content: dict[str, Any]) -> dict[str, Any]:
    """The report without drill-down links: aggregate figures only, for the API and files."""
    out = {k: v for k, v in content.items() if k != "sections"}
    out["sections"] = [
        {
            **s,
            "figures": [{k: v for k, v in f.items() if k != "link"} for f in s["figures"]],
            "outstanding": [{k: v for k, v in i.items() if k != "link"} for i in s["outstanding"]],
        }
        for s in content["sections"]
    ]
    return out


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from ``old`` to ``new``, figure by figure: the region's figures, then the
    cells of the rows per child region; each with the section, what, before and after."""
    found = []
    before = {s["key"]: s for s in old["sections"]}
    for section in new["sections"]:
        was = before.get(section["key"], {"figures": [], "rows": []})
        old_figures = {f["key"]: f["today"] for f in was["figures"]}
        labels = {f["key"]: f["label"] for f in section["figures"]}
        for f in section["figures"]:
            if old_figures.get(f["key"]) != f["today"]:
                found.append(
                    {
                        "section": section["title"],
                        "region": "",
                        "figure": f["label"],
                        "before": old_figures.get(f["key"]),
                        "after": f["today"],
                    }
                )
        old_rows = {r["code"]: r["values"] for r in was["rows"]}
        for row in section["rows"]:
            for key, n in row["values"].items():
                prior = old_rows.get(row["code"], {}).get(key)
                if prior != n:
                    found.append(
                        {
                            "section": section["title"],
                            "region": row["name"],
                            "figure": labels.get(key, key),
                            "before": prior,
                            "after": n,
                        }
                    )
    return found
