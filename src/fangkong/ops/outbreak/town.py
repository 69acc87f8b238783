"""The city as the outbreak sees it: its residents (loaded once, in id order) and the parts of
the tree the story happens in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fangkong.people.models import Person
from fangkong.regions.choices import Level
from fangkong.regions.models import Building, Region

from ..demo import demo_plan


@dataclass(frozen=True)
class Resident:
    id: int
    path: str
    grid_id: int
    household_id: int | None
    building_id: int | None
    phone: bool
    born: dt.date | None

    def age(self, today: dt.date) -> int:
        return (today - self.born).days // 365 if self.born else 40


@dataclass
class Town:
    residents: list[Resident]
    by_id: dict[int, Resident]
    by_grid: dict[int, list[Resident]]
    by_household: dict[int, list[Resident]]
    by_building: dict[int, list[Resident]]
    grids: list[Region]
    grid_by_id: dict[int, Region]
    home: Region  # the demo grid (grid_a): where the story starts
    community: Region  # its community (universal reporting)
    street: Region
    areas: dict[str, list[Region]]  # home / near / far / village -> grids
    rural: list[Region]  # grids without buildings in the street (villages), if any

    def community_of(self, grid: Region) -> Region:
        return self.grid_by_id[grid.pk].parent  # type: ignore[return-value]


def load_town() -> Town:
    rows = Person.objects.order_by("id").values_list(
        "id",
        "region_path",
        "grid_id",
        "household_id",
        "household__building_id",
        "phone",
        "birth_on",
    )
    residents = [Resident(i, p, g, h, b, bool(ph), born) for i, p, g, h, b, ph, born in rows]
    town = Town(
        residents=residents,
        by_id={r.id: r for r in residents},
        by_grid={},
        by_household={},
        by_building={},
        grids=list(
            Region.objects.filter(level=Level.GRID).select_related("parent").order_by("path")
        ),
        grid_by_id={},
        home=None,  # type: ignore[arg-type]
        community=None,  # type: ignore[arg-type]
        street=None,  # type: ignore[arg-type]
        areas={},
        rural=[],
    )
    for r in residents:
        town.by_grid.setdefault(r.grid_id, []).append(r)
        if r.household_id is not None:
            town.by_household.setdefault(r.household_id, []).append(r)
        if r.building_id is not None:
            town.by_building.setdefault(r.building_id, []).append(r)
    town.grid_by_id = {g.pk: g for g in town.grids}
    plan = {name: region for name, _role, region in demo_plan()}
    town.home = plan["grid_a"]
    town.community = plan["community"]
    town.street = town.community.parent  # type: ignore[assignment]
    town.areas, town.rural = _areas(town)
    return town


def _areas(town: Town) -> tuple[dict[str, list[Region]], list[Region]]:
    """Where each part of the story happens: the demo grid, the rest of its community, other
    communities of its street, and a village (grids without buildings); each falls back to the
    one before when the city is too small to have it."""
    urban = set(Building.objects.values_list("grid_id", flat=True).distinct())
    in_street = [g for g in town.grids if g.path.startswith(town.street.path)]
    home = [town.home]
    near = [g for g in in_street if g.parent_id == town.community.pk and g.pk != town.home.pk]
    far = [g for g in in_street if g.parent_id != town.community.pk and g.pk in urban]
    village = [g for g in in_street if g.parent_id != town.community.pk and g.pk not in urban]
    near = near or home
    far = far or near
    return {"home": home, "near": near, "far": far, "village": village or far}, village
