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

from .selectors import FORMAT, TREND_DAYS

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


MAX_COUNT = 10**15  # more than any figure a report holds (yuan, people, times)


def _number(where: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RollupRefused(f"{where}: {value!r} is not a whole number")


def _count(where: str, value: Any) -> None:
    """A figure a report counts: a whole number, never negative (only a change may be)."""
    _number(where, value)
    if not 0 <= value <= MAX_COUNT:
        raise RollupRefused(f"{where}: {value} is not a count a report holds")


def _text(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise RollupRefused(f"{where}: {type(value).__name__} where a report has text")


def _list(where: str, value: Any) -> list:
    if not isinstance(value, list):
        raise RollupRefused(f"{where}: not a list")
    return value


def _moment(where: str, value: Any, kind: type) -> None:
    _text(where, value)
    try:
        parsed = kind.fromisoformat(value)
    except ValueError:
        raise RollupRefused(f"{where}: {value!r} is not a {kind.__name__}") from None
    if kind is dt.datetime and parsed.tzinfo is None:
        raise RollupRefused(f"{where}: {value!r} names no time zone")


def _check_figure(where: str, f: Any) -> None:
    _keys(where, f, FIGURE | FIGURE_ROLLUP, FIGURE)
    for field in ("key", "label", "unit", "note", "of"):
        _text(f"{where}.{field}", f[field])
    if not isinstance(f["in_rows"], bool):
        raise RollupRefused(f"{where}.in_rows: not true or false")
    _count(f"{where}.today", f["today"])
    _count(f"{where}.yesterday", f["yesterday"])
    _number(f"{where}.change", f["change"])
    trend = _list(f"{where}.trend", f["trend"])
    for n in trend:
        _count(f"{where}.trend", n)
    # what a report compiles: the trend ends with yesterday and today, the change between them
    if len(trend) != TREND_DAYS or trend[-2:] != [f["yesterday"], f["today"]]:
        raise RollupRefused(f"{where}.trend: not {TREND_DAYS} days ending with yesterday, today")
    if f["change"] != f["today"] - f["yesterday"]:
        raise RollupRefused(f"{where}.change: {f['change']} is not today less yesterday")
    share = f.get("share")
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)):
        raise RollupRefused(f"{where}.share: not a number")


def _within(where: str, part: int, whole: int) -> None:
    """A share's count never passes its denominator (``sections.SectionFigures``)."""
    if part > whole:
        raise RollupRefused(f"{where}: {part} out of {whole} passes 100 %")


def _check_rows(name: str, s: dict[str, Any], figures: dict[str, dict[str, Any]]) -> None:
    columns = {k for k, f in figures.items() if f["in_rows"]}
    for j, row in enumerate(_list(f"{name}.rows", s["rows"])):
        where = f"{name}.rows[{j}]"
        _keys(where, row, ROW, ROW)
        for field in ("code", "name", "level"):
            _text(f"{where}.{field}", row[field])
        values = row["values"]
        if not isinstance(values, dict) or set(values) != columns:
            raise RollupRefused(f"{where}.values: not the section's columns {sorted(columns)}")
        for key, n in values.items():
            _count(f"{where}.values.{key}", n)
        for key in columns:
            of = figures[key]["of"]
            if of in values:
                _within(f"{where}.values.{key}", values[key], values[of])


def _check_section(name: str, s: dict[str, Any]) -> None:
    _keys(name, s, SECTION, SECTION)
    _text(f"{name}.key", s["key"])
    _text(f"{name}.title", s["title"])
    figures: dict[str, dict[str, Any]] = {}
    for j, f in enumerate(_list(f"{name}.figures", s["figures"])):
        where = f"{name}.figures[{j}]"
        _check_figure(where, f)
        if f["key"] in figures:
            raise RollupRefused(f"{where}: figure {f['key']} again")
        figures[f["key"]] = f
    for key, f in figures.items():
        if f["of"]:
            if f["of"] not in figures or f["of"] == key:
                raise RollupRefused(f"{name}: figure {key} is a share of no figure ({f['of']})")
            _within(f"{name}: figure {key}", f["today"], figures[f["of"]]["today"])
    _check_rows(name, s, figures)
    for j, item in enumerate(_list(f"{name}.outstanding", s["outstanding"])):
        where = f"{name}.outstanding[{j}]"
        _keys(where, item, ITEM, ITEM)
        for field in ("kind", "label", "region_code", "region_name"):
            _text(f"{where}.{field}", item[field])
        _count(f"{where}.count", item["count"])


def _check_cities(name: str, report: dict[str, Any]) -> None:
    for c, city in enumerate(_list(f"{name}: cities", report.get("cities", []))):
        where = f"{name}: cities[{c}]"
        _keys(where, city, CITY, CITY)
        for field in ("code", "name"):
            _text(f"{where}.{field}", city[field])
        _moment(f"{where}.as_of", city["as_of"], dt.datetime)
        if city["version"] is not None:
            _number(f"{where}.version", city["version"])


def check_report(name: str, report: Any) -> None:
    """Refuse anything but a report's aggregate figures (the layout of selectors.py), every
    value of its type: text where the report has text, counts never negative and adding up
    (the change is today less yesterday, a share's count within its denominator)."""
    _keys(name, report, TOP | TOP_ROLLUP, {"format", "region", "day", "as_of", "sections"})
    if type(report["format"]) is not int or report["format"] != FORMAT:
        raise RollupRefused(f"{name}: report format {report['format']!r}, this one reads {FORMAT}")
    _keys(f"{name}: region", report["region"], REGION, REGION)
    for field in REGION:
        _text(f"{name}: region.{field}", report["region"][field])
    _moment(f"{name}: day", report["day"], dt.date)
    _moment(f"{name}: as_of", report["as_of"], dt.datetime)
    _check_cities(name, report)
    keys = set()
    for i, s in enumerate(_list(f"{name}: sections", report["sections"])):
        _check_section(f"{name}: sections[{i}]", s)
        if s["key"] in keys:
            raise RollupRefused(f"{name}: sections[{i}]: section {s['key']} again")
        keys.add(s["key"])


def _cities_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The cities a file holds: a roll-up its own, a city itself."""
    if "cities" in report:
        return report["cities"]
    region = report["region"]
    return [
        {
            "code": region["code"],
            "name": region["name"],
            "as_of": report["as_of"],
            "version": report.get("version"),
        }
    ]


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
    seen: dict[str, str] = {}
    for name, report in reports:
        if report["day"] != first["day"]:
            raise RollupRefused(
                f"{name}: the report of {report['day']}, {first_name} of {first['day']}"
            )
        # each region once, also inside a roll-up (a city given alone and in a roll-up again)
        codes = {report["region"]["code"]} | {c["code"] for c in _cities_of(report)}
        for code in sorted(codes - {""}):  # a roll-up made without --code has none
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
    cities = [city for r in contents for city in _cities_of(r)]
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
