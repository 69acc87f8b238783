"""Supplies API: the points a user reaches, their balances, and every movement a keeper's phone
writes (each with its client id: a retry answers the first write, ``created: false``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from ninja import Router, Schema
from pydantic import Field

from fangkong.accounts.scope import scope_of
from fangkong.common.digits import is_ascii_number
from fangkong.common.params import ErrorOut, Id, error_responses, int_or
from fangkong.regions.models import Household

from .. import selectors
from ..choices import MovementKind, Origin
from ..models import Item
from ..services import (
    Lot,
    StockInvalid,
    StockShort,
    Written,
    check_count,
    check_issue,
    check_receive,
    check_receive_transfer,
    check_reverse,
    check_transfer,
    check_write_off,
)

router = Router(tags=["supplies"])
Qty = Annotated[int, Field(ge=1, le=10**12 - 1)]
Text = Annotated[str, Field(max_length=100)]


class PointOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region: str


class LotOut(Schema):
    item: str
    unit: str
    batch: str
    expires_on: dt.date | None
    qty: int


class MovementOut(Schema):
    id: int
    kind: str
    item: str
    batch: str
    expires_on: dt.date | None
    qty: int
    at: dt.datetime
    transfer: int | None


class WrittenOut(Schema):
    created: bool
    movements: list[MovementOut]


class ShortOut(ErrorOut):
    """A refused movement: what is wrong by field; for short stock, how much is ``left``."""

    left: int | None = None


def _item(name_or_id: str) -> Item | None:
    if is_ascii_number(name_or_id):
        return Item.objects.filter(pk=int_or(name_or_id[:18], 0)).first()
    return Item.objects.filter(name=" ".join(name_or_id.split())).first()


def _out(written: Written) -> dict:
    return {
        "created": written.created,
        "movements": [
            {
                "id": m.pk,
                "kind": m.kind,
                "item": m.item.name,
                "batch": m.batch,
                "expires_on": m.expires_on,
                "qty": m.qty,
                "at": m.at,
                "transfer": m.transfer_id,
            }
            for m in written.movements
        ],
    }


def _refused(e: StockInvalid) -> tuple[int, dict]:
    body: dict = {"detail": e.errors}
    if isinstance(e, StockShort):
        body["left"] = e.left
    return 422, body


WRITE = {**error_responses(403, 404), 200: WrittenOut, 422: ShortOut}


@router.get("/points", response={200: list[PointOut], **error_responses(403)})
def list_points(request):
    """The points the caller reaches: a keeper's own, or every point of staff's region."""
    scope = scope_of(request.user)
    return [
        {"id": p.pk, "code": p.code, "name": p.name, "kind": p.kind, "region": p.region.code}
        for p in selectors.points(scope).order_by("region_path", "code")[:1000]
    ]


@router.get("/points/{code}/balances", response={200: list[LotOut], **error_responses(403, 404)})
def point_balances(request, code: str):
    """A point's stock, per item and lot, first expiring first."""
    scope = scope_of(request.user)
    point = selectors.point_or_404(scope, code)
    return [
        {
            "item": b.item.name,
            "unit": b.item.unit,
            "batch": lot.batch,
            "expires_on": lot.expires_on,
            "qty": lot.qty,
        }
        for b in selectors.balances(scope, point)
        for lot in b.lots
    ]


class LotIn(Schema):
    client_id: uuid.UUID  # made by the phone, one per movement: a retry is written once
    item: Text  # the catalog's name or id
    batch: Annotated[str, Field(max_length=50)] = ""
    expires_on: dt.date | None = None


class ReceiptIn(LotIn):
    qty: Qty
    origin: str = Origin.PROCUREMENT  # procurement, donation, allocated
    supplier: Text = ""  # the supplier, or the donor
    funding: Text = ""
    reference: Annotated[str, Field(max_length=64)] = ""


class IssueIn(LotIn):
    qty: Qty
    recipient: Text = ""  # the receiving unit
    household_id: Id | None = None  # or a household of the point's area
    reference: Annotated[str, Field(max_length=64)] = ""


class CountIn(LotIn):
    counted: Annotated[int, Field(ge=0, le=10**12 - 1)]
    reason: Annotated[str, Field(max_length=200)] = ""


class TransferIn(LotIn):
    qty: Qty
    to: Annotated[str, Field(max_length=32)]  # the receiving point's code


