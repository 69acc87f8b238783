"""Per-grid figures of the registry that other apps read (the daily report's health section)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from fangkong.regions.models import Region

from ..models import Person


def residents_by_path(region: Region, until: dt.datetime | None = None) -> dict[str, int]:
    """Registered residents per grid path under ``region`` (registered before ``until``, when
    given). The caller has checked that ``region`` is in its scope (everything under it is).

    One grouped query over the person table for now; the registry's per-grid counters
    (registry13) will replace this body, keeping its name and answer."""
    qs = Person.objects.filter(region_path__startswith=region.path)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return dict(qs.values_list("region_path").annotate(n=Count("id")).order_by())
