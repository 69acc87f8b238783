"""The registry's figures per grid path, read from the counters (services/counters.py).

A report until a moment sums the grid-days registered before it. Exact from the counters:
- until midnight (a whole day): the grid-days before that day;
- until an hour of a day (a progress round, today so far): the grid-days up to that day, when
  nobody under the region registered later that day (one probe of the ``created_at`` index;
  for today, later than now, so always, but for a moment's race);
- children (born in the year ``day.year - 13`` or later) for any day after 2013
  (``BIRTHS_FROM`` + 13).
Anything else — a round at an hour of a past day on which people registered after that hour,
or a day before 2014 — is counted from the raw rows (``raw_values``), exactly as before the
counters.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fangkong.accounts.scope import Scope
from fangkong.regions.models import Region

from ..choices import VULNERABLE
from ..models import BIRTHS_FROM, GridBirths, GridCount, Person, child_cutoff

TAG_KEYS = tuple(f"tag_{kind}" for kind in VULNERABLE)
_KEYS = ("residents", "households", "vulnerable")


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def counted_through(
    region: Region, until: dt.datetime, scope: Scope | None = None
) -> dt.date | None:
    """The last registration day the counters sum for ``until``, or None when they cannot
    answer it exactly (someone under the region registered after ``until`` that same day)."""
    day = timezone.localdate(until)
    if until == _start(day):
        return day - dt.timedelta(days=1)
    later = Person.objects.filter(
        region_path__startswith=region.path,
        created_at__gte=until,
        created_at__lt=_start(day + dt.timedelta(days=1)),
    )
    if scope is not None:
        later = scope.filter(later)
    return None if later.exists() else day


def residents_by_path(region: Region, until: dt.datetime) -> dict[str, int]:
    """Residents per grid path under ``region`` registered before ``until`` (not scoped: the
    caller passes a region inside its scope)."""
    last = counted_through(region, until)
    if last is None:
        rows = (
            Person.objects.filter(region_path__startswith=region.path, created_at__lt=until)
            .values("region_path")
            .annotate(n=Count("id"))
            .order_by()
        )
    else:
        rows = (
            GridCount.objects.filter(region_path__startswith=region.path, registered_on__lte=last)
            .values("region_path")
            .annotate(n=Sum("residents"))
            .order_by()
        )
    return {r["region_path"]: r["n"] for r in rows if r["n"]}


def registry_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    """Per grid path: residents, households, children, vulnerable (once each), each vulnerable
    kind (``tag_<kind>``, where any) and newcomers (registered on ``day``), until ``until``."""
    last = counted_through(region, until, scope)
    born_from = day.year - 13  # born after child_cutoff(day)
    if last is None or born_from < BIRTHS_FROM:
        return raw_values(scope, region, day, until)
    counts = scope.filter(
        GridCount.objects.filter(region_path__startswith=region.path, registered_on__lte=last)
    )
    # annotated under other names: an annotation may not shadow the column it sums
    sums = {f"n_{k}": Sum(k) for k in ("residents", "households", "vulnerable", *TAG_KEYS)}
    values: dict[str, dict[str, int]] = {}
    grouped = (
        counts.values("region_path")
        .annotate(**sums, n_newcomers=Sum("residents", filter=Q(registered_on=day)))
        .order_by()
    )
    for row in _fetch(grouped):  # region_path, then the sums in the order annotated
        values[row[0]] = {
            **dict(zip(_KEYS, row[1:4], strict=True)),
            **{k: n for k, n in zip(TAG_KEYS, row[4:-1], strict=True) if n},
            "newcomers": row[-1] or 0,
            "children": 0,
        }
    births = scope.filter(
        GridBirths.objects.filter(
            born_from=born_from, region_path__startswith=region.path, registered_on__lte=last
        )
    )
    for path, n in _fetch(births.values("region_path").annotate(n=Sum("n")).order_by()):
        if path in values:
            values[path]["children"] = n
    return values


def _fetch(qs) -> list[tuple]:
    """The rows of a grouped (and scoped) queryset as the database returns them: thousands of
    grid rows a call, without the ORM's per-value conversion (a third of the time)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    """The same figures counted from the persons and their tags (grouped queries)."""
    registered = scope.filter(
        Person.objects.filter(region_path__startswith=region.path, created_at__lt=until)
    )
    values: dict[str, dict[str, int]] = {}
    for row in (
        registered.values("region_path")
        .annotate(
            residents=Count("id"),
            households=Count("household", distinct=True),
            children=Count("id", filter=Q(birth_on__gt=child_cutoff(day))),
            newcomers=Count("id", filter=Q(created_at__gte=_start(day))),
        )
        .order_by()
    ):
        path = row.pop("region_path")
        values[path] = {**row, "vulnerable": 0}
    tagged = registered.filter(tags__kind__in=VULNERABLE)
    for row in tagged.values("region_path").annotate(n=Count("id", distinct=True)).order_by():
        values[row["region_path"]]["vulnerable"] = row["n"]
    for row in (
        tagged.values("region_path", "tags__kind").annotate(n=Count("id", distinct=True)).order_by()
    ):
        values[row["region_path"]][f"tag_{row['tags__kind']}"] = row["n"]
    return values


def registry_trend(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The region's totals of ``registry_values`` for each of several whole days (``moments``:
    ``(day, end of day)``), from two grouped queries by registration day, not per grid."""
    days = [d for d, _until in moments]
    if not days:
        return []
    if min(days).year - 13 < BIRTHS_FROM:
        return [_totals(registry_values(scope, region, d, until)) for d, until in moments]
    inside = {"region_path__startswith": region.path, "registered_on__lte": max(days)}
    sums = {f"n_{k}": Sum(k) for k in (*_KEYS, *TAG_KEYS)}
    # one row per registration day (not per grid): the ORM's conversion costs nothing here
    by_day = list(
        scope.filter(GridCount.objects.filter(**inside))
        .values("registered_on")
        .annotate(**sums)
        .order_by("registered_on")
        .values_list("registered_on", *sums)
    )
    births = list(
        scope.filter(GridBirths.objects.filter(born_from__in={d.year - 13 for d in days}, **inside))
        .values("born_from", "registered_on")
        .annotate(n=Sum("n"))
        .order_by()
        .values_list("born_from", "registered_on", "n")
    )
    keys = (*_KEYS, *TAG_KEYS)
    out = []
    for day in days:
        total = dict.fromkeys(keys, 0)
        total["newcomers"] = 0
        for on, *ns in by_day:
            if on > day:
                break
            for key, n in zip(keys, ns, strict=True):
                total[key] += n or 0
            if on == day:
                total["newcomers"] = ns[0] or 0
        total["children"] = sum(n for born, on, n in births if born == day.year - 13 and on <= day)
        out.append(total)
    return out


def _totals(values: dict[str, dict[str, int]]) -> dict[str, int]:
    """The sum over the paths (what the section's figures say for the region)."""
    total: dict[str, int] = {}
    for row in values.values():
        for key, n in row.items():
            total[key] = total.get(key, 0) + n
    return total
