"""Pickers: choosing a person, a building or a door in a form, namesakes told apart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import Length

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.masking import id_tail_shown
from fangkong.regions.models import Building, Household

from .. import disclosure
from ..disclosure import Detail, Field
from ..models import Person
from .overview import building_units
from .search import building_or_404, household_or_404, search

# Pickers: choosing a person, a building or a door in a form (people/_picker.html). A row says
# what tells namesakes apart, as the viewer may see it: never the birth date of a masked role,
# never more of an ID number than its mask shows.

PICK_LIMIT = 20
_PICK_FIELDS = (
    "name",
    "sex",
    "id_number",
    "birth_on",
    "region_path",
    "grid__name",
    "household__unit",
    "household__door",
    "household__address",
    "household__building__name",
)


@dataclass(frozen=True)
class PickRow:
    """One person as a picker lists them."""

    pk: int
    name: str
    sex: str
    born: dt.date | int | None  # the year, unless the viewer is shown the date
    place: str  # building, unit and door, or the address
    grid: str
    id_tail: str  # the last characters of the ID number, as its mask shows them


@dataclass(frozen=True)
class Picked:
    """What a picker found: at most ``limit`` rows, and whether there were more."""

    rows: list
    more: bool = False


def _pick_row(person: Person, view: dict[Field, Detail]) -> PickRow:
    household = person.household
    home = view[Field.HOUSEHOLD] != Detail.NONE
    number = person.id_number
    return PickRow(
        pk=person.pk,
        name=person.name if view[Field.NAME] != Detail.NONE else "",
        sex=person.get_sex_display() if view[Field.SEX] != Detail.NONE else "",
        born=disclosure.birth_as(person.birth_on, view[Field.BIRTH]),
        place=household.label if household is not None and home else "",
        grid=person.grid.name if home else "",
        id_tail=number[len(number) - id_tail_shown(number) :] if number else "",
    )


def pick_people(scope: Scope, query: str, *, limit: int = PICK_LIMIT) -> Picked:
    """Persons in the scope for a picker, by the rules of ``search`` (a name prefix, or the
    digits the viewer may search); nothing for an empty query. One query; a name prefix runs
    on the (name, id) index, so the first ``limit`` by name end the scan.

    Raises SearchTooShort as ``search`` does.
    """
    scope.require(Cap.VIEW_PEOPLE)
    query = (query or "").strip()
    if not query:
        return Picked([])
    qs = search(scope, query).prefetch_related(None).select_related("grid").only(*_PICK_FIELDS)
    found = list(qs[: limit + 1])
    view = disclosure.fields_for(scope)
    return Picked([_pick_row(p, view) for p in found[:limit]], more=len(found) > limit)


def picked_person(scope: Scope, pk: int) -> PickRow:
    """The chosen person's line, inside the scope (404 otherwise)."""
    qs = Person.objects.select_related("grid", "household__building").only(*_PICK_FIELDS)
    person = scope.get_or_404(qs, cap=Cap.VIEW_PEOPLE, pk=pk)
    return _pick_row(person, disclosure.fields_for(scope))


@dataclass(frozen=True)
class PickDoors:
    """A building's units and the doors of one of them, for the household picker."""

    building: Building
    units: list[tuple[str, int]]
    unit: str
    doors: list[Household]


def pick_buildings(scope: Scope, query: str, *, limit: int = PICK_LIMIT) -> Picked:
    """Buildings in the scope whose name starts with ``query``, with their grid (one query):
    "1栋" is in many grids."""
    scope.require(Cap.VIEW_PEOPLE)
    query = (query or "").strip()
    if not query:
        return Picked([])
    qs = (
        scope.filter(Building.objects.filter(name__startswith=query))
        .select_related("grid")
        .order_by(Length("name"), "name", "grid__code")  # 2栋 before 10栋
    )
    found = list(qs[: limit + 1])
    return Picked(found[:limit], more=len(found) > limit)


def pick_doors(scope: Scope, building_pk: int, unit: str | None = None) -> PickDoors:
    """The units of a building in the scope (404 otherwise) and the doors of ``unit`` (the
    first unit if not one of them), floors in order: 101, 102, …, 1001."""
    building = building_or_404(scope, building_pk)
    units = building_units(scope, building)
    if unit not in {u for u, _n in units}:
        unit = units[0][0] if units else ""
    doors = list(
        scope.filter(Household.objects.filter(building=building, unit=unit))
        .only("unit", "door", "building_id")
        .order_by(Length("door"), "door", "id")
    )
    return PickDoors(building, units, unit, doors)


def picked_household(scope: Scope, pk: int) -> Household:
    """The chosen household, inside the scope (404 otherwise)."""
    return household_or_404(scope, pk)
