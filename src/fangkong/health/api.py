"""Health monitoring API: batch check-ins for other systems, the alert queue, the missing list
and the day's figures."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema
from pydantic import BaseModel

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import Day, Id, error_responses
from fangkong.people.models import Person
from fangkong.regions.choices import Level
from fangkong.regions.selectors import region_or_404

from . import selectors
from .choices import Source
from .services import MAX_BATCH, CheckInData, CheckInInvalid, record_check_ins
from .services.days import EARLIEST

router = Router(tags=["health"])


class CheckInIn(BaseModel):
    """A plain pydantic model: a batch holds 1,000 of them, and ninja's Schema runs a Python
    validator per object (a third of a batch's time)."""

    client_id: uuid.UUID  # made by the sender, a new one per reading: a retry is stored once
    person_id: Id
    # °C, 35.0–42.0: a number or the text as typed ("3６.5"), checked per record by the one
    # temperature rule (NaN, infinity or 36,5 refuse that record, not the batch)
    temperature: float | str
    measured_at: dt.datetime | None = None  # default: now; not in the future
    symptoms: list[str] = []  # fever, cough, fatigue, sore_throat, smell_taste, diarrhoea, breath
    source: str = Source.IMPORT


class CheckInBatchIn(BaseModel):
    records: list[CheckInIn]


class RejectOut(Schema):
    index: int
    errors: dict[str, str]


class CheckInBatchOut(Schema):
    created: int
    duplicates: int
    rejected: list[RejectOut]
    alerts: int


@router.post("/checkins", response={200: CheckInBatchOut, **error_responses(403)})
def post_check_ins(request, data: CheckInBatchIn):
    """Up to 1,000 check-ins a request. Each record is stored once per ``client_id`` and person
    (a retry never doubles: it counts as a duplicate); the same id with another person or
    another reading is a refused record, not a duplicate. Bad records are listed by index with
    what is wrong; the rest are stored.
    A temperature at or above the region's threshold, or shortness of breath, opens an alert."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_RECORD)
    if len(data.records) > MAX_BATCH:
        return 422, {"detail": {"records": f"at most {MAX_BATCH} records a request"}}
    ids = {r.person_id for r in data.records}
    persons = dict(  # no ORDER BY: compiling Person's default ordering costs a third of a ms
        scope.filter(Person.objects.filter(id__in=ids)).order_by().values_list("id", "region_path")
    )
    try:
        result = record_check_ins(
            items=[
                CheckInData(
                    client_id=r.client_id,
                    person_id=r.person_id,
                    temperature=r.temperature,
                    measured_at=r.measured_at,
                    symptoms=r.symptoms,
                    source=r.source,
                )
                for r in data.records
            ],
            persons=persons,
            recorded_by=request.user,
        )
    except CheckInInvalid as e:
        return 422, {"detail": e.errors}
    return 200, {
        "created": result.created,
        "duplicates": result.duplicates,
        "rejected": [{"index": i, "errors": e} for i, e in result.rejected],
        "alerts": len(result.alerts),
    }


class AlertOut(Schema):
    id: int
    person_id: int
    reason: str
    temperature: Decimal | None
    level: str
    opened_at: dt.datetime
    deadline_at: dt.datetime


@router.get("/alerts", response={200: list[AlertOut], **error_responses(403, 404)})
def list_alerts(request, region: str):
    """Open alerts in a region, the escalated and the most overdue first."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    return selectors.open_alerts(scope, region_or_404(scope, region))


class MissingOut(Schema):
    id: int
    name: str
    household: str


@router.get("/missing/{code}", response={200: list[MissingOut], **error_responses(403, 404)})
def list_missing(request, code: str):
    """Who in a grid has not checked in today (names only: call from the page)."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    grid = region_or_404(scope, code)
    if grid.level != Level.GRID:
        return []
    return [
        {"id": p.pk, "name": p.name, "household": p.household.label if p.household else ""}
        for p in selectors.missing_today(scope, grid)
    ]


class FiguresOut(Schema):
    code: str
    name: str
    expected: int  # due to report: under watch, or every resident (``due_among``)
    expected_reported: int  # of those due, who reported: never more than ``expected``
    due_among: str  # watched, residents, or mixed (parts follow different rules)
    reported: int  # people who reported, due or not (a count, not a share of ``expected``)
    check_ins: int
    residents: int
    alerts_open: int
    alerts_closed: int
    watched: dict[str, int]
    cases: int
    contacts: int
    passages: int
    turned_back: int


class SummaryOut(Schema):
    day: dt.date
    total: FiguresOut
    children: list[FiguresOut]


@router.get("/summary", response={200: SummaryOut, **error_responses(403, 404)})
def summary(request, region: str, day: Day | None = None):
    """The day's figures for a region and each region below it."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    target = region_or_404(scope, region)
    today = timezone.localdate()
    view = selectors.staff_view(scope, target, max(EARLIEST, min(day or today, today)))

    def out(r, f):
        return {"code": r.code, "name": r.name, **f.__dict__}

    return {
        "day": view.day,
        "total": out(target, view.total),
        "children": [out(r, f) for r, f in view.children],
    }
