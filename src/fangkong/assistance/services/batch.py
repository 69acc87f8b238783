"""A batch dispatch: the waiting requests of an area to its volunteers through the solvers'
``dispatch`` model (every needed skill, within ``max_km``, a volunteer's room for more,
urgent first, then least total distance), each decision explained; the plan's offers are
saved in one transaction, for the requests still waiting when it is saved."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Avg
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.regions.choices import Level as RegionLevel
from fangkong.regions.models import Region
from fangkong.solvers import dispatch as model

from ..choices import Status, TaskStatus, Urgency
from ..models import BuildingPoint, HelpRequest, Task
from .errors import HelpInvalid
from .volunteering import Candidate, candidates, needs_of, skill_label

DEFAULT_MAX_KM = 5.0
MAX_REQUESTS = 20000
CHUNK = 5000


@dataclass(frozen=True)
class Decision:
    """What the batch did with one request, and why."""

    request_id: int
    volunteer_id: int | None
    volunteer_name: str
    km: float | None
    reason: str  # "" when offered; the model's reason, no_location, changed_meanwhile
    explain: dict  # {"zh": …, "en": …}


@dataclass
class BatchResult:
    batch: uuid.UUID
    decisions: list[Decision]
    volunteers: int  # who could take a task
    left_out: int  # on call but with no home point: not in the plan
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def offered(self) -> int:
        return sum(1 for d in self.decisions if d.volunteer_id is not None)

    @property
    def unassigned(self) -> int:
        return len(self.decisions) - self.offered


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _waiting(scope: Scope, region: Region, ids: list[int] | None) -> list[tuple]:
    qs = scope.filter(
        HelpRequest.objects.filter(
            status=Status.OPEN, round__isnull=True, region_path__startswith=region.path
        )
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(
        qs.order_by("id").values_list(
            "id", "kind", "urgency", "household__building_id", "region_path"
        )[:MAX_REQUESTS]
    )


def _points(rows: list[tuple]) -> dict[int, tuple[float, float]]:
    """Each request's point: its building's, or else the middle of its grid's known points."""
    buildings = sorted({r[3] for r in rows if r[3]})
    at: dict[int, tuple[float, float]] = {}
    for chunk in _chunks(buildings):
        at.update(
            (b, (lat, lon))
            for b, lat, lon in BuildingPoint.objects.filter(building_id__in=chunk).values_list(
                "building_id", "lat", "lon"
            )
        )
    lost = sorted({path for _id, _k, _u, b, path in rows if b not in at})
    middle: dict[str, tuple[float, float]] = {}
    for chunk in _chunks(lost):
        for row in (
            BuildingPoint.objects.filter(building__region_path__in=chunk)
            .values("building__region_path")
            .annotate(lat=Avg("lat"), lon=Avg("lon"))
            .order_by()
        ):
            middle[row["building__region_path"]] = (row["lat"], row["lon"])
    out = {}
    for pk, _k, _u, b, path in rows:
        point = at.get(b) or middle.get(path)
        if point is not None:
            out[pk] = point
    return out


URGENCY_ZH = {Urgency.URGENT: "紧急", Urgency.TODAY: "当天", Urgency.NORMAL: "可稍后"}


@lru_cache(maxsize=64)
def _needs_text(kind: str) -> tuple[str, str]:
    needs = needs_of(kind)
    with translation.override("zh-hans"):
        zh = "、".join(skill_label(s) for s in needs) if needs else "无特殊技能要求"
    with translation.override("en"):
        en = ", ".join(skill_label(s) for s in needs) if needs else "no special skill"
    return zh, en


def _offered_explain(row: tuple, km: float, max_km: float) -> dict:
    _id, kind, urgency, _b, _p = row
    zh_needs, en_needs = _needs_text(kind)
    return {
        "zh": f"{URGENCY_ZH.get(urgency, urgency)}；需要：{zh_needs}；相距 {km:g} 公里"
        f"（{max_km:g} 公里内）；同等紧急的请求合计路程最短",
        "en": f"{urgency}; needs: {en_needs}; {km:g} km away (within {max_km:g} km); "
        "least total distance among requests as urgent",
    }


