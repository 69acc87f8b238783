"""Beds API: facilities and their bed figures; a hospital system's count of its beds; the
waiting list; admitting a planned patient; a plan's progress per district."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Router, Schema
from pydantic import Field

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import Id, error_responses

from . import selectors
from .choices import BedType
from .services import BedCount, BedsInvalid, check_admit, check_report_beds

router = Router(tags=["beds"])
Beds = Annotated[int, Field(ge=0, le=100_000)]


class BedFigureOut(Schema):
    bed_type: str
    capacity: int
    occupied: int
    blocked: int
    free: int  # free now, less beds promised to confirmed plans
    reported_at: dt.datetime
    reported_by: str
    stale: bool


class BedFacilityOut(Schema):
    code: str
    name: str
    kind: str
    region: str
    dialysis: bool
    children: bool
    beds: list[BedFigureOut]


class BedCountIn(Schema):
    bed_type: BedType
    occupied: Beds
    blocked: Beds = 0
    free: Beds | None = None


class BedReportIn(Schema):
    beds: Annotated[list[BedCountIn], Field(min_length=1, max_length=len(BedType.values))]


class WaitingPatientOut(Schema):
    id: int
    name: str  # masked
    severity: str
    age: int | None
    needs: list[str]
    region: str
    since_at: dt.datetime
    hours: float
    over_limit: bool


class PlanDistrictOut(Schema):
    district: str
    name: str
    planned: int
    done: int
    left: int
    counts: dict[str, int]


class AdmittedPatientOut(Schema):
    id: int
    status: str
    facility: str
    bed_type: str


def _facility(f, figures) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "kind": f.kind,
        "region": f.region.code,
        "dialysis": f.dialysis,
        "children": f.children,
        "beds": [
            {
                "bed_type": x.stock.bed_type,
                "capacity": x.stock.capacity,
                "occupied": x.stock.occupied,
                "blocked": x.stock.blocked,
                "free": x.free_now,
                "reported_at": x.stock.reported_at,
                "reported_by": x.stock.reported_by.username if x.stock.reported_by else "",
                "stale": x.stale,
            }
            for x in figures
        ],
    }


@router.get("/facilities", response={200: list[BedFacilityOut], **error_responses(403)})
def list_facilities(request):
    """The facilities the caller reaches (an operator: their own) with each bed type's figures,
    when last counted and by whom, and whether that count is stale."""
    scope = scope_of(request.user)
    found = list(selectors.facilities(scope)[:1000])
    figures = selectors.figures(scope, found)
    return [_facility(f, figures[f.pk]) for f in found]


@router.post("/facilities/{code}/beds", response={200: BedFacilityOut, **error_responses(403, 404)})
def report_beds(request, code: str, payload: BedReportIn):
    """A hospital system's count of its beds (one or more types, all or nothing): occupied and
    blocked, and free if it counts them too (checked against the capacity). Sending the same
    count again changes nothing but the time of the count."""
    scope = scope_of(request.user)
    facility = selectors.kept_facility_or_404(scope, code)
    try:
        check_report_beds(
            scope=scope,
            user=request.user,
            facility=facility,
            counts=[BedCount(c.bed_type, c.occupied, c.blocked, c.free) for c in payload.beds],
        )
    except BedsInvalid as e:
        return 422, {"detail": e.errors}
    return _facility(facility, selectors.figures(scope, [facility])[facility.pk])


@router.get("/waiting", response={200: list[WaitingPatientOut], **error_responses(403)})
def list_waiting(request):
    """Patients waiting in the caller's region, most severe then longest waiting first."""
    scope = scope_of(request.user)
    rows, _total, _over = selectors.waiting(scope, limit=1000)
    return [
        {
            "id": w.patient.pk,
            "name": w.name,
            "severity": w.patient.severity,
            "age": w.patient.age,
            "needs": w.patient.needs,
            "region": w.patient.region_path.rstrip("/").rsplit("/", 1)[-1],
            "since_at": w.patient.since_at,
            "hours": round(w.hours, 1),
            "over_limit": w.over,
        }
        for w in rows
    ]


ADMIT_OUT = {200: AdmittedPatientOut, **error_responses(403, 404)}


@router.post("/patients/{pk}/admit", response=ADMIT_OUT)
def admit_patient(request, pk: Id):
    """Admit a patient the plan sends to the operator's facility (a second call is refused:
    never admitted twice)."""
    scope = scope_of(request.user)
    scope.require(Cap.BEDS_KEEP)
    patient = selectors.patient_or_404(scope, pk)
    try:
        patient = check_admit(scope=scope, user=request.user, patient=patient)
    except BedsInvalid as e:
        return 422, {"detail": e.errors}
    return {
        "id": patient.pk,
        "status": patient.status,
        "facility": patient.facility.code,
        "bed_type": patient.bed_type,
    }


PROGRESS_OUT = {200: list[PlanDistrictOut], **error_responses(403, 404)}


@router.get("/plans/{pk}/progress", response=PROGRESS_OUT)
def plan_progress(request, pk: Id):
    """A plan's state per district as of now (a district: its own row)."""
    scope = scope_of(request.user)
    plan = selectors.plan_or_404(scope, pk)
    return [
        {
            "district": d.code,
            "name": d.name,
            "planned": d.planned,
            "done": d.done,
            "left": d.left,
            "counts": d.counts,
        }
        for d in selectors.progress(scope, plan)
    ]
