"""Health monitoring's section of the daily report. Registered from ``HealthConfig.ready()``.

The figures per grid path come from ``selectors.day_values``, the same count as the staff
view's: check-ins from the grids' daily counters (``GridDay``; the raw rows only for a round at
an earlier hour of a day), residents from the registry's per-grid counts, and the few rows of
alerts, observations, cases and passages grouped by path. The report folds them into child
regions. Where each figure comes from: docs/health.md.

Who is *due* to report: every person under observation that day, or every registered resident
where the region's rule says everyone reports (``universal_reporting``). *Reported* counts only
those due who checked in, so the share never passes 100 %; anyone else who checked in is in
"checked in (anyone)".
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.choices import Level
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Item,
    Link,
    Section,
    SectionFigures,
    register,
    totals,
)

from .choices import ObservationKind
from .selectors import day_totals, day_values

# The grids listed as not (fully) reported, the most missing first; the rest are counted.
MAX_OUTSTANDING = 50


def health_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    """The day's health figures per region path: the staff view's own count (``day_values``)."""
    return day_values(scope, region, day, until)


def _link(name: str, region: Region, query: str = "") -> Link:
    return Link(f"{reverse(name)}?region={region.code}{query}", Cap.HEALTH_VIEW)


def _missing_link(region: Region, day: dt.date) -> Link:
    """Who is behind "not reported": a grid's call list today (to phone them), else the list
    of the people due that day who did not report, for any region and day."""
    if region.level == Level.GRID and day == timezone.localdate():
        return Link(reverse("health:missing", args=[region.code]), Cap.HEALTH_VIEW)
    return _link("health:people", region, f"&what=not_reported&day={day}")


def _figures(region: Region, day: dt.date, total: dict[str, int]) -> list[Figure]:
    def f(key, label, unit, **kw):
        return Figure(key, label, unit, total.get(key, 0), **kw)

    people, times = _("people"), _("times")
    on_day = f"&day={day}"
    checked_in = _link("health:people", region, f"&what=checked_in{on_day}")
    alerts = _link("health:alerts", region)
    watched = _link("health:people", region, on_day)
    due_note = _("everyone under observation that day; every resident where all residents report")
    figures = [
        f("due", _("Due to report"), people, note=due_note, link=watched),
        f(
            "reported",
            _("Reported, of those due"),
            people,
            of="due",
            note=due_note,
            link=checked_in,
        ),
        f(
            "not_reported",
            _("Not reported"),
            people,
            note=due_note,
            link=_missing_link(region, day),
        ),
        f(
            "checked_in",
            _("Checked in (anyone)"),
            people,
            note=_("everyone who checked in, due or not"),
            link=checked_in,
            in_rows=False,
        ),
        f("alerts_opened", _("Fever alerts opened"), times, link=alerts, in_rows=False),
        f("alerts_closed", _("Fever alerts closed"), times, link=alerts, in_rows=False),
        f(
            "alerts_open",
            _("Alerts still open"),
            times,
            note=_("at the report's time"),
            link=alerts,
        ),
        f(
            "alerts_overdue",
            _("Fever alerts overdue"),
            times,
            of="alerts_open",
            note=_("open alerts past their deadline"),
            link=alerts,
        ),
        f("watched", _("Under observation"), people, link=watched),
    ]
    for kind in ObservationKind:
        figures.append(
            f(
                f"watched_{kind.value}",
                str(kind.label),
                people,
                link=_link("health:people", region, f"{on_day}&kind={kind.value}"),
                in_rows=False,
            )
        )
    cases = _link("health:cases", region)
    checkpoints = _link("health:checkpoints", region)
    figures += [
        f("cases_new", _("New cases"), people, note=_("reported that day"), link=cases),
        f("contacts_new", _("New contacts"), people, note=_("traced that day"), link=cases),
        f("passages", _("Checkpoint passages"), times, link=checkpoints),
        f("turned_back", _("Turned back"), times, of="passages", link=checkpoints),
    ]
    return figures


def _outstanding(values: dict[str, dict[str, int]], day: dt.date) -> list:
    overdue = [(p, v["alerts_overdue"]) for p, v in values.items() if v.get("alerts_overdue")]
    missing = [(p, v) for p, v in values.items() if v.get("not_reported")]
    missing.sort(key=lambda pv: (-pv[1]["not_reported"], pv[0]))
    missing = missing[:MAX_OUTSTANDING]
    places = {r.path: r for r in Region.objects.filter(path__in=[p for p, _n in overdue + missing])}
    items = []
    for path, n in sorted(overdue, key=lambda pn: (-pn[1], pn[0])):
        if (r := places.get(path)) is not None:
            items.append(
                Item(
                    "alerts_overdue",
                    _("%(n)d fever alerts past their deadline") % {"n": n},
                    r.code,
                    r.name,
                    n,
                    _link("health:alerts", r),
                )
            )
    for path, v in missing:
        if (r := places.get(path)) is not None:
            items.append(
                Item(
                    "not_reported",
                    _("%(n)d of %(due)d due have not reported")
                    % {"n": v["not_reported"], "due": v["due"]},
                    r.code,
                    r.name,
                    v["not_reported"],
                    _missing_link(r, day),
                )
            )
    return items


def health_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    values = health_values(scope, region, day, until)
    return SectionFigures(
        figures=_figures(region, day, totals(values)),
        values=values,
        outstanding=_outstanding(values, day),
    )


def health_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days (the report's earlier trend days)."""
    return day_totals(scope, region, moments)


def register_section() -> None:
    board = Board(
        figures=(
            "due",
            "reported",
            "not_reported",
            "alerts_opened",
            "alerts_overdue",
            "watched",
            "cases_new",
            "contacts_new",
            "turned_back",
        ),
        tiles="reported",
        league=("reported", "alerts_overdue"),
    )
    register(
        Section(
            "health",
            gettext_lazy("Health"),
            20,
            health_figures,
            Cap.HEALTH_VIEW,
            board,
            trend=health_totals,
        )
    )
