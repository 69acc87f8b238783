"""A province's roll-up of its cities' daily reports, from their JSON alone (no database).

Each file is a report as ``GET /api/v1/reports/daily`` or ``fangkong report daily -o x.json``
writes it (``selectors.public``). The roll-up refuses a file that is not such a report, that
holds anything beyond aggregate figures (a drill-down link, a key the report does not have),
that is of another day, whose sections or figures differ from the first file's, or that is the
report of a region already read. It then adds the figures up (today, yesterday, change, the
7-day trend), makes each city a row (its own figures), keeps the outstanding items under the
city's name, and computes every share from the summed numerator and denominator (never an
average of the cities' shares). The result has the report's layout, so the Excel and Word
writers print it as they print a city's report.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.utils import timezone

from .selectors import FORMAT

TOP = {"format", "region", "day", "as_of", "compiled_at", "sections", "version", "issued_at"}
TOP_ROLLUP = {"cities"}
REGION = {"code", "name", "level"}
SECTION = {"key", "title", "figures", "rows", "outstanding"}
FIGURE = {"key", "label", "unit", "note", "of", "in_rows", "today", "yesterday", "change", "trend"}
FIGURE_ROLLUP = {"share"}
ROW = {"code", "name", "level", "values"}
ITEM = {"kind", "label", "region_code", "region_name", "count"}
CITY = {"code", "name", "as_of", "version"}
SUMMED = ("today", "yesterday", "change")


class RollupRefused(ValueError):
    """Why the files cannot be added up: which file, what differs."""


def _keys(where: str, item: Any, allowed: set[str], required: set[str]) -> None:
    if not isinstance(item, dict):
        raise RollupRefused(f"{where}: not an object")
    extra = set(item) - allowed
    if extra:
        raise RollupRefused(
            f"{where}: holds {', '.join(sorted(extra))}, which a report does not carry "
            "(only aggregate figures may leave a city: no names, ids or links)"
        )
    missing = required - set(item)
    if missing:
        raise RollupRefused(f"{where}: lacks {', '.join(sorted(missing))}")


def _number(where: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RollupRefused(f"{where}: {value!r} is not a whole number")


def _check_section(name: str, s: dict[str, Any]) -> None:
    _keys(name, s, SECTION, SECTION)
    for j, f in enumerate(s["figures"]):
        where = f"{name}.figures[{j}]"
        _keys(where, f, FIGURE | FIGURE_ROLLUP, FIGURE)
        for field in SUMMED:
            _number(f"{where}.{field}", f[field])
        for n in f["trend"]:
            _number(f"{where}.trend", n)
    for j, row in enumerate(s["rows"]):
        _keys(f"{name}.rows[{j}]", row, ROW, ROW)
        for n in row["values"].values():
            _number(f"{name}.rows[{j}].values", n)
    for j, item in enumerate(s["outstanding"]):
        _keys(f"{name}.outstanding[{j}]", item, ITEM, ITEM)
        _number(f"{name}.outstanding[{j}].count", item["count"])


def check_report(name: str, report: Any) -> None:
    """Refuse anything but a report's aggregate figures (the layout of selectors.py)."""
    _keys(name, report, TOP | TOP_ROLLUP, {"format", "region", "day", "as_of", "sections"})
    if report["format"] != FORMAT:
        raise RollupRefused(f"{name}: report format {report['format']}, this one reads {FORMAT}")
    _keys(f"{name}: region", report["region"], REGION, REGION)
    for c, city in enumerate(report.get("cities", [])):
        _keys(f"{name}: cities[{c}]", city, CITY, CITY)
    for i, s in enumerate(report["sections"]):
        _check_section(f"{name}: sections[{i}]", s)


def load(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    reports = []
    for path in paths:
        try:
            report = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RollupRefused(f"{path}: not a report's JSON ({e})") from None
        check_report(str(path), report)
        reports.append((str(path), report))
    return reports


def _shape(report: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    return [
        (s["key"], [(f["key"], f["of"], f["in_rows"]) for f in s["figures"]])
        for s in report["sections"]
    ]


def check_compatible(reports: list[tuple[str, dict[str, Any]]]) -> None:
    """One day, the same sections with the same figures, each region once."""
    if not reports:
        raise RollupRefused("no report to add up")
    first_name, first = reports[0]
    seen = {first["region"]["code"]: first_name}
    for name, report in reports[1:]:
        if report["day"] != first["day"]:
            raise RollupRefused(
                f"{name}: the report of {report['day']}, {first_name} of {first['day']}"
            )
        code = report["region"]["code"]
        if code in seen:
            raise RollupRefused(f"{name}: region {code} again (already in {seen[code]})")
        seen[code] = name
        ours, theirs = dict(_shape(first)), dict(_shape(report))
        if list(ours) != list(theirs):
            raise RollupRefused(
                f"{name}: sections {', '.join(theirs)}, {first_name} has {', '.join(ours)}"
            )
        for key, figures in ours.items():
            if theirs[key] != figures:
                differ = sorted({f[0] for f in set(figures) ^ set(theirs[key])})
                raise RollupRefused(
                    f"{name}: section {key} differs from {first_name} in figures "
                    f"{', '.join(differ) or '(their order)'}"
                )


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 6)


def _sum_section(sections: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """One section summed over the cities: ``sections`` pairs each city's region with it."""
    first = sections[0][1]
    figures = []
    for j, f in enumerate(first["figures"]):
        each = [s["figures"][j] for _, s in sections]
        summed = {**f, **{k: sum(g[k] for g in each) for k in SUMMED}}
        summed["trend"] = [sum(ns) for ns in zip(*(g["trend"] for g in each), strict=True)]
        figures.append(summed)
    by_key = {f["key"]: f for f in figures}
    for f in figures:
        f.pop("share", None)
        if f["of"]:
            f["share"] = _share(f["today"], by_key[f["of"]]["today"])
    keys = [f["key"] for f in first["figures"] if f["in_rows"]]
    rows = []
    outstanding = []
    for region, s in sections:
        values = {g["key"]: g["today"] for g in s["figures"]}
        rows.append({**region, "values": {k: values[k] for k in keys}})
        for item in s["outstanding"]:
            place = f"{region['name']} {item['region_name']}"
            outstanding.append({**item, "region_name": place})
    return {**first, "figures": figures, "rows": rows, "outstanding": outstanding}


def rollup(reports: list[tuple[str, dict[str, Any]]], name: str, code: str = "") -> dict[str, Any]:
    """The reports added up as one report of the region ``name`` (a province), each city a
    row. Checks every file first (``RollupRefused`` says which and why)."""
    for file, report in reports:
        check_report(file, report)
    check_compatible(reports)
    contents = [r for _, r in reports]
    cities = [
        {
            "code": r["region"]["code"],
            "name": r["region"]["name"],
            "as_of": r["as_of"],
            "version": r.get("version"),
        }
        for r in contents
    ]
    regions = [dict(r["region"]) for r in contents]
    sections = [
        _sum_section(list(zip(regions, [r["sections"][i] for r in contents], strict=True)))
        for i in range(len(contents[0]["sections"]))
    ]
    return {
        "format": FORMAT,
        "region": {"code": code, "name": name, "level": "rollup"},
        "day": contents[0]["day"],
        "as_of": min((r["as_of"] for r in contents), key=dt.datetime.fromisoformat),
        "compiled_at": timezone.localtime().isoformat(timespec="seconds"),
        "cities": cities,
        "sections": sections,
    }
