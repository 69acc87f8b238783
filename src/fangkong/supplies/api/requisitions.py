"""Supplies API: requisitions (raise with a client id, follow, approve or reject) and
allocation rounds (propose at a point, read with explanations, adjust, confirm once)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import Http404
from ninja import Schema
from pydantic import Field

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import ErrorOut, Id, error_responses

from .. import selectors
from ..choices import Tier
from ..models import AllocationRound, Requisition
from ..services import (
    StockInvalid,
    check_adjust,
    check_confirm,
    check_decide,
    check_raise,
    propose_round,
)
from .stock import Qty, Text, _item, _refused, router

Note = Annotated[str, Field(max_length=200)]


class RequisitionOut(Schema):
    number: str
    unit: str
    item: str
    unit_of_measure: str
    qty: int
    filled: int
    tier: int
    needed_on: dt.date | None
    reason: str
    status: str
    need: str  # met, partly, waiting


class RequisitionIn(Schema):
    client_id: uuid.UUID  # made by the phone: the same request twice raises one requisition
    item: Text  # the catalog's name or id
    qty: Qty
    tier: Annotated[int, Field(ge=1, le=3)] = Tier.COMMUNITY
    unit: Text = ""  # the requesting unit's name; or
    point: Annotated[str, Field(max_length=32)] = ""  # a point the caller keeps
    needed_on: dt.date | None = None
    reason: Note = ""


class RaisedOut(Schema):
    created: bool
    requisition: RequisitionOut


class DecisionIn(Schema):
    approve: bool
    note: Note = ""


class LineOut(Schema):
    id: int
    requisition: str
    unit: str
    tier: int
    item: str
    asked: int
    proposed: int
    qty: int
    explain: dict[str, str]


class RoundOut(Schema):
    id: int
    point: str
    status: str
    tiers: list[dict]
    lines: list[LineOut]
    leftover: dict[str, int | float]


class AdjustIn(Schema):
    lines: dict[Id, Annotated[int, Field(ge=0, le=10**12 - 1)]]  # line id → quantity


class ConfirmedOut(RoundOut):
    created: bool  # false: the round had been confirmed before, nothing issued again
    movements: int


def _req_out(r: Requisition) -> dict:
    return {
        "number": r.number,
        "unit": r.unit,
        "item": r.item.name,
        "unit_of_measure": r.item.unit,
        "qty": r.qty,
        "filled": r.filled,
        "tier": r.tier,
        "needed_on": r.needed_on,
        "reason": r.reason,
        "status": r.status,
        "need": r.need,
    }


def _round_out(scope, rnd: AllocationRound) -> dict:
    lines = selectors.round_lines(scope, rnd)
    return {
        "id": rnd.pk,
        "point": rnd.point.code,
        "status": rnd.status,
        "tiers": rnd.tiers,
        "lines": [
            {
                "id": line.pk,
                "requisition": line.requisition.number,
                "unit": line.requisition.unit,
                "tier": line.requisition.tier,
                "item": line.item.name,
                "asked": line.asked,
                "proposed": line.proposed,
                "qty": line.qty,
                "explain": {"zh": line.explain_zh, "en": line.explain_en},
            }
            for line in lines
        ],
        "leftover": selectors.round_leftover(scope, rnd),
    }


WRITE_REQ = {**error_responses(403, 404), 200: RaisedOut, 422: ErrorOut}
ROUND = {**error_responses(403, 404), 200: RoundOut, 422: ErrorOut}


@router.get("/requisitions", response={200: list[RequisitionOut], **error_responses(403)})
def list_requisitions(request, status: str = ""):
    """An approver's region's requisitions, or a requester's own unit's (newest first)."""
    qs = selectors.requisitions(scope_of(request.user)).order_by("-raised_at", "-id")
    if status:
        qs = qs.filter(status=status[:20])
    return [_req_out(r) for r in qs[:1000]]


@router.post("/requisitions", response=WRITE_REQ)
def post_requisition(request, data: RequisitionIn):
    """Raise a requisition for the caller's unit: it waits for an approver."""
    scope = scope_of(request.user)
    scope.require(Cap.REQUISITION)
    try:
        point = None
        if data.point:
            point = selectors.kept_points(scope).filter(code=data.point).first()
            if point is None:
                raise StockInvalid({"point": "not a point you keep"})
        req, created = check_raise(
            user=request.user,
            region=request.user.scope_region,
            unit=data.unit,
            item=_item(data.item),
            qty=data.qty,
            tier=data.tier,
            client_id=data.client_id,
            needed_on=data.needed_on,
            reason=data.reason,
            unit_point=point,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, {"created": created, "requisition": _req_out(req)}


@router.get("/requisitions/{number}", response={200: RequisitionOut, **error_responses(403, 404)})
def get_requisition(request, number: str):
    return _req_out(selectors.requisition_or_404(scope_of(request.user), number))


@router.post(
    "/requisitions/{number}/decision",
    response={**error_responses(403, 404), 200: RequisitionOut, 422: ErrorOut},
)
def post_decision(request, number: str, data: DecisionIn):
    """An approver approves or rejects (with a note) a requisition waiting for approval."""
    scope = scope_of(request.user)
    scope.require(Cap.ALLOCATE)
    req = selectors.requisition_or_404(scope, number)
    try:
        req = check_decide(requisition=req, approve=data.approve, user=request.user, note=data.note)
    except StockInvalid as e:
        return _refused(e)
    return 200, _req_out(req)


@router.post("/points/{code}/rounds", response=ROUND)
def post_round(request, code: str):
    """Propose an allocation round of the point's stock (nothing is issued)."""
    scope = scope_of(request.user)
    point = selectors.round_points(scope).filter(code=code).first()
    if point is None:
        raise Http404
    rnd = propose_round(point=point, user=request.user)
    return 200, _round_out(scope, rnd)


@router.get("/rounds/{round_id}", response=ROUND)
def get_round(request, round_id: Id):
    scope = scope_of(request.user)
    return 200, _round_out(scope, selectors.round_or_404(scope, round_id))


@router.post("/rounds/{round_id}/adjust", response=ROUND)
def post_adjust(request, round_id: Id, data: AdjustIn):
    """Change some lines' quantities of a proposal (all or nothing)."""
    scope = scope_of(request.user)
    rnd = selectors.round_or_404(scope, round_id)
    try:
        check_adjust(round=rnd, quantities=dict(data.lines), user=request.user)
    except StockInvalid as e:
        return _refused(e)
    return 200, _round_out(scope, rnd)


@router.post(
    "/rounds/{round_id}/confirm",
    response={**error_responses(403, 404), 200: ConfirmedOut, 422: ErrorOut},
)
def post_confirm(request, round_id: Id):
    """Issue the round's quantities, once: a second confirm answers ``created: false``."""
    scope = scope_of(request.user)
    rnd = selectors.round_or_404(scope, round_id)
    try:
        done = check_confirm(round=rnd, user=request.user)
    except StockInvalid as e:
        return _refused(e)
    return 200, {
        **_round_out(scope, done.round),
        "created": done.created,
        "movements": done.movements,
    }