NO_LOCATION = {
    "zh": "楼栋未标位置，同网格也无可参照的楼栋：请人工指派",
    "en": "the building has no location, nor any in its grid: give it by hand",
}
NO_VOLUNTEER = {
    "zh": "此区域现在没有在岗且有空的志愿者",
    "en": "no volunteer of this area is on call with room for a task now",
}
ALL_BUSY = {
    "zh": "附近具备技能的志愿者都已满额",
    "en": "every suitable volunteer nearby is at capacity",
}
CHANGED = {
    "zh": "计划期间此请求已被处理（已指派、合并或取消）",
    "en": "the request changed while the plan was made (given, merged, cancelled)",
}


def _unassigned(pk: int, reason: str, explain: dict) -> Decision:
    return Decision(pk, None, "", None, reason, explain)


def _solve(
    located: list[tuple],
    points: dict[int, tuple[float, float]],
    usable: list[Candidate],
    max_km: float,
    decisions: dict[int, Decision],
) -> list[tuple[tuple, Candidate, float]]:
    """The dispatch model's plan for the located requests; its refusals into ``decisions``."""
    by_id = {str(c.volunteer.id): c for c in usable}
    problem = model.Problem(
        volunteers=[
            model.Volunteer(
                id=str(c.volunteer.id),
                lat=float(c.volunteer.lat),  # type: ignore[arg-type]
                lon=float(c.volunteer.lon),  # type: ignore[arg-type]
                capacity=c.room,
                skills=c.skills,
            )
            for c in usable
        ],
        requests=[
            model.Request(
                id=str(r[0]),
                lat=points[r[0]][0],
                lon=points[r[0]][1],
                urgency=r[2],
                needs=needs_of(r[1]),
            )
            for r in located
        ],
        max_km=max_km,
    )
    solution = model.solve(problem)
    row_of = {str(r[0]): r for r in located}
    for u in solution.unassigned:
        decisions[int(u.request)] = _unassigned(
            int(u.request), u.reason, {"zh": u.explain.zh, "en": u.explain.en}
        )
    return [(row_of[a.request], by_id[a.volunteer], a.km) for a in solution.assignments]


def _communities(region: Region) -> list[str]:
    """The paths of the communities the batch covers (the region itself when it is one, or
    lies below one)."""
    found = list(
        Region.objects.filter(path__startswith=region.path, level=RegionLevel.COMMUNITY)
        .order_by("path")
        .values_list("path", flat=True)
    )
    return found or [region.path]


def _by_community(
    region: Region,
    located: list[tuple],
    points: dict[int, tuple[float, float]],
    usable: list[Candidate],
    max_km: float,
    decisions: dict[int, Decision],
) -> list[tuple[tuple, Candidate, float]]:
    """Each community's waiting requests to its own volunteers first (as the community
    dispatches: one small problem each), then what is left across the whole area to the
    volunteers who still have room (one more, of the leftovers)."""
    communities = _communities(region)

    def home(path: str) -> str:
        return next((c for c in communities if path.startswith(c)), "")

    plan: list[tuple[tuple, Candidate, float]] = []
    for community in communities:
        asks = [r for r in located if home(r[4]) == community]
        helpers = [c for c in usable if home(c.volunteer.region_path) == community and c.room]
        if asks and helpers:
            plan += _solve(asks, points, helpers, max_km, decisions)
    placed = {row[0] for row, _c, _km in plan}
    used: dict[int, int] = {}
    for _row, c, _km in plan:
        used[c.volunteer.id] = used.get(c.volunteer.id, 0) + 1
    left = [r for r in located if r[0] not in placed]
    room = [
        Candidate(c.volunteer, c.skills, c.room - used.get(c.volunteer.id, 0))
        for c in usable
        if c.room - used.get(c.volunteer.id, 0) > 0
    ]
    if left and room:
        for r in left:
            decisions.pop(r[0], None)
        plan += _solve(left, points, room, max_km, decisions)
    for r in left:
        if r[0] not in decisions and r[0] not in {row[0] for row, _c, _km in plan}:
            decisions[r[0]] = _unassigned(r[0], "all_busy", ALL_BUSY)
    return plan


