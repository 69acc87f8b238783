"""A region's limits for beds: its own, else its nearest ancestor's, else the defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .models import BedsRule


@dataclass(frozen=True)
class Limits:
    stale_minutes: int = 120  # districts report every two hours by day (Wuhan's rounds)
    waiting_hours: int = 24  # cleared the same day (日清日结)
    max_km: int = 60  # the farthest a patient is sent


DEFAULTS = Limits()
_NAMES = [f.name for f in fields(Limits)]


def limits_for(path: str) -> Limits:
    """The limits in force at a region path (one query)."""
    codes = [c for c in path.split("/") if c]
    rows = sorted(
        BedsRule.objects.filter(region__code__in=codes).select_related("region"),
        key=lambda r: r.region.depth,
    )
    found = DEFAULTS
    for row in rows:  # deeper regions override
        found = replace(
            found, **{n: getattr(row, n) for n in _NAMES if getattr(row, n) is not None}
        )
    return found
