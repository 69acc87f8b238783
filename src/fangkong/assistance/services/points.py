"""Where buildings stand, for the batch dispatch's distances: a CSV of building id, latitude,
longitude read whole, every row checked, then written in one statement per batch (a row
repeated is the same point again; a second load of the same file changes nothing)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.regions.models import Building

from ..models import BuildingPoint

MAX_ROWS = 200_000
HEADERS = {
    "building": ("building", "building id", "楼栋id", "楼栋编号", "楼栋"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
}


@dataclass
class PointsResult:
    points: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def _columns(header: list[str]) -> dict[str, int] | str:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, synonyms in HEADERS.items():
        hit = next((i for i, n in enumerate(names) if n in synonyms), None)
        if hit is None:
            return _("no %(col)s column; the header needs %(all)s") % {
                "col": synonyms[0],
                "all": ", ".join(s[0] for s in HEADERS.values()),
            }
        found[key] = hit
    return found


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _row(line: int, cells: list[str], cols: dict[str, int]) -> tuple[int, float, float] | str:
    def cell(key: str) -> str:
        return cells[cols[key]] if cols[key] < len(cells) else ""

    try:
        building = int(cell("building").strip())
    except ValueError:
        return _("building: a building id (a whole number), got %(v)s") % {"v": cell("building")}
    lat = _number(cell("lat"), -90, 90)
    lon = _number(cell("lon"), -180, 180)
    if lat is None:
        return _("latitude: a number from -90 to 90, got %(v)s") % {"v": cell("lat")}
    if lon is None:
        return _("longitude: a number from -180 to 180, got %(v)s") % {"v": cell("lon")}
    return building, lat, lon


def _read(data: bytes, out: PointsResult) -> dict[int, tuple[float, float]]:
    """The rows of the file (building -> point); what is wrong goes to ``out.rejected``."""
    text = data.decode("utf-8-sig", errors="replace").replace("\x00", "")
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        out.rejected.append((0, _("not a CSV file: %(why)s") % {"why": e}))
        return {}
    if not lines:
        out.rejected.append((1, _("the file is empty")))
        return {}
    cols = _columns(lines[0])
    if isinstance(cols, str):
        out.rejected.append((1, cols))
        return {}
    if len(lines) > MAX_ROWS + 1:
        out.rejected.append((MAX_ROWS + 2, _("at most %(n)d rows") % {"n": MAX_ROWS}))
        return {}
    rows: dict[int, tuple[float, float]] = {}
    for line, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        got = _row(line, cells, cols)
        if isinstance(got, str):
            out.rejected.append((line, got))
        else:
            rows[got[0]] = (got[1], got[2])
    return rows


def load_points(data: bytes) -> PointsResult:
    """Check every row; store all of them, or none if any is wrong."""
    out = PointsResult()
    rows = _read(data, out)
    known: set[int] = set()
    ids = sorted(rows)
    for i in range(0, len(ids), 5000):
        known |= set(Building.objects.filter(pk__in=ids[i : i + 5000]).values_list("pk", flat=True))
    for pk in ids:
        if pk not in known:
            out.rejected.append((0, _("building %(id)d: no such building") % {"id": pk}))
    if out.rejected:
        return out
    with transaction.atomic():
        BuildingPoint.objects.bulk_create(
            [BuildingPoint(building_id=pk, lat=lat, lon=lon) for pk, (lat, lon) in rows.items()],
            update_conflicts=True,
            unique_fields=["building"],
            update_fields=["lat", "lon"],
            batch_size=2000,
        )
    out.points = len(rows)
    return out
