"""Reads of volunteers for screens, reports and dispatch; each takes the scope first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from fangkong.common.scope import Scope
from fangkong.regions.models import Region

from .choices import VolunteerStatus
from .models import Volunteer


@dataclass(frozen=True)
class Available:
    """What dispatch needs of one volunteer (``lat``/``lon`` None: no home point recorded;
    ``capacity``: tasks at a time, before the caller subtracts tasks already in hand)."""

    id: int
    user_id: int
    name: str
    skills: list[str]
    has_vehicle: bool
    vehicle_kind: str
    capacity: int
    home_area_id: int
    region_path: str
    lat: float | None
    lon: float | None


def volunteers(scope: Scope) -> QuerySet[Volunteer]:
    """Every volunteer whose home area is inside the scope."""
    return scope.filter(Volunteer.objects.all())


def _available_at(qs: QuerySet[Volunteer], at: datetime) -> QuerySet[Volunteer]:
    local = timezone.localtime(at)
    t = local.time()
    bit = 1 << local.weekday()
    any_hour = Q(available_from__isnull=True, available_until__isnull=True)
    same_day = (
        Q(available_from__lte=F("available_until"))
        & Q(available_from__lte=t)
        & Q(available_until__gte=t)
    )
    # a window past midnight (20:00-06:00)
    overnight = Q(available_from__gt=F("available_until")) & (
        Q(available_from__lte=t) | Q(available_until__gte=t)
    )
    from_only = Q(available_until__isnull=True, available_from__lte=t)
    until_only = Q(available_from__isnull=True, available_until__gte=t)
    return (
        qs.annotate(day_bit=F("weekdays").bitand(bit))
        .filter(day_bit__gt=0)
        .filter(any_hour | same_day | overnight | from_only | until_only)
    )


def available(
    scope: Scope, region: Region, *, at: datetime | None = None, skills: list[str] | None = None
) -> list[Available]:
    """Volunteers dispatch may give a task to: active, with an account, on call, whose home is
    inside ``region`` (and the scope), available at ``at`` (default now: weekday and hours),
    having every skill in ``skills``. Ordered by id."""
    if not scope.contains(region.path):
        return []
    qs = volunteers(scope).filter(
        region_path__startswith=region.path,
        status=VolunteerStatus.ACTIVE,
        on_call=True,
        user__isnull=False,
    )
    qs = _available_at(qs, at or timezone.now())
    rows = qs.order_by("id").values_list(
        "id",
        "user_id",
        "name",
        "skills",
        "has_vehicle",
        "vehicle_kind",
        "capacity",
        "home_area_id",
        "region_path",
        "home_lat",
        "home_lon",
    )
    need = set(skills or [])
    return [Available(*row) for row in rows if need.issubset(row[3])]
