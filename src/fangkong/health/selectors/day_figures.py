"""A day's figures per region for the staff view: due and reported, alerts, watch."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..choices import ObservationKind, PassageOutcome
from ..figures import DAY_FIGURES_SECONDS, figures_key
from ..models import (
    Alert,
    Case,
    CheckIn,
    Contact,
    GridDay,
    Observation,
    Passage,
)
from ..rules import everyone_reports
from .access import watched_on

# Whom a region's "due to report" share counts; a region whose parts follow different rules
# counts each part by its own.
WATCHED, RESIDENTS, MIXED = "watched", "residents", "mixed"


@dataclass
class DayFigures:
    """A region's figures of a day. Each share has its numerator inside its denominator:
    ``expected_reported`` are those of the ``expected`` (due to report under the rule, see
    ``due_among``) who reported; ``reported`` and ``check_ins`` count everyone who reported,
    whoever they are, and are counts, never a share of anything."""

    expected: int = 0  # people due to report (under watch, or every resident: ``due_among``)
    expected_reported: int = 0  # of them, those who reported that day
    due_among: str = ""  # WATCHED, RESIDENTS or MIXED
    reported: int = 0  # people who reported that day, due or not
    check_ins: int = 0  # readings that day (a person may report twice)
    residents: int = 0  # people registered in the region
    alerts_open: int = 0
    alerts_closed: int = 0
    watched: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    contacts: int = 0
    passages: int = 0
    turned_back: int = 0

    @property
    def coverage(self) -> float | None:
        return None if not self.expected else self.expected_reported / self.expected

    @property
    def due_share(self) -> int | None:
        """Percent of those due who reported, rounded down: 100 only when all have."""
        return None if not self.expected else 100 * self.expected_reported // self.expected

    @property
    def watched_total(self) -> int:
        return sum(self.watched.values())

    def add(self, other: DayFigures) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.watched.items():
            self.watched[kind] = self.watched.get(kind, 0) + n
        if other.due_among and other.due_among != self.due_among:
            self.due_among = other.due_among if not self.due_among else MIXED


_SUMMED = (
    "expected",
    "expected_reported",
    "reported",
    "check_ins",
    "residents",
    "alerts_open",
    "alerts_closed",
    "cases",
    "contacts",
    "passages",
    "turned_back",
)


def _among(everyone: bool) -> str:
    return RESIDENTS if everyone else WATCHED


@dataclass
class CheckInFigures:
    """A region's check-ins of a day, summed from the grids' counters (``GridDay``)."""

    check_ins: int = 0
    persons: int = 0  # distinct persons who reported (a person counts once per grid)
    fevers: int = 0  # readings at or above the region's fever threshold

    def add(self, check_ins: int, persons: int, fevers: int) -> None:
        self.check_ins += check_ins
        self.persons += persons
        self.fevers += fevers


def _grid_days(region: Region, day: dt.date):
    return (
        GridDay.objects.filter(on=day, region_path__startswith=region.path)
        .values_list("region_path", "check_ins", "persons", "fevers")
        .order_by()
    )


def daily_figures(scope: Scope, region: Region, day: dt.date) -> CheckInFigures:
    """The region's check-ins, persons who reported and fevers on ``day``: a sum over its
    grids' counters, never a scan of the check-ins."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    total = CheckInFigures()
    for _path, *figures in _grid_days(region, day):
        total.add(*figures)
    return total


