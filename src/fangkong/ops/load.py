"""Bulk loading of a synthetic city: PostgreSQL COPY, or batched inserts on SQLite.

Ids are allocated here (from each table's current maximum), so that households, persons and
tags can reference each other without a round trip per row; sequences are reset at the end.
Everything happens in one transaction: an interrupted load leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from fangkong.common.db import BulkWriter
from fangkong.people.models import BULK_PERSON_FIELDS, BULK_TAG_FIELDS, Person, PersonTag
from fangkong.people.services.counters import recount_grids
from fangkong.regions.models import BULK_HOUSEHOLD_FIELDS, Building, Household, Region

from .city import GridBundle

FLUSH_ROWS = 50_000


class CityExists(ValueError):
    pass


@dataclass
class LoadResult:
    regions: int = 0
    buildings: int = 0
    households: int = 0
    persons: int = 0
    tags: int = 0
    grid_codes: list[str] = field(default_factory=list)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


class CityLoader:
    def __init__(self, on_persons: Callable[[int], None] | None = None):
        self.now = timezone.now()
        self.on_persons = on_persons or (lambda n: None)
        self.result = LoadResult()
        self.regions: dict[str, tuple[int, str]] = {}  # code -> (id, path)
        self.next = {m: _next_id(m) for m in (Region, Building, Household, Person, PersonTag)}
        self.w_region = BulkWriter(
            Region, ["id", "code", "name", "level", "parent", "path", "depth"]
        )
        self.w_building = BulkWriter(Building, ["id", "grid", "region_path", "name", "address"])
        self.w_household = BulkWriter(Household, BULK_HOUSEHOLD_FIELDS)
        self.w_person = BulkWriter(Person, BULK_PERSON_FIELDS)
        self.w_tag = BulkWriter(PersonTag, BULK_TAG_FIELDS)

    def _take(self, model: type[models.Model], n: int = 1) -> int:
        first = self.next[model]
        self.next[model] = first + n
        return first

    def _region(self, row) -> tuple[int, str]:
        if row.parent_code is None:
            parent_id, parent_path = None, ""
        else:
            parent_id, parent_path = self.regions[row.parent_code]
        rid = self._take(Region)
        path = Region.child_path(parent_path, row.code)
        self.w_region.rows.append(
            (rid, row.code, row.name, row.level, parent_id, path, path.count("/") - 1)
        )
        self.regions[row.code] = (rid, path)
        self.result.regions += 1
        return rid, path

    def add(self, bundle: GridBundle) -> None:
        for row in bundle.regions:
            self._region(row)
        grid_id, path = self.regions[bundle.grid_code]
        self.result.grid_codes.append(bundle.grid_code)
        first_b = self._take(Building, len(bundle.buildings))
        for i, name in enumerate(bundle.buildings):
            self.w_building.rows.append((first_b + i, grid_id, path, name, ""))
        first_h = self._take(Household, len(bundle.households))
        for i, h in enumerate(bundle.households):
            building = None if h.building is None else first_b + h.building
            self.w_household.rows.append(
                (first_h + i, grid_id, building, path, h.unit, h.door, h.address)
            )
        first_p = self._take(Person, len(bundle.persons))
        now = self.now
        for i, p in enumerate(bundle.persons):
            pid = first_p + i
            household = None if p.household is None else first_h + p.household
            self.w_person.rows.append(
                (
                    pid,
                    p.name,
                    p.sex,
                    "resident_id",
                    p.id_number,
                    p.id_number[::-1],
                    p.birth_on,
                    p.phone,
                    grid_id,
                    household,
                    p.relation,
                    path,
                    "",
                    now,
                    now,
                )
            )
            for kind, place, event_on, note in p.tags:
                self.w_tag.rows.append(
                    (self._take(PersonTag), pid, kind, path, place, event_on, note, "", now)
                )
        self.result.buildings += len(bundle.buildings)
        self.result.households += len(bundle.households)
        self.result.persons += len(bundle.persons)
        if len(self.w_person.rows) >= FLUSH_ROWS:
            self.flush()
        self.on_persons(len(bundle.persons))

    def flush(self) -> None:
        self.result.tags += len(self.w_tag.rows)
        # parents before children: the foreign keys are checked row by row on SQLite
        for writer in (self.w_region, self.w_building, self.w_household, self.w_person, self.w_tag):
            writer.flush()

    def finish(self) -> LoadResult:
        self.flush()
        sql = connection.ops.sequence_reset_sql(
            no_style(), [Region, Building, Household, Person, PersonTag]
        )
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        # the registry's per-grid counters, in the same transaction
        recount_grids(self.regions[code][1] for code in self.result.grid_codes)
        return self.result


def load_city(
    bundles: Iterable[GridBundle], *, on_persons: Callable[[int], None] | None = None
) -> LoadResult:
    """Write a generated city in one transaction; refuse if its top regions already exist."""
    with transaction.atomic():
        loader = CityLoader(on_persons=on_persons)
        for bundle in bundles:
            if bundle.regions and not loader.regions:
                codes = [r.code for r in bundle.regions]
                if Region.objects.filter(code__in=codes).exists():
                    raise CityExists(
                        f"the city's regions ({codes[0]} ...) already exist in this database"
                    )
            loader.add(bundle)
        return loader.finish()
