"""The one registration point of the daily report: each app registers its section here.

``reports`` knows no domain by name. An app describes what it counts in a ``Section`` and
registers it from its ``AppConfig.ready()`` (in a module of its own, ``<app>/report.py``); the
daily report, its exports, the API and the command line read every registered section the same
way. This module is the only part of ``reports`` an app may import, and it imports no app.

A section answers ``figures(scope, region, day, until)`` with plain values:

- ``Figure``: what it counts (``label``, ``unit``), its value, and for a share the key of the
  figure that holds its denominator (``of``) and whom that denominator holds (``note``); a
  share never passes 100 % (``SectionFigures`` refuses it).
- ``values``: the same figures per region path below the region (grids, usually), from one
  grouped query per figure; the report folds them into one row per child region.
- ``Item``: something still outstanding (overdue alerts, a grid that has not reported).

``until`` is the moment the figures describe: the end of ``day``, the hour of a progress round,
or now for today; everything counted happened before it.

A section may also answer ``trend(scope, region, moments)``: its totals alone for several whole
days in one go (a grouped query by day per figure, no values per grid), which the report uses
for the earlier days of its trend when they are whole (``Section``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode


@dataclass(frozen=True)
class Link:
    """A drill-down to the list behind a figure; shown to a viewer whose role has ``cap``
    (the list itself checks scope again)."""

    url: str
    cap: str


@dataclass(frozen=True)
class Figure:
    """One named figure of a section for the region as a whole."""

    key: str
    label: str  # what it counts, as a leader reads it
    unit: str  # 人, 户, 次 ...
    value: int
    of: str = ""  # a share: the key of the figure in the same section that is its denominator
    note: str = ""  # whom the figure (or its denominator) holds
    link: Link | None = None
    in_rows: bool = True  # also a column of the rows per child region


def region_link(url_name: str, cap: str, code: str, **query: object) -> Link:
    """A drill-down to the list ``url_name`` of the region ``code`` (the page takes
    ``?region=``, 404 outside the viewer's scope), with more of the page's filters."""
    return Link(f"{reverse(url_name)}?{urlencode({'region': code, **query})}", cap)


@dataclass(frozen=True)
class Item:
    """An outstanding item: what, where (a region code and name) and how many."""

    kind: str
    label: str
    region_code: str
    region_name: str
    count: int
    link: Link | None = None


@dataclass
class SectionFigures:
    """What a section answers for one region and day."""

    figures: list[Figure]
    values: dict[str, dict[str, int]] = field(default_factory=dict)  # region path -> key -> n
    outstanding: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        by_key = {f.key: f for f in self.figures}
        for f in self.figures:
            if f.of:
                check_share(f.key, f.value, by_key[f.of].value)
        for path, values in self.values.items():
            for f in self.figures:
                if f.of and f.key in values:
                    check_share(f"{path} {f.key}", values[f.key], values.get(f.of, 0))


def check_share(what: str, part: int, whole: int) -> None:
    if part > whole:
        raise ValueError(f"{what}: a share of {part} out of {whole} passes 100 %")


def share(part: int, whole: int) -> float | None:
    """A share as a fraction (0..1), None when the denominator is empty."""
    return None if not whole else part / whole


@dataclass(frozen=True)
class Board:
    """What the dashboard shows of a section (docs/reports.md, "The dashboard"): its key
    ``figures`` (keys, in order; each with a 14-day trend); ``tiles``, a share whose value per
    child region colours that region's tile; ``league``, the figures that rank grids by the
    day's work (the first as a share, higher is better; the others as counts, fewer is
    better); ``size``, a figure whose
    value per grid groups grids of similar size for a fair comparison."""

    figures: tuple[str, ...] = ()
    tiles: str = ""
    league: tuple[str, ...] = ()
    size: str = ""


FiguresFn = Callable[[Any, Any, dt.date, dt.datetime], SectionFigures]
Moments = list[tuple[dt.date, dt.datetime]]
TrendFn = Callable[[Any, Any, Moments], list[dict[str, int]]]


@dataclass(frozen=True)
class Section:
    """A part of the daily report: ``figures(scope, region, day, until)``; shown in ``order``,
    to roles with ``cap`` (None: every role that reads reports).

    ``trend(scope, region, moments)``, optional: the region's totals (figure key → value, the
    ``value`` of each of ``figures()``'s figures; a key left out is 0) for several whole days
    at once, ``moments`` being ``(day, until_of(day))`` pairs oldest first; the report's
    earlier days. Without it the report asks ``figures()`` once per day. It must say what
    ``figures()`` would say (each app's tests hold them equal)."""

    key: str
    title: Any  # str or a lazy translation
    order: int
    figures: FiguresFn
    cap: str | None = None
    board: Board = Board()
    trend: TrendFn | None = None


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add (or replace, by key) a section of the daily report."""
    _sections[section.key] = section
    return section


def unregister(key: str) -> None:
    _sections.pop(key, None)


def registered() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


# Helpers for the sections' own queries.


def until_of(day: dt.date, at: dt.datetime | None = None) -> dt.datetime:
    """The moment a day's figures describe: ``at`` if given, else the end of the day (the
    start of the next, local time), never later than now."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    moment = min(at, end) if at is not None else end
    return min(moment, timezone.now())


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def whole_day(day: dt.date, until: dt.datetime) -> bool:
    """Whether ``until`` is the end of ``day`` (the figures of the whole day)."""
    return until == day_start(day + dt.timedelta(days=1))


def add_rows(
    values: dict[str, dict[str, int]], key: str, rows: Iterable[Mapping[str, Any]], n: str = "n"
) -> None:
    """Add ``row[n]`` to ``values[row["region_path"]][key]`` for each grouped row."""
    for row in rows:
        bucket = values[row["region_path"]]
        bucket[key] = bucket.get(key, 0) + row[n]


def values_by_path() -> dict[str, dict[str, int]]:
    return defaultdict(dict)


def values_by_moment(
    qs, moments: Sequence[tuple[dt.date, dt.datetime]], aggregates: Callable[..., Mapping]
) -> list[dict[str, dict[str, int]]]:
    """For a section's ``trend``: ``qs`` grouped by region path, with ``aggregates(day,
    until)`` (key → a filtered aggregate) for every moment as columns of one query. Returns,
    per moment, region path → key → value, as ``values`` of ``figures()`` would hold them for
    that moment (a section then rounds per path as its figures do, and sums)."""
    columns = {}
    for i, (day, until) in enumerate(moments):
        for key, aggregate in aggregates(day, until).items():
            columns[f"m{i}_{key}"] = aggregate
    out: list[dict[str, dict[str, int]]] = [values_by_path() for _m in moments]
    if not columns:
        return out
    for row in qs.values("region_path").annotate(**columns).order_by():
        for name, n in row.items():
            if name != "region_path" and n:
                i, key = name[1:].split("_", 1)
                out[int(i)][row["region_path"]][key] = n
    return out


def totals(values: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """The figures of the whole region: the sum over its paths."""
    out: dict[str, int] = defaultdict(int)
    for row in values.values():
        for key, n in row.items():
            out[key] += n
    return dict(out)