def check_batch_dispatch(
    *,
    scope: Scope,
    user: User,
    region: Region,
    request_ids: list[int] | None = None,
    max_km: float = DEFAULT_MAX_KM,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Plan and offer the waiting requests of ``region`` (or those of ``request_ids``)."""
    scope.require(Cap.HELP_DISPATCH)
    if not scope.contains(region.path):
        raise HelpInvalid({"region": _("no such area in your scope")})
    if not 0 < max_km <= 100:
        raise HelpInvalid({"max_km": _("the farthest a volunteer goes: 0.1 to 100 km")})
    clock = time.perf_counter()
    rows = _waiting(scope, region, request_ids)
    if not rows:
        raise HelpInvalid({"requests": _("no request is waiting for a volunteer here")})
    points = _points(rows)
    found = candidates(scope, region)
    placed = [c for c in found if c.volunteer.lat is not None and c.volunteer.lon is not None]
    usable = [c for c in placed if c.room > 0]
    seconds = {"load": time.perf_counter() - clock}
    decisions = {
        r[0]: _unassigned(r[0], "no_location", NO_LOCATION) for r in rows if r[0] not in points
    }
    located = [r for r in rows if r[0] in points]
    plan: list[tuple[tuple, Candidate, float]] = []
    if located and usable:
        plan = _by_community(region, located, points, usable, max_km, decisions)
    else:
        decisions.update({r[0]: _unassigned(r[0], "no_volunteer", NO_VOLUNTEER) for r in located})
    seconds["solve"] = time.perf_counter() - clock - seconds["load"]
    batch = uuid.uuid4()
    saved = time.perf_counter()
    for row, c, km, offered in _save(plan, batch=batch, user=user, max_km=max_km, now=now):
        decisions[row[0]] = (
            Decision(
                row[0], c.volunteer.id, c.volunteer.name, km, "", _offered_explain(row, km, max_km)
            )
            if offered
            else _unassigned(row[0], "changed_meanwhile", CHANGED)
        )
    seconds["save"] = time.perf_counter() - saved
    seconds["total"] = time.perf_counter() - clock
    return BatchResult(
        batch=batch,
        decisions=[decisions[r[0]] for r in rows],
        volunteers=len(usable),
        left_out=len(found) - len(placed),
        seconds=seconds,
    )


TASK_FIELDS = [
    "id",
    "request",
    "volunteer",
    "region_path",
    "status",
    "km",
    "explain",
    "reason",
    "dispatched_by",
    "batch",
    "offered_at",
]


def _save(plan, *, batch: uuid.UUID, user: User, max_km: float, now: dt.datetime | None):
    """Offer the planned tasks of the requests still waiting (locked while they are read), in
    one transaction: per chunk one locking read, one UPDATE and one COPY of the tasks."""
    now = now or timezone.now()
    at = Task._meta.get_field("offered_at").get_db_prep_value(now, connection)
    batch_id = Task._meta.get_field("batch").get_db_prep_value(batch, connection)
    out = []
    with transaction.atomic():
        for chunk in _chunks(plan):
            ids = [row[0] for row, _c, _km in chunk]
            still = set(
                HelpRequest.objects.select_for_update()
                .filter(pk__in=ids, status=Status.OPEN)
                .values_list("id", flat=True)
            )
            HelpRequest.objects.filter(pk__in=still).update(status=Status.OFFERED)
            offered = [(row, c, km) for row, c, km in chunk if row[0] in still]
            rows = BulkWriter(Task, TASK_FIELDS)
            for pk, (row, c, km) in zip(reserve_ids(Task, len(offered)), offered, strict=True):
                explain = json.dumps(_offered_explain(row, km, max_km), ensure_ascii=False)
                rows.rows.append(
                    (
                        pk,
                        row[0],
                        c.volunteer.id,
                        row[4],
                        TaskStatus.OFFERED,
                        km,
                        explain,
                        "",
                        user.pk,
                        batch_id,
                        at,
                    )
                )
            rows.flush()
            out += [(row, c, km, row[0] in still) for row, c, km in chunk]
    return out
