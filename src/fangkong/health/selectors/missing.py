"""Who is due to report today and who has not: the grid worker's call list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..models import CheckIn
from ..rules import everyone_reports, set_where
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
