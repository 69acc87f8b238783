"""Changes to the region tree, buildings and households."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.common.digits import compact, is_ascii_number

from .choices import LEVEL_ORDER, Level, level_rank
from .codes import CODE_LENGTH, canonical_code, parent_code_of
from .models import Building, Household, Region

REGION_COLUMNS = ("code", "name", "parent_code", "level")


class RegionInvalid(ValueError):
    pass


@dataclass
class RegionImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, reason)

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def _check_row(row: Mapping[str, str], parent: Region | None) -> None:
    code, name, level = row["code"], row["name"], row["level"]
    parent_code = row["parent_code"]
    if level not in LEVEL_ORDER:
        raise RegionInvalid(
            _("unknown level %(l)r; allowed: %(a)s") % {"l": level, "a": ", ".join(LEVEL_ORDER)}
        )
    want = CODE_LENGTH[Level(level)]
    if not is_ascii_number(code) or len(code) != want:
        if level == Level.STREET:
            raise RegionInvalid(
                _("a street code must be 9 digits (GB/T 10114) or 12, got %(code)r")
                % {"code": code}
            )
        raise RegionInvalid(
            _("a %(level)s code must be %(n)d digits, got %(code)r")
            % {"level": level, "n": want, "code": code}
        )
    if not name:
        raise RegionInvalid(_("name is missing"))
    if parent_code and parent is None:
        raise RegionInvalid(_("parent %(p)s is unknown") % {"p": parent_code})
    if parent is None and level != Level.PROVINCE:
        raise RegionInvalid(_("a %(level)s needs a parent_code") % {"level": level})
    if parent is not None and level_rank(parent.level) != level_rank(level) - 1:
        raise RegionInvalid(
            _("a %(level)s cannot be under a %(parent)s") % {"level": level, "parent": parent.level}
        )
    if level == Level.GRID and parent is not None and not code.startswith(parent.code):
        raise RegionInvalid(
            _("a grid code must start with its community's code %(p)s") % {"p": parent.code}
        )


def _clean(raw: Mapping[str, str | None]) -> dict[str, str]:
    """Cells trimmed, codes in their stored form; a blank parent below a district is read
    from the code itself."""
    row = {k: (raw.get(k) or "").strip() for k in REGION_COLUMNS}
    # only a street may be written with 9 digits: a 9-digit "community" stays wrong
    row["code"] = (
        canonical_code(row["code"]) if row["level"] == Level.STREET else compact(row["code"])
    )
    row["parent_code"] = canonical_code(row["parent_code"])
    if not row["parent_code"] and is_ascii_number(row["code"]):
        row["parent_code"] = parent_code_of(row["code"], row["level"])
    return row


@transaction.atomic
def import_regions(*, rows: Iterable[Mapping[str, str | None]]) -> RegionImportResult:
    """Create or rename regions from rows of code,name,parent_code,level; all or nothing.

    Rows may come in any order; re-importing updates names and never duplicates. A row whose
    parent is unknown, or that would move a region to another parent, is rejected with a reason.
    A street's 9-digit township code is stored padded to 12 (``regions.codes``).
    """
    result = RegionImportResult()
    numbered = [(i, _clean(r)) for i, r in enumerate(rows, start=2)]  # row 1 is the header
    numbered = [(i, r) for i, r in numbered if any(r.values())]
    result.read = len(numbered)
    numbered.sort(
        key=lambda ir: LEVEL_ORDER.index(ir[1]["level"]) if ir[1]["level"] in LEVEL_ORDER else -1
    )
    known = {r.code: r for r in Region.objects.all()}
    seen: dict[str, int] = {}
    for row_no, row in numbered:
        code = row["code"]
        parent = known.get(row["parent_code"]) if row["parent_code"] else None
        try:
            if code in seen:
                raise RegionInvalid(_("duplicate of row %(n)d") % {"n": seen[code]})
            _check_row(row, parent)
        except RegionInvalid as e:
            result.rejected.append((row_no, code, str(e)))
            continue
        seen[code] = row_no
        existing = known.get(code)
        if existing is None:
            path = Region.child_path(parent.path if parent else "", code)
            known[code] = Region.objects.create(
                code=code,
                name=row["name"],
                level=row["level"],
                parent=parent,
                path=path,
                depth=path.count("/") - 1,
            )
            result.created += 1
        elif (
            existing.parent_id != (parent.pk if parent else None) or existing.level != row["level"]
        ):
            result.rejected.append(
                (
                    row_no,
                    code,
                    _("region exists under another parent or level; moving is not done by import"),
                )
            )
        elif existing.name != row["name"]:
            Region.objects.filter(pk=existing.pk).update(name=row["name"])
            existing.name = row["name"]
            result.updated += 1
        else:
            result.unchanged += 1
    result.rejected.sort()
    return result


def read_regions_csv(path: Path) -> list[dict[str, str | None]]:
    """Rows of a regions CSV (UTF-8 with or without BOM, or GB18030)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REGION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegionInvalid(
            _("the file lacks the columns %(m)s; it needs %(need)s")
            % {"m": ", ".join(missing), "need": ",".join(REGION_COLUMNS)}
        )
    return list(reader)


def create_region(*, code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """Add one region under ``parent`` (validated like an imported row)."""
    code = canonical_code(code) if level == Level.STREET else compact(code)
    row = {"code": code, "name": name, "level": level, "parent_code": parent.code if parent else ""}
    _check_row(row, parent)
    path = Region.child_path(parent.path if parent else "", code)
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent, path=path, depth=path.count("/") - 1
    )


def get_or_create_building(*, grid: Region, name: str, address: str = "") -> Building:
    building, _created = Building.objects.get_or_create(
        grid=grid, name=name, defaults={"address": address, "region_path": grid.path}
    )
    return building


def get_or_create_household(
    *,
    grid: Region,
    building: Building | None = None,
    unit: str = "",
    door: str = "",
    address: str = "",
) -> Household:
    """The household at a door of a building, or at an address (rural homes)."""
    if building is not None:
        household, _created = Household.objects.get_or_create(
            building=building,
            unit=unit,
            door=door,
            defaults={"grid": grid, "region_path": grid.path},
        )
        return household
    if not address:
        raise RegionInvalid(_("a household needs a building or an address"))
    existing = Household.objects.filter(grid=grid, building=None, address=address).first()
    return existing or Household.objects.create(grid=grid, address=address, region_path=grid.path)