class WriteOffIn(LotIn):
    qty: Qty
    kind: str = MovementKind.LOSS  # loss or expiry
    reason: Annotated[str, Field(max_length=200)]


class ClientIdIn(Schema):
    client_id: uuid.UUID


class ReverseIn(ClientIdIn):
    reason: Annotated[str, Field(max_length=200)]


def _lot(data: LotIn, *, fefo: bool) -> Lot | None:
    if fefo and not data.batch and data.expires_on is None:
        return None  # first expiring first out
    return Lot(" ".join(data.batch.split()), data.expires_on)


def _kept(request, code: str, data: LotIn):
    scope = scope_of(request.user)
    point = selectors.kept_point_or_404(scope, code)
    item = _item(data.item)
    if item is None:
        raise StockInvalid({"item": "no item of that name in the catalog"})
    return scope, point, item


@router.post("/points/{code}/receipts", response=WRITE)
def post_receipt(request, code: str, data: ReceiptIn):
    """Stock received at a point the caller keeps."""
    try:
        _scope, point, item = _kept(request, code, data)
        done = check_receive(
            point=point,
            item=item,
            qty=data.qty,
            client_id=data.client_id,
            origin=data.origin,
            supplier=data.supplier,
            funding=data.funding,
            lot=_lot(data, fefo=False) or Lot(),
            reference=data.reference,
            user=request.user,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/points/{code}/issues", response=WRITE)
def post_issue(request, code: str, data: IssueIn):
    """Stock handed out; without a batch, first expiring first out. Short stock is a 422 that
    says how much is left (``left``)."""
    try:
        _scope, point, item = _kept(request, code, data)
        household = None
        if data.household_id is not None:
            household = Household.objects.filter(pk=data.household_id).first()
            if household is None:
                raise StockInvalid({"household": "no such household"})
        done = check_issue(
            point=point,
            item=item,
            qty=data.qty,
            client_id=data.client_id,
            recipient=data.recipient,
            household=household,
            lot=_lot(data, fefo=True),
            reference=data.reference,
            user=request.user,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/points/{code}/counts", response=WRITE)
def post_count(request, code: str, data: CountIn):
    """A physical count of one lot; the movement is the difference from the books."""
    try:
        _scope, point, item = _kept(request, code, data)
        done = check_count(
            point=point,
            item=item,
            counted=data.counted,
            client_id=data.client_id,
            lot=_lot(data, fefo=False) or Lot(),
            reason=data.reason,
            user=request.user,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/points/{code}/transfers", response=WRITE)
def post_transfer(request, code: str, data: TransferIn):
    """Stock sent to another point of the caller's region: in transit until taken in."""
    try:
        scope, point, item = _kept(request, code, data)
        to = selectors.destinations(scope, point).filter(code=data.to).first()
        if to is None:
            raise StockInvalid({"to": "no such point in your area"})
        done = check_transfer(
            point=point,
            to_point=to,
            item=item,
            qty=data.qty,
            client_id=data.client_id,
            lot=_lot(data, fefo=True),
            user=request.user,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/points/{code}/write-offs", response=WRITE)
def post_write_off(request, code: str, data: WriteOffIn):
    """Stock lost or expired, with the reason."""
    try:
        _scope, point, item = _kept(request, code, data)
        done = check_write_off(
            point=point,
            item=item,
            qty=data.qty,
            client_id=data.client_id,
            kind=data.kind,
            reason=data.reason,
            lot=_lot(data, fefo=True),
            user=request.user,
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/transfers/{pk}/take-in", response=WRITE)
def post_take_in(request, pk: Id, data: ClientIdIn):
    """The receiving keeper takes a transfer in."""
    transfer = selectors.transfer_or_404(scope_of(request.user), pk)
    try:
        done = check_receive_transfer(
            transfer=transfer, client_id=data.client_id, user=request.user
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)


@router.post("/movements/{pk}/reverse", response=WRITE)
def post_reverse(request, pk: Id, data: ReverseIn):
    """Correct a movement by its opposite (never by an edit)."""
    scope = scope_of(request.user)
    movement = selectors.movement_or_404(scope, pk)
    selectors.kept_point_or_404(scope, movement.point.code)
    try:
        done = check_reverse(
            movement=movement, client_id=data.client_id, reason=data.reason, user=request.user
        )
    except StockInvalid as e:
        return _refused(e)
    return 200, _out(done)
