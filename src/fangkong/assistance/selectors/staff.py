"""What the community reads to dispatch one request: the volunteers who could take it,
nearest first, each with why they fit or do not; a request's tasks and money advanced."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from ..models import Advance, BuildingPoint, HelpRequest, Task
from ..services.volunteering import candidates, km_apart, needs_of, skill_label

SUGGESTED = 12


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: int
    name: str
    km: float | None
    room: int
    missing: list[str]  # labels of the skills the request needs and they lack

    @property
    def fits(self) -> bool:
        return not self.missing and self.room > 0


def suggestions(scope: Scope, region: Region, request: HelpRequest) -> list[Suggestion]:
    """Volunteers of the dispatcher's area on call now: who fit first, then nearest."""
    scope.require(Cap.HELP_DISPATCH)
    needs = needs_of(request.kind)
    building = request.household.building_id
    point = BuildingPoint.objects.filter(building_id=building).first() if building else None
    out = []
    for c in candidates(scope, region):
        v = c.volunteer
        km = None
        if point is not None and v.lat is not None and v.lon is not None:
            km = km_apart(point.lat, point.lon, v.lat, v.lon)
        missing = [skill_label(s) for s in needs if s not in c.skills]
        out.append(Suggestion(v.id, v.name, km, c.room, missing))
    out.sort(key=lambda s: (not s.fits, s.km is None, s.km or 0, s.name))
    return out[:SUGGESTED]


def request_tasks(request: HelpRequest) -> QuerySet[Task]:
    return request.tasks.select_related("volunteer").order_by("-offered_at", "-id")


def request_advances(request: HelpRequest) -> QuerySet[Advance]:
    return request.advances.select_related("recorded_by").order_by("recorded_at", "id")


def advance_or_404(scope: Scope, pk: int) -> Advance:
    """An advance as its recorder (a volunteer) or the community's dispatchers reach it."""
    from django.http import Http404

    qs = Advance.objects.select_related("task", "task__volunteer")
    if scope.can(Cap.HELP_DISPATCH):
        found = scope.filter(qs).filter(pk=pk).first()
    else:
        scope.require(Cap.HELP_TASKS)
        found = qs.filter(pk=pk, recorded_by_id=scope.user_id).first()
    if found is None:
        raise Http404
    return found