def daily_figures_by_child(
    scope: Scope, region: Region, day: dt.date
) -> list[tuple[Region, CheckInFigures]]:
    """``daily_figures`` for each region one level down (those in the scope), in code order:
    the grids' counters summed by the child their path lies under."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    by_child = {c.path: CheckInFigures() for c in children}
    segments = region.depth + 2
    for path, *figures in _grid_days(region, day):
        child = by_child.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(*figures)
    return [(c, by_child[c.path]) for c in children]


@dataclass
class StaffView:
    region: Region
    day: dt.date
    total: DayFigures
    children: list[tuple[Region, DayFigures]]
    counted_at: dt.datetime


def _by_path(rows, target: dict[str, DayFigures], name: str) -> None:
    for path, n in rows:
        setattr(target[path], name, getattr(target[path], name) + n)


def staff_view(scope: Scope, region: Region, day: dt.date) -> StaffView:
    """The day's figures for a region and each region below it: who was due to report and how
    many of them did, check-ins, residents, alerts, people under watch by kind, new cases and
    contacts, checkpoint passages and turn-backs."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    # Everything under a region the user may see is inside their scope, so one count serves
    # every user who reaches this region; a write under it makes a new key (figures.py).
    counted_at, by = cache.get_or_set(
        figures_key(region.path, day),
        lambda: (timezone.now(), _figures_by_path(scope, region, day)),
        DAY_FIGURES_SECONDS,
    )
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    everyone = everyone_reports([region.path, *(c.path for c in children)])
    child_figures = {c.path: DayFigures(due_among=_among(everyone[c.path])) for c in children}
    total = DayFigures(due_among=_among(everyone[region.path]))
    segments = region.depth + 2
    for path, figures in by.items():
        total.add(figures)
        child = child_figures.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(figures)
    return StaffView(region, day, total, [(c, child_figures[c.path]) for c in children], counted_at)


def _figures_by_path(scope: Scope, region: Region, day: dt.date) -> dict[str, DayFigures]:
    inside = {"region_path__startswith": region.path}
    by: dict[str, DayFigures] = defaultdict(DayFigures)

    def grouped(qs, **annotate):
        return qs.filter(**inside).values("region_path").annotate(**annotate).order_by()

    for path, check_ins, persons, _fevers in _grid_days(region, day):  # the grids' counters
        by[path].check_ins += check_ins
        by[path].reported += persons
    _watched(scope, region, day, by)
    for row in grouped(
        Alert.objects.filter(opened_at__date__lte=day),
        open=Count("id", filter=Q(closed_at__isnull=True)),
        closed=Count("id", filter=Q(closed_at__date=day)),
    ):
        by[row["region_path"]].alerts_open += row["open"]
        by[row["region_path"]].alerts_closed += row["closed"]
    _by_path(
        (
            (r["region_path"], r["n"])
            for r in grouped(Case.objects.filter(report_on=day), n=Count("id"))
        ),
        by,
        "cases",
    )
    _by_path(
        (
            (r["region_path"], r["n"])
            for r in grouped(Contact.objects.filter(created_at__date=day), n=Count("id"))
        ),
        by,
        "contacts",
    )
    for row in grouped(
        Passage.objects.filter(on=day),
        n=Count("id"),
        back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)),
    ):
        by[row["region_path"]].passages += row["n"]
        by[row["region_path"]].turned_back += row["back"]
    _expected(scope, region, day, by)
    return dict(by)


def _watched(scope: Scope, region: Region, day: dt.date, by: dict[str, DayFigures]) -> None:
    """People under watch by kind; each period is due to report, and counted reported when
    its person checked in that day: the numerator is a subset of the denominator's own rows,
    whoever else reported."""
    reported = CheckIn.objects.filter(person_id=OuterRef("person_id"), on=day)
    rows = (
        watched_on(scope, region, day)
        .values("region_path", "kind")
        .annotate(n=Count("id"), done=Count("id", filter=Q(Exists(reported))))
        .order_by()
    )
    for row in rows:
        f = by[row["region_path"]]
        f.watched[row["kind"]] = f.watched.get(row["kind"], 0) + row["n"]
        f.expected += row["n"]
        f.expected_reported += row["done"]


def _expected(scope: Scope, region: Region, day: dt.date, by: dict[str, DayFigures]) -> None:
    """Residents per path; who was due: those under watch (counted by ``_watched``), or every
    resident where the path's rule says all report."""
    residents = (
        scope.filter(Person.objects.filter(region_path__startswith=region.path))
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in residents:
        by[row["region_path"]].residents = row["n"]
    everyone = everyone_reports(by)
    universal = [p for p in by if everyone[p]]
    for path in by:
        by[path].due_among = RESIDENTS if path in universal else WATCHED
    if not universal:
        return
    # the residents of a path who reported that day (their check-ins are where they live)
    reported = (
        CheckIn.objects.filter(
            on=day,
            region_path__startswith=region.path,
            person__region_path__startswith=region.path,
        )
        .values("person__region_path")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    done = {r["person__region_path"]: r["n"] for r in reported}
    for path in universal:
        by[path].expected = by[path].residents
        by[path].expected_reported = done.get(path, 0)


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
