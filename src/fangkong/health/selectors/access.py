"""One access helper per health record: the object inside the viewer's scope, else 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.models import Building, Household, Region

from ..models import (
    Alert,
    BuildingLink,
    Case,
    Checkpoint,
    Contact,
    Observation,
)


def _get(scope: Scope, qs: QuerySet, cap: Cap | None, **lookup):
    return scope.get_or_404(qs, cap=cap, **lookup)


def person_or_404(scope: Scope, pk: int) -> Person:
    return _get(scope, Person.objects.select_related("household__building"), Cap.HEALTH_VIEW, pk=pk)


def alert_or_404(scope: Scope, pk: int) -> Alert:
    return _get(scope, Alert.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def observation_or_404(scope: Scope, pk: int) -> Observation:
    return _get(scope, Observation.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def case_or_404(scope: Scope, pk: int) -> Case:
    return _get(scope, Case.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def contact_or_404(scope: Scope, pk: int) -> Contact:
    return _get(scope, Contact.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def require_checkpoints(scope: Scope) -> None:
    """Checkpoints are for those who staff them and those who read the figures."""
    if not (scope.can(Cap.CHECKPOINT) or scope.can(Cap.HEALTH_VIEW)):
        raise PermissionDenied


def checkpoint_or_404(scope: Scope, pk: int) -> Checkpoint:
    require_checkpoints(scope)
    return scope.get_or_404(Checkpoint.objects.select_related("region"), cap=None, pk=pk)


def building_or_404(scope: Scope, pk: int) -> Building:
    return _get(scope, Building.objects.select_related("grid"), Cap.HEALTH_RECORD, pk=pk)


def household_or_404(scope: Scope, pk: int) -> Household:
    return _get(scope, Household.objects.select_related("building"), Cap.HEALTH_RECORD, pk=pk)


def live_link(scope: Scope, building: Building) -> BuildingLink | None:
    return scope.filter(
        BuildingLink.objects.filter(building=building, revoked_at__isnull=True)
    ).first()


def open_alerts(scope: Scope, region: Region) -> list[Alert]:
    """Open alerts, the escalated and the most overdue first."""
    scope.require(Cap.HEALTH_VIEW)
    level_order = {"street": 0, "community": 1, "grid": 2}
    qs = scope.filter(
        Alert.objects.filter(closed_at__isnull=True, region_path__startswith=region.path)
    ).select_related("person", "person__household__building")
    return sorted(qs, key=lambda a: (level_order[a.level], a.deadline_at))


def watched_on(scope: Scope, region: Region, day: dt.date) -> QuerySet[Observation]:
    """Observation periods running on ``day`` in the region."""
    return scope.filter(
        Observation.objects.filter(
            region_path__startswith=region.path, start_on__lte=day, end_on__gte=day
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    )
