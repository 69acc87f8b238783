"""Reads of beds for pages, the API and the report; each takes the scope first.

Who reaches what (docs/scope.md, "Beds"): staff with ``beds_view`` every facility, patient,
plan line and vehicle task in their subtree (a city's plan shows a district only its own
lines); a hospital operator (``beds_keep``) only their own facility, and of patients only those
the plan sends to it or who lie in it. Anything else answers 404, or 403 for a role without
either capability.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.masking import mask_name
from fangkong.regions.models import Region

from .choices import LEFT, LineStatus, PatientStatus, Severity
from .models import BedStock, Facility, Line, Patient, Plan, VehicleTask
from .rules import limits_for

SEVERITY_ORDER = {s: i for i, s in enumerate(Severity.values)}


def _operated(scope: Scope) -> int | None:
    """The facility id of a hospital operator (None: not one, or none assigned)."""
    from .models import Operator

    if not scope.can(Cap.BEDS_KEEP):
        return None
    return (
        Operator.objects.filter(user_id=scope.user_id).values_list("facility_id", flat=True).first()
    )


def facilities(scope: Scope) -> QuerySet[Facility]:
    qs = Facility.objects.select_related("region")
    if scope.can(Cap.BEDS_VIEW):
        return scope.filter(qs)
    if scope.can(Cap.BEDS_KEEP):
        return scope.filter(qs.filter(operators__user_id=scope.user_id))
    raise PermissionDenied


def facility_or_404(scope: Scope, code: str) -> Facility:
    facility = facilities(scope).filter(code=code).first()
    if facility is None:
        raise Http404
    return facility


def kept_facility_or_404(scope: Scope, code: str) -> Facility:
    """The operator's own facility (to report beds, admit, discharge); 403 for other roles."""
    scope.require(Cap.BEDS_KEEP)
    facility = (
        scope.filter(Facility.objects.select_related("region"))
        .filter(code=code, operators__user_id=scope.user_id)
        .first()
    )
    if facility is None:
        raise Http404
    return facility


def my_facility(scope: Scope) -> Facility | None:
    pk = _operated(scope)
    return scope.filter(Facility.objects.filter(pk=pk)).first() if pk else None


@dataclass(frozen=True)
class Figure:
    """A bed stock as shown: its numbers, when and by whom last counted, stale or not."""

    stock: BedStock
    reserved: int
    stale: bool
    age_minutes: int

    @property
    def free_now(self) -> int:
        return max(0, self.stock.free - self.reserved)


