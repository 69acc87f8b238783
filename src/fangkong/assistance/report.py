"""Assistance's section of the daily report: requests open and overdue at the report's moment,
requests delivered that day and the share of them delivered by their due time; the overdue ones
per grid as outstanding items. Registered from ``AssistanceConfig.ready()``; a few grouped
queries over the region's requests, whatever their number."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Item,
    Section,
    SectionFigures,
    day_start,
    region_link,
    register,
    totals,
    values_by_path,
)

from .choices import Status
from .models import HelpRequest

MAX_OUTSTANDING = 50


def _open_at(until: dt.datetime) -> Q:
    return Q(raised_at__lt=until) & (Q(closed_at__isnull=True) | Q(closed_at__gte=until))


def _counts(day: dt.date, until: dt.datetime) -> dict:
    done = Q(status=Status.DELIVERED, closed_at__gte=day_start(day), closed_at__lt=until)
    return {
        "raised": Count("id", filter=Q(raised_at__gte=day_start(day), raised_at__lt=until)),
        "open": Count("id", filter=_open_at(until)),
        "overdue": Count("id", filter=_open_at(until) & Q(due_at__lt=until)),
        "done": Count("id", filter=done),
        "on_time": Count("id", filter=done & Q(closed_at__lte=F("due_at"))),
    }


def assistance_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    scope.require(Cap.HELP_VIEW)
    values = values_by_path()
    qs = scope.filter(HelpRequest.objects.filter(region_path__startswith=region.path))
    # only requests that could count: raised before the moment, not closed before the day
    qs = qs.filter(raised_at__lt=until).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=day_start(day))
    )
    counts = _counts(day, until)
    for row in qs.values("region_path").annotate(**counts).order_by():
        bucket = values[row["region_path"]]
        for key in counts:
            if row[key]:
                bucket[key] = row[key]
    total = totals(values)
    # each drill-down lists what its figure counts: the region's requests open, overdue
    link = region_link("assistance:home", Cap.HELP_VIEW, region.code)
    figures = [
        Figure("raised", _("Requests raised"), _("requests"), total.get("raised", 0)),
        Figure(
            "open",
            _("Open requests"),
            _("requests"),
            total.get("open", 0),
            note=_("waiting or under way at the report's moment"),
            link=link,
        ),
        Figure(
            "overdue",
            _("Overdue requests"),
            _("requests"),
            total.get("overdue", 0),
            note=_("open past their due time (urgent medicine: 2 hours)"),
            link=region_link("assistance:home", Cap.HELP_VIEW, region.code, view="overdue"),
        ),
        Figure("done", _("Requests done"), _("requests"), total.get("done", 0)),
        Figure(
            "on_time",
            _("Done on time"),
            _("requests"),
            total.get("on_time", 0),
            of="done",
            note=_("of the requests delivered that day, those delivered by their due time"),
        ),
    ]
    outstanding = _outstanding(values)
    return SectionFigures(figures=figures, values=dict(values), outstanding=outstanding)


def _outstanding(values: dict) -> list[Item]:
    late = sorted(
        ((path, v["overdue"]) for path, v in values.items() if v.get("overdue")),
        key=lambda pv: (-pv[1], pv[0]),
    )[:MAX_OUTSTANDING]
    if not late:
        return []
    code_of = {p: p.rstrip("/").rsplit("/", 1)[-1] for p, _n in late}
    names = dict(Region.objects.filter(code__in=code_of.values()).values_list("code", "name"))
    return [
        Item(
            "overdue_requests",
            _("Help requests overdue"),
            code_of[path],
            names.get(code_of[path], code_of[path]),
            n,
            # that grid's overdue requests
            region_link("assistance:home", Cap.HELP_VIEW, code_of[path], view="overdue"),
        )
        for path, n in late
    ]


def assistance_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days in one query (a filtered count per figure
    and day), as ``assistance_figures`` counts them."""
    scope.require(Cap.HELP_VIEW)
    if not moments:
        return []
    qs = scope.filter(HelpRequest.objects.filter(region_path__startswith=region.path))
    first = day_start(min(d for d, _u in moments))
    qs = qs.filter(raised_at__lt=max(u for _d, u in moments)).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=first)
    )
    aggregates = {}
    for i, (day, until) in enumerate(moments):
        for key, count in _counts(day, until).items():
            aggregates[f"n{i}_{key}"] = count
    out: list[dict[str, int]] = [{} for _m in moments]
    for name, n in qs.aggregate(**aggregates).items():
        i, key = name[1:].split("_", 1)
        out[int(i)][key] = n or 0
    return out


def register_section() -> None:
    register(
        Section(
            "assistance",
            gettext_lazy("Help requests"),
            40,
            assistance_figures,
            Cap.HELP_VIEW,
            Board(figures=("open", "overdue", "done"), league=("on_time", "overdue")),
            trend=assistance_totals,
        )
    )
