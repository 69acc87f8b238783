"""What dispatch reads of volunteers (through ``volunteers.selectors.available``): who may take
a task now, with their skills as the dispatch model counts them and their room for more."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count
from django.utils.translation import gettext as _

from fangkong.common.scope import Scope
from fangkong.regions.models import Region
from fangkong.solvers.common import great_circle_km
from fangkong.volunteers.choices import Skill, VehicleKind
from fangkong.volunteers.selectors import Available, available

from ..choices import LIVE_TASK
from ..deadlines import CAR, SKILLS, VEHICLE
from ..models import Task

CARS = {VehicleKind.CAR, VehicleKind.VAN}


@dataclass(frozen=True)
class Candidate:
    volunteer: Available
    skills: list[str]  # the volunteer's skills with VEHICLE / CAR added from their vehicle
    room: int  # tasks they may still take: capacity less live tasks


def skills_of(v: Available) -> list[str]:
    return skills_of_volunteer(v)


def skills_of_volunteer(v) -> list[str]:
    """The same for a ``Volunteer`` row."""
    skills = set(v.skills)
    if v.has_vehicle:
        skills.add(VEHICLE)
        if v.vehicle_kind in CARS:
            skills.add(CAR)
    return sorted(skills)


def skill_label(key: str) -> str:
    if key == VEHICLE:
        return _("a vehicle")
    if key == CAR:
        return _("a car or van")
    return str(Skill(key).label) if key in Skill.values else key


def needs_of(kind: str) -> list[str]:
    return list(SKILLS.get(kind, ()))


def km_apart(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle kilometres between two points, to 10 m."""
    return round(
        float(great_circle_km(np.array(lat1), np.array(lon1), np.array(lat2), np.array(lon2))), 2
    )


def live_counts(volunteer_ids: list[int]) -> dict[int, int]:
    """Volunteer id → tasks they hold now (offered, accepted, picked up); one grouped query."""
    held: dict[int, int] = {}
    for i in range(0, len(volunteer_ids), 5000):
        held.update(
            Task.objects.filter(volunteer_id__in=volunteer_ids[i : i + 5000], status__in=LIVE_TASK)
            .values("volunteer_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("volunteer_id", "n")
        )
    return held


def candidates(scope: Scope, region: Region) -> list[Candidate]:
    """Volunteers of ``region`` who may be given a task now, with their room for more."""
    found = available(scope, region)
    held = live_counts([v.id for v in found])
    return [
        Candidate(volunteer=v, skills=skills_of(v), room=max(0, v.capacity - held.get(v.id, 0)))
        for v in found
    ]
