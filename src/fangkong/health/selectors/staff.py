"""The staff view of a day (a region and each region below it) and the lists behind its
figures; the figures themselves are ``day_figures.day_values``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from ..choices import ObservationKind
from ..models import CheckIn, Observation
from ..rules import universal_at, universal_rules
from .access import watched_on
from .day_figures import DayFigures, _among, day_values


@dataclass
class StaffView:
    region: Region
    day: dt.date
    total: DayFigures
    children: list[tuple[Region, DayFigures]]
    counted_at: dt.datetime


def _day_figures(values: dict[str, int], due_among: str) -> DayFigures:
    return DayFigures(
        expected=values.get("due", 0),
        expected_reported=values.get("reported", 0),
        due_among=due_among,
        reported=values.get("checked_in", 0),
        check_ins=values.get("check_ins", 0),
        residents=values.get("residents", 0),
        alerts_open=values.get("alerts_open", 0),
        alerts_closed=values.get("alerts_closed", 0),
        watched={k: n for k in ObservationKind.values if (n := values.get(f"watched_{k}", 0))},
        watched_total=values.get("watched", 0),
        cases=values.get("cases_new", 0),
        contacts=values.get("contacts_new", 0),
        passages=values.get("passages", 0),
        turned_back=values.get("turned_back", 0),
    )


def staff_view(scope: Scope, region: Region, day: dt.date) -> StaffView:
    """The day's figures for a region and each region below it (``day_values``, for the whole
    day, or today as of now): who was due to report and how many of them did, check-ins,
    residents, alerts, people under watch by kind, new cases and contacts, checkpoint passages
    and turn-backs."""
    now = timezone.now()
    until = min(
        now, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    )
    by = day_values(scope, region, day, until, residents=True)
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    rules = universal_rules()
    child_figures = {
        c.path: DayFigures(due_among=_among(universal_at(rules, c.path))) for c in children
    }
    total = DayFigures(due_among=_among(universal_at(rules, region.path)))
    segments = region.depth + 2
    for path, values in by.items():
        figures = _day_figures(values, _among(universal_at(rules, path)))
        total.add(figures)
        child = child_figures.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(figures)
    return StaffView(region, day, total, [(c, child_figures[c.path]) for c in children], now)


def watched_list(
    scope: Scope, region: Region, day: dt.date, kind: str = ""
) -> QuerySet[Observation]:
    """The people behind a "under watch" figure."""
    scope.require(Cap.HEALTH_VIEW)
    qs = watched_on(scope, region, day).select_related("person")
    if kind in ObservationKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("end_on", "id")


def checked_in_list(scope: Scope, region: Region, day: dt.date) -> QuerySet[CheckIn]:
    scope.require(Cap.HEALTH_VIEW)
    return (
        scope.filter(CheckIn.objects.filter(on=day, region_path__startswith=region.path))
        .select_related("person")
        .order_by("-measured_at")[:500]
    )
