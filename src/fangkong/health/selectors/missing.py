"""Who is due to report and who has not: the grid worker's call list of today, and the people
behind any region's "not reported" figure of any day (the daily report's drill-down)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..models import CheckIn
from ..rules import everyone_reports, set_where, universal_at, universal_rules
from .access import watched_on


def missing_today(scope: Scope, grid: Region, day: dt.date | None = None) -> list[Person]:
    """Who has not checked in on ``day``: everyone under watch, or every resident of the grid
    when the region has universal reporting; a call list, by building and door."""
    scope.require(Cap.HEALTH_VIEW)
    day = day or timezone.localdate()
    return _missing(scope, grid, day, everyone_reports([grid.path])[grid.path])


def _missing(scope: Scope, grid: Region, day: dt.date, everyone: bool) -> list[Person]:
    reported = CheckIn.objects.filter(on=day, region_path__startswith=grid.path).values("person_id")
    return list(
        _due(scope, grid, day, everyone)
        .exclude(id__in=reported)
        .select_related("household__building")
        .order_by("household__building__name", "household__unit", "household__door", "id")
    )


def _due(scope: Scope, grid: Region, day: dt.date, everyone: bool) -> QuerySet[Person]:
    people = scope.filter(Person.objects.filter(region_path__startswith=grid.path))
    if everyone:
        return people
    return people.filter(id__in=watched_on(scope, grid, day).values("person_id"))


@dataclass
class MissingList:
    """A grid's call list with what it is drawn from: who must report under which rule."""

    people: list[Person]
    due: int  # people who must report today; ``people`` are those of them not yet reported
    universal: bool  # every resident must report (else only people under watch)
    rule_region: Region | None  # whose rule that is; None: the default


def missing_list(scope: Scope, grid: Region, day: dt.date | None = None) -> MissingList:
    scope.require(Cap.HEALTH_VIEW)
    day = day or timezone.localdate()
    value, rule = set_where(grid.path, "universal_reporting")
    everyone = bool(value)
    return MissingList(
        _missing(scope, grid, day, everyone),
        _due(scope, grid, day, everyone).count(),
        everyone,
        rule.region if rule else None,
    )


def _everyone_reports_q(rules: dict[str, bool], root: str) -> Q:
    """Persons (by ``region_path``) under ``root`` where every resident must report: the
    deepest rule on their path says so (``universal_at``), as a condition on the path."""
    under = [p for p in rules if p.startswith(root) and p != root]
    q = Q(pk__in=[])
    for path in [root, *under]:
        if not universal_at(rules, path):
            continue
        term = Q(region_path__startswith=path)
        for deeper in under:
            if deeper != path and deeper.startswith(path):
                term &= ~Q(region_path__startswith=deeper)
        q |= term
    return q


def not_reported(scope: Scope, region: Region, day: dt.date) -> QuerySet[Person]:
    """The people behind a region's "not reported" figure of ``day``: those due to report
    that day — every resident registered by the day's end where the rule says everyone
    reports, the people under watch that day elsewhere — with no check-in that day; by grid,
    building and door."""
    scope.require(Cap.HEALTH_VIEW)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    residents = _everyone_reports_q(universal_rules(), region.path) & Q(created_at__lt=end)
    watched = watched_on(scope, region, day).values("person_id")
    reported = CheckIn.objects.filter(on=day, region_path__startswith=region.path).values(
        "person_id"
    )
    return (
        scope.filter(Person.objects.filter(region_path__startswith=region.path))
        .filter(residents | Q(id__in=watched))
        .exclude(id__in=reported)
        .select_related("grid", "household__building")
        .order_by(
            "region_path", "household__building__name", "household__unit", "household__door", "id"
        )
    )
