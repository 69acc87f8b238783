"""The day's transfer plan: proposed by the solvers' ``beds`` model over the waiting patients
and the free beds, reviewed with each decision's reason, confirmed once (a second confirmation
changes nothing), followed by the districts' progress rounds; what a day left undone goes back
to the waiting list for the next plan."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.regions.choices import Level
from fangkong.regions.models import Region
from fangkong.solvers import beds as solver
from fangkong.solvers.common import SolverInputError

from ..choices import (
    LEFT,
    PROGRESS,
    BedType,
    LineStatus,
    PatientStatus,
    PlanStatus,
    Severity,
    Vehicle,
)
from ..models import BedStock, Facility, Line, Operator, Patient, Plan, VehicleTask
from ..rules import limits_for
from .errors import BedsInvalid
from .inventory import do_admit

BUS_SEATS = 30
AMBULANCE = (Severity.CRITICAL, Severity.SEVERE)
SEVERITY_ZH = {
    "critical": "危重",
    "severe": "重症",
    "moderate": "普通型",
    "mild": "轻症",
    "contact": "密接",
}


@dataclass(frozen=True)
class Decision:
    facility: Facility | None
    bed_type: str
    km: float | None
    zh: str
    en: str


def reserved_beds(path: str = "") -> Counter:
    """(facility id, bed type) → beds promised to patients of confirmed plans not yet in."""
    rows = (
        Line.objects.filter(facility_path__startswith=path, status__in=LEFT)
        .values("facility_id", "bed_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({(r["facility_id"], r["bed_type"]): r["n"] for r in rows})


def free_beds(path: str) -> tuple[dict[int, Facility], dict[tuple[int, str], int]]:
    """The facilities under ``path`` and their beds free for a new plan (free now, less what
    confirmed plans have promised)."""
    facilities = {f.pk: f for f in Facility.objects.filter(region_path__startswith=path)}
    reserved = reserved_beds(path)
    free: dict[tuple[int, str], int] = {}
    for s in BedStock.objects.filter(facility_id__in=list(facilities)):
        free[(s.facility_id, s.bed_type)] = max(0, s.free - reserved[(s.facility_id, s.bed_type)])
    return facilities, free


def carry_over(*, region: Region, user: User | None) -> int:
    """Close the earlier days' confirmed plans of the region: each line not done is carried,
    its patient back on the waiting list (still waiting since they first did)."""
    today = timezone.localdate()
    old = Plan.objects.filter(region=region, status=PlanStatus.CONFIRMED, on__lt=today)
    left = Line.objects.filter(plan__in=old, status__in=LEFT)
    patients = list(left.values_list("patient_id", flat=True))
    n = left.update(status=LineStatus.CARRIED, updated_by=user, updated_at=timezone.now())
    Patient.objects.filter(pk__in=patients, status=PatientStatus.PLANNED).update(
        status=PatientStatus.WAITING
    )
    old.update(status=PlanStatus.CLOSED)
    return n


def _district_paths() -> list[str]:
    return sorted(Region.objects.filter(level=Level.DISTRICT).values_list("path", flat=True))


def district_of(paths: list[str], path: str) -> str:
    for p in paths:
        if path.startswith(p):
            return p
    return path


def _reason_placed(p: Waiting, facility: Facility, bed_type: str, km: float, hours: float):
    needs = [n for n in p.needs if n != "with_child"]
    zh = (
        f"{SEVERITY_ZH[p.severity]}，安排{solver.BED_ZH[bed_type]}：{facility.name}，"
        f"{km:.1f} 公里；已等待 {hours:.0f} 小时"
    )
    en = f"{p.severity}: {bed_type} at {facility.name}, {km:.1f} km; waited {hours:.0f} h"
    if needs:
        zh += "；具备" + "、".join(solver.NEED_ZH[n] for n in needs) + "条件"
        en += "; has " + ", ".join(needs)
    if "with_child" in p.needs:
        zh += "；可陪护儿童"
        en += "; children may stay"
    return zh, en


def _solve(patients: list[Waiting], facilities: dict[int, Facility], free, max_km: float):
    now = timezone.now()
    hours = {p.pk: max(0.0, (now - p.since_at).total_seconds() / 3600) for p in patients}
    offered = [
        solver.Facility(
            str(f.pk),
            f.lat,
            f.lon,
            cast(Any, {t: free[(f.pk, t)] for t in BedType.values if free.get((f.pk, t))}),
            dialysis=f.dialysis,
            oxygen=f.oxygen,
            children=f.children,
        )
        for f in facilities.values()
    ]
    asked = [
        solver.Patient(
            str(p.pk),
            cast(float, p.lat),
            cast(float, p.lon),
            cast(Any, p.severity),
            min(p.age if p.age is not None else 65, 130),  # age unknown: a ward, not Fangcang
            round(hours[p.pk], 2),
            [n for n in solver.NEEDS if n in p.needs],
        )
        for p in patients
    ]
    decisions: dict[int, Decision] = {}
    try:
        solution = solver.solve(solver.Problem(offered, asked, max_km=max_km))
    except SolverInputError as e:
        reason = _("no facility with beds in the region") if e.where == "facilities" else str(e)
        return {p.pk: Decision(None, "", None, reason, e.message) for p in patients}
    by_pk = {p.pk: p for p in patients}
    for a in solution.assignments:
        p, f = by_pk[int(a.patient)], facilities[int(a.facility)]
        zh, en = _reason_placed(p, f, a.bed, a.km, hours[p.pk])
        decisions[p.pk] = Decision(f, a.bed, a.km, zh, en)
    for u in solution.unplaced:
        decisions[int(u.patient)] = Decision(None, "", None, u.explain.zh, u.explain.en)
    return decisions


def _children(children: list[Waiting], decisions: dict[int, Decision], left: Counter):
    for c in children:
        d = decisions.get(c.parent_id or 0)
        if d is None or d.facility is None:
            decisions[c.pk] = Decision(
                None,
                "",
                None,
                "家长尚未安排床位，儿童随家长",
                "waits with their parent: no bed for the parent",
            )
        elif left[(d.facility.pk, d.bed_type)] > 0:
            left[(d.facility.pk, d.bed_type)] -= 1
            decisions[c.pk] = Decision(
                d.facility,
                d.bed_type,
                d.km,
                f"随家长入住{d.facility.name}",
                f"with their parent at {d.facility.name}",
            )
        else:
            decisions[c.pk] = Decision(
                None,
                "",
                None,
                f"{d.facility.name}已无空床供儿童随同家长",
                f"no bed left beside their parent at {d.facility.name}",
            )


@dataclass(frozen=True)
class Waiting:
    """What a proposal reads of a waiting patient (plain values: 20,000 of them at once)."""

    pk: int
    region_path: str
    lat: float | None
    lon: float | None
    severity: str
    age: int | None
    needs: list[str]
    since_at: dt.datetime
    parent_id: int | None


WAITING_FIELDS = (
    "pk",
    "region_path",
    "lat",
    "lon",
    "severity",
    "age",
    "needs",
    "since_at",
    "parent_id",
)
LINE_FIELDS = [
    "id",
    "plan",
    "patient",
    "region_path",
    "district_path",
    "facility",
    "facility_path",
    "bed_type",
    "km",
    "reason",
    "reason_en",
    "status",
    "refused_reason",
    "updated_at",
]
NO_PICKUP = Decision(
    None, "", None, "所在区域没有接送点坐标", "no pickup point is set for their region"
)


def _write_lines(plan: Plan, waiting: list[Waiting], decisions: dict[int, Decision]) -> None:
    """A line per waiting patient, by COPY (PostgreSQL) or batched inserts."""
    districts = _district_paths()
    now = timezone.now()
    rows = BulkWriter(Line, LINE_FIELDS)
    for line_id, p in zip(reserve_ids(Line, len(waiting)), waiting, strict=True):
        d = decisions.get(p.pk) or NO_PICKUP
        f = d.facility
        rows.rows.append(
            (
                line_id,
                plan.pk,
                p.pk,
                p.region_path,
                district_of(districts, p.region_path),
                f.pk if f else None,
                f.region_path if f else "",
                d.bed_type,
                d.km,
                d.zh[:300],
                d.en[:300],
                LineStatus.PROPOSED if f else LineStatus.UNPLACED,
                "",
                now,
            )
        )
        if len(rows.rows) >= 5000:
            rows.flush()
    rows.flush()


@transaction.atomic
def check_propose_plan(*, scope: Scope, user: User, region: Region) -> Plan:
    """Today's proposal for ``region``: the waiting list brought up to date, earlier days'
    undone lines carried back to it, then every waiting patient placed or told why not. An
    unconfirmed proposal of the day is replaced."""
    from .waiting import take_in_waiting

    scope.require(Cap.BEDS_PLAN)
    if not scope.contains(region.path):
        raise BedsInvalid({"region": _("outside your region")})
    started = time.perf_counter()
    today = timezone.localdate()
    take_in_waiting(path=region.path)
    carry_over(region=region, user=user)
    Plan.objects.filter(region=region, on=today, status=PlanStatus.PROPOSED).delete()
    limits = limits_for(region.path)
    facilities, free = free_beds(region.path)
    waiting = [
        Waiting(*row)
        for row in Patient.objects.filter(
            region_path__startswith=region.path, status=PatientStatus.WAITING
        ).values_list(*WAITING_FIELDS)
    ]
    located = [p for p in waiting if p.lat is not None and p.parent_id is None]
    children = [p for p in waiting if p.lat is not None and p.parent_id is not None]
    decisions = _solve(located, facilities, free, float(limits.max_km)) if located else {}
    left = Counter(free)
    for d in decisions.values():
        if d.facility is not None:
            left[(d.facility.pk, d.bed_type)] -= 1
    _children(children, decisions, left)
    plan = Plan.objects.create(
        region=region, region_path=region.path, on=today, max_km=limits.max_km, created_by=user
    )
    _write_lines(plan, waiting, decisions)
    Plan.objects.filter(pk=plan.pk).update(seconds=time.perf_counter() - started)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def check_confirm_plan(*, scope: Scope, user: User, plan: Plan) -> Plan:
    """Confirm a proposal: its patients move into the plan, transport is requested. Confirming
    a confirmed plan again changes nothing; a line whose patient stopped waiting, or whose bed
    went since the proposal, is left out with that reason."""
    scope.require(Cap.BEDS_PLAN)
    if not scope.contains(plan.region_path):  # a district reads the city's plan, never confirms
        raise BedsInvalid({"plan": _("outside your region")})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.CONFIRMED:
        return plan
    if plan.status != PlanStatus.PROPOSED or plan.on != timezone.localdate():
        raise BedsInvalid({"plan": _("only today's proposal can be confirmed; propose again")})
    proposed = list(plan.lines.filter(status=LineStatus.PROPOSED).select_related("patient"))
    stocks = {
        (s.facility_id, s.bed_type): s
        for s in BedStock.objects.select_for_update()
        .filter(facility_id__in={ln.facility_id for ln in proposed})
        .order_by("pk")
    }
    reserved = reserved_beds()
    keep, drop = [], []
    for ln in proposed:
        key = (ln.facility_id or 0, ln.bed_type)
        stock = stocks.get(key)
        if stock is not None and stock.free - reserved[key] > 0:
            reserved[key] += 1
            keep.append(ln)
        else:
            drop.append(ln)
    moved = set(
        Patient.objects.filter(
            pk__in=[ln.patient_id for ln in keep], status=PatientStatus.WAITING
        ).values_list("pk", flat=True)
    )
    Patient.objects.filter(pk__in=moved).update(status=PatientStatus.PLANNED)
    now = timezone.now()
    Line.objects.filter(pk__in=[ln.pk for ln in keep if ln.patient_id in moved]).update(
        status=LineStatus.CONFIRMED, updated_by=user, updated_at=now
    )
    Line.objects.filter(pk__in=[ln.pk for ln in keep if ln.patient_id not in moved]).update(
        status=LineStatus.UNPLACED,
        reason="确认时患者已不在等待名单",
        reason_en="no longer waiting when the plan was confirmed",
    )
    Line.objects.filter(pk__in=[ln.pk for ln in drop]).update(
        status=LineStatus.UNPLACED,
        reason="确认前该床位已被占用",
        reason_en="the bed was taken before the plan was confirmed",
    )
    _request_transport(plan)
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.CONFIRMED, confirmed_by=user, confirmed_at=now
    )
    plan.refresh_from_db()
    return plan


def _request_transport(plan: Plan) -> None:
    """An ambulance for each critical or severe patient; buses of up to BUS_SEATS for the rest,
    by pickup region and destination."""
    lines = list(
        plan.lines.filter(status=LineStatus.CONFIRMED)
        .select_related("patient")
        .order_by("region_path", "facility_id", "pk")
    )
    groups: dict[tuple[str, int | None], list[Line]] = defaultdict(list)
    tasks: list[tuple[VehicleTask, list[Line]]] = []
    for ln in lines:
        if ln.patient.severity in AMBULANCE:
            tasks.append((_task(plan, Vehicle.AMBULANCE, ln, 1), [ln]))
        else:
            groups[(ln.region_path, ln.facility_id)].append(ln)
    for group in groups.values():
        for i in range(0, len(group), BUS_SEATS):
            seat = group[i : i + BUS_SEATS]
            tasks.append((_task(plan, Vehicle.BUS, seat[0], len(seat)), seat))
    VehicleTask.objects.bulk_create([t for t, _lines in tasks], batch_size=2000)
    for t, seat in tasks:
        for ln in seat:
            ln.task = t
    Line.objects.bulk_update([ln for _t, seat in tasks for ln in seat], ["task"], batch_size=2000)


def _task(plan: Plan, vehicle: str, line: Line, seats: int) -> VehicleTask:
    return VehicleTask(
        plan=plan,
        vehicle=vehicle,
        region_path=line.region_path,
        facility_id=cast(int, line.facility_id),
        seats=seats,
    )


@transaction.atomic
def check_report_progress(
    *, scope: Scope, user: User, line: Line, status: str, reason: str = ""
) -> Line:
    """A district's round: a planned patient picked up, admitted (the bed taken), or refused
    with the reason (the patient goes back on the waiting list)."""
    scope.require(Cap.BEDS_PROGRESS)
    errors: dict[str, str] = {}
    if status not in PROGRESS:
        errors["status"] = _("allowed: %(a)s") % {
            "a": ", ".join(str(LineStatus(s).label) for s in PROGRESS)
        }
    elif status == LineStatus.REFUSED and not reason.strip():
        errors["reason"] = _("say why the transfer was refused")
    if errors:
        raise BedsInvalid(errors)
    line = Line.objects.select_for_update().get(pk=line.pk)
    if line.status not in PROGRESS[LineStatus(status)]:
        if line.status == status:
            return line  # the same round sent twice
        raise BedsInvalid(
            {
                "status": _("this patient is %(now)s; %(to)s is not possible from there")
                % {"now": line.get_status_display(), "to": LineStatus(status).label}
            }
        )
    if status == LineStatus.ADMITTED:
        do_admit(patient=line.patient, user=user, line=line)
    elif status == LineStatus.REFUSED:
        Line.objects.filter(pk=line.pk).update(
            status=status,
            refused_reason=reason.strip()[:200],
            updated_by=user,
            updated_at=timezone.now(),
        )
        Patient.objects.filter(pk=line.patient_id, status=PatientStatus.PLANNED).update(
            status=PatientStatus.WAITING
        )
    else:
        Line.objects.filter(pk=line.pk).update(
            status=status, updated_by=user, updated_at=timezone.now()
        )
    line.refresh_from_db()
    return line


def check_admit(*, scope: Scope, user: User, patient: Patient) -> Patient:
    """A hospital operator admits a patient the plan sends to their own facility."""
    scope.require(Cap.BEDS_KEEP)
    mine = Operator.objects.filter(user=user).values_list("facility_id", flat=True).first() or 0
    line = (
        Line.objects.filter(patient=patient, status__in=LEFT, facility_id=mine)
        .order_by("-plan_id")
        .first()
    )
    if line is None:
        raise BedsInvalid({"patient": _("the plan does not send this patient to your facility")})
    return do_admit(patient=patient, user=user, line=line)