def figures(scope: Scope, facility_list: list[Facility]) -> dict[int, list[Figure]]:
    """Each facility's bed figures (two queries), stale past the facility region's limit."""
    ids = [f.pk for f in facility_list]
    now = timezone.now()
    reserved = {
        (r["facility_id"], r["bed_type"]): r["n"]
        for r in Line.objects.filter(facility_id__in=ids, status__in=LEFT)
        .values("facility_id", "bed_type")
        .annotate(n=Count("id"))
        .order_by()
    }
    limits: dict[str, int] = {}
    out: dict[int, list[Figure]] = {pk: [] for pk in ids}
    for s in BedStock.objects.filter(facility_id__in=ids).select_related("reported_by"):
        if s.region_path not in limits:
            limits[s.region_path] = limits_for(s.region_path).stale_minutes
        age = int((now - s.reported_at).total_seconds() // 60)
        out[s.facility_id].append(
            Figure(
                s, reserved.get((s.facility_id, s.bed_type), 0), age > limits[s.region_path], age
            )
        )
    return out


def patients(scope: Scope) -> QuerySet[Patient]:
    """Every bed record the user reaches: staff by where the patient is; an operator those sent
    to or lying in their facility."""
    qs = Patient.objects.select_related("person", "facility")
    if scope.can(Cap.BEDS_VIEW):
        return scope.filter(qs)
    pk = _operated(scope)
    if pk is not None:
        sent = Line.objects.filter(facility_id=pk, status__in=LEFT).values("patient_id")
        return qs.filter(Q(facility_id=pk) | Q(pk__in=sent))
    if scope.can(Cap.BEDS_KEEP):
        return qs.none()
    raise PermissionDenied


def patient_or_404(scope: Scope, pk: int) -> Patient:
    patient = patients(scope).filter(pk=pk).first()
    if patient is None:
        raise Http404
    return patient


@dataclass(frozen=True)
class Waiting:
    patient: Patient
    name: str  # masked
    hours: float
    over: bool  # past the region's limit: shown red


def waiting(scope: Scope, *, limit: int = 500, under: str = "") -> tuple[list[Waiting], int, int]:
    """Waiting patients (of the region path ``under``, else the user's whole area), most severe
    then longest waiting first; (rows, total, over that region's limit)."""
    scope.require(Cap.BEDS_VIEW)
    qs = patients(scope).filter(status=PatientStatus.WAITING, region_path__startswith=under)
    now = timezone.now()
    hours = limits_for(under or scope.path or "").waiting_hours
    over_at = now - dt.timedelta(hours=hours)
    total = qs.count()
    over = qs.filter(since_at__lt=over_at).count()
    rank = Case(*(When(severity=s, then=i) for s, i in SEVERITY_ORDER.items()), default=9)
    rows = qs.annotate(rank=rank).order_by("rank", "since_at", "pk")[:limit]
    return (
        [
            Waiting(
                p,
                mask_name(p.person.name),
                (now - p.since_at).total_seconds() / 3600,
                p.since_at < over_at,
            )
            for p in rows
        ],
        total,
        over,
    )


def in_facility(scope: Scope, facility: Facility) -> tuple[list[Line], list[Patient]]:
    """Who comes (confirmed lines to it, not yet in) and who lies there."""
    if not scope.can(Cap.BEDS_VIEW) and _operated(scope) != facility.pk:
        raise Http404
    coming = list(
        Line.objects.filter(facility=facility, status__in=LEFT)
        .select_related("patient__person", "task")
        .order_by("status", "pk")[:300]
    )
    lying = list(
        Patient.objects.filter(facility=facility, status=PatientStatus.ADMITTED)
        .select_related("person")
        .order_by("-admitted_at")[:300]
    )
    return coming, lying


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{c}/" for c in parts[: i + 1]) for i in range(len(parts))]


def plans(scope: Scope) -> QuerySet[Plan]:
    """Plans of the user's region or above it (a district sees the city's plan, its part)."""
    scope.require(Cap.BEDS_VIEW)
    qs = Plan.objects.select_related("region")
    return qs.filter(
        Q(region_path__startswith=scope.path or "\x00")
        | Q(region_path__in=_ancestors(scope.path or ""))
    )


def plan_or_404(scope: Scope, pk: int) -> Plan:
    plan = plans(scope).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def lines(scope: Scope, plan: Plan) -> QuerySet[Line]:
    """The plan's lines the user reaches: staff those of patients in their subtree."""
    return scope.filter(
        plan.lines.select_related("patient__person", "facility", "task").order_by("status", "pk")
    )


def line_or_404(scope: Scope, pk: int) -> Line:
    scope.require(Cap.BEDS_PROGRESS)
    line = (
        scope.filter(Line.objects.select_related("patient", "facility", "plan"))
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


@dataclass(frozen=True)
class DistrictProgress:
    code: str
    name: str
    counts: dict[str, int]

    @property
    def planned(self) -> int:
        return sum(
            n for s, n in self.counts.items() if s not in (LineStatus.UNPLACED, LineStatus.PROPOSED)
        )

    @property
    def done(self) -> int:
        return self.counts.get(LineStatus.ADMITTED, 0) + self.counts.get(LineStatus.REFUSED, 0)

    @property
    def left(self) -> int:
        return sum(self.counts.get(s, 0) for s in LEFT)


def progress(scope: Scope, plan: Plan) -> list[DistrictProgress]:
    """The plan's state per district as of now: one grouped query over the index."""
    rows = (
        scope.filter(plan.lines.all())
        .values("district_path", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by: dict[str, dict[str, int]] = {}
    for r in rows:
        by.setdefault(r["district_path"], {})[r["status"]] = r["n"]
    names = {r.path: r for r in Region.objects.filter(path__in=list(by))}
    return [
        DistrictProgress(names[p].code if p in names else p, names[p].name if p in names else p, c)
        for p, c in sorted(by.items())
    ]


def tasks(scope: Scope, plan: Plan) -> QuerySet[VehicleTask]:
    return scope.filter(plan.tasks.select_related("facility")).annotate(n=Count("lines"))
