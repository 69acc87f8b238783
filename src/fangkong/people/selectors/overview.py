"""A region's, grid's, building's and household's counts and members, by scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Building, Household, Region

from ..choices import TagKind
from ..models import Person, PersonTag, child_cutoff
from .search import persons, search


def tag_names() -> dict[str, str]:
    return {k.value: str(k.label) for k in TagKind}


@dataclass
class Counts:
    """Residents and tag counts of one region or building."""

    residents: int = 0
    households: int = 0
    children: int = 0
    tags: dict[str, int] = field(default_factory=dict)

    def add_tag(self, kind: str, n: int) -> None:
        self.tags[kind] = self.tags.get(kind, 0) + n

    def add(self, other: Counts) -> None:
        self.residents += other.residents
        self.households += other.households
        self.children += other.children
        for k, n in other.tags.items():
            self.add_tag(k, n)

    def tag_rows(self) -> list[tuple[str, str, int]]:
        return [(k.value, str(k.label), self.tags.get(k.value, 0)) for k in TagKind]


@dataclass
class RegionOverview:
    region: Region
    total: Counts
    children: list[tuple[Region, Counts]]
    counted_at: dt.datetime


# A region's counts scan its whole subtree (a third of a second for a city of a million), so
# they are kept this long: an overview may be a few minutes old, and says when it was counted.
REGION_COUNTS_SECONDS = 300


def _counts_by_grid_path(scope: Scope, region: Region) -> dict[str, Counts]:
    cutoff = child_cutoff(timezone.localdate())
    by_path: dict[str, Counts] = defaultdict(Counts)
    rows = (
        persons(scope)
        .filter(region_path__startswith=region.path)
        .values("region_path")
        .annotate(n=Count("id"), kids=Count("id", filter=Q(birth_on__gt=cutoff)))
        .order_by()
    )
    for row in rows:
        by_path[row["region_path"]].residents += row["n"]
        by_path[row["region_path"]].children += row["kids"]
    households = (
        scope.filter(Household.objects.filter(region_path__startswith=region.path))
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in households:
        by_path[row["region_path"]].households += row["n"]
    tags = (
        scope.filter(PersonTag.objects.filter(region_path__startswith=region.path))
        .values("region_path", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in tags:
        by_path[row["region_path"]].add_tag(row["kind"], row["n"])
    return dict(by_path)


def region_overview(scope: Scope, region: Region) -> RegionOverview:
    """Counts of residents, households, children and each tag, for the region and each child."""
    scope.require(Cap.VIEW_PEOPLE)
    if not scope.contains(region.path):
        raise Http404
    # Everything under a region the user may see is inside their scope, so one cached count
    # serves every user who reaches this region.
    counted_at, by_path = cache.get_or_set(
        f"region-counts:{region.path}:{timezone.localdate()}",
        lambda: (timezone.now(), _counts_by_grid_path(scope, region)),
        REGION_COUNTS_SECONDS,
    )
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    child_counts = {c.path: Counts() for c in children}
    total = Counts()
    child_segments = region.depth + 2  # a child's path has one code more than the region's
    for path, counts in by_path.items():
        total.add(counts)
        child = child_counts.get("/".join(path.split("/")[:child_segments]) + "/")
        if child is not None:
            child.add(counts)
    return RegionOverview(
        region=region,
        total=total,
        children=[(c, child_counts[c.path]) for c in children],
        counted_at=counted_at,
    )


def grid_buildings(scope: Scope, grid: Region) -> tuple[list[tuple[Building, Counts]], Counts]:
    """The buildings of a grid with their counts, and the grid's residents without a building."""
    scope.require(Cap.VIEW_PEOPLE)
    buildings = list(
        scope.filter(Building.objects.filter(grid=grid)).order_by(Length("name"), "name")
    )  # 2栋 before 10栋
    counts: dict[int | None, Counts] = defaultdict(Counts)
    for row in (
        scope.filter(Household.objects.filter(grid=grid))
        .values("building_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["building_id"]].households += row["n"]
    cutoff = child_cutoff(timezone.localdate())
    for row in (
        persons(scope)
        .filter(grid=grid)
        .values("household__building_id")
        .annotate(n=Count("id"), kids=Count("id", filter=Q(birth_on__gt=cutoff)))
        .order_by()
    ):
        c = counts[row["household__building_id"]]
        c.residents += row["n"]
        c.children += row["kids"]
    for row in (
        scope.filter(PersonTag.objects.filter(person__grid=grid))
        .values("person__household__building_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["person__household__building_id"]].add_tag(row["kind"], row["n"])
    return [(b, counts[b.pk]) for b in buildings], counts[None]


def building_units(scope: Scope, building: Building) -> list[tuple[str, int]]:
    """The units (单元) of a building with their household counts, in order."""
    scope.require(Cap.VIEW_PEOPLE)
    rows = (
        scope.filter(Household.objects.filter(building=building))
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("unit")
    )
    units = [(r["unit"], r["n"]) for r in rows]
    return sorted(units, key=lambda u: (len(u[0]), u[0]))  # "2" before "10"


def building_households(scope: Scope, building: Building, unit: str) -> QuerySet[Household]:
    """Households of one unit of a building, with members and their tags prefetched."""
    scope.require(Cap.VIEW_PEOPLE)
    members = Person.objects.prefetch_related("tags").order_by("id")
    return (
        scope.filter(Household.objects.filter(building=building, unit=unit))
        .select_related("building")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by(Length("door"), "door", "id")  # 101, 102, …, 1001: floors in order
    )


def household_members(scope: Scope, household: Household) -> list[Person]:
    return list(search(scope, household_id=household.pk))
