"""Donations through the API: the staff's list with each line's trace, and a keeper's phone
recording a donation received (its client id: a retry answers the first, ``created: false``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from fangkong.accounts.scope import scope_of
from fangkong.common.params import ErrorOut, PageNumber, error_responses

from .. import selectors
from ..choices import DonorKind
from ..services import DonorIn, LineIn, StockInvalid, check_receive_donation
from .stock import Qty, Text, _item, router


class DestinationOut(Schema):
    where: str
    point: str
    unit: str
    qty: int


class DonationLineOut(Schema):
    item: str
    unit: str
    qty: int
    passed_on: int
    destinations: list[DestinationOut]


class DonationOut(Schema):
    number: str
    donor: str
    shown_as: str
    point: str
    received_at: dt.datetime
    lines: list[DonationLineOut]


class DonationWritten(DonationOut):
    created: bool


class DonationLineIn(Schema):
    item: Text
    qty: Qty
    batch: Annotated[str, Field(max_length=40)] = ""
    expires_on: dt.date | None = None


class DonationIn(Schema):
    client_id: uuid.UUID
    donor_kind: DonorKind
    donor_name: Text
    phone: Annotated[str, Field(max_length=20)] = ""
    credit_code: Annotated[str, Field(max_length=30)] = ""
    named_in_public: bool = False
    lines: Annotated[list[DonationLineIn], Field(min_length=1, max_length=50)]
    note: Annotated[str, Field(max_length=200)] = ""


def _out(t: selectors.TracedDonation) -> dict:
    d = t.donation
    return {
        "number": d.number,
        "donor": d.donor.name,
        "shown_as": d.donor.shown_as,
        "point": d.point.code,
        "received_at": d.received_at,
        "lines": [
            {
                "item": x.line.item.name,
                "unit": x.line.item.unit,
                "qty": x.line.qty,
                "passed_on": x.passed_on,
                "destinations": [vars(dest) for dest in x.destinations],
            }
            for x in t.lines
        ],
    }


@router.get("/donations", response={200: list[DonationOut], **error_responses(403)})
def list_donations(request, page: PageNumber = 1):
    """Donations received at the points the caller reaches, newest first, with their trace."""
    _page, traced = selectors.traced_page(scope_of(request.user), page)
    return [_out(t) for t in traced]


@router.post(
    "/points/{code}/donations",
    response={200: DonationWritten, 422: ErrorOut, **error_responses(403, 404)},
)
def post_donation(request, code: str, body: DonationIn):
    """A donation received at a point the caller keeps: one receipt movement per line."""
    scope = scope_of(request.user)
    point = selectors.kept_point_or_404(scope, code)
    lines, errors = [], {}
    for n, line in enumerate(body.lines, 1):
        item = _item(line.item)
        if item is None:
            errors[f"line{n}_item"] = _("line %(n)s: %(item)s is not in the catalog") % {
                "n": n,
                "item": line.item,
            }
            continue
        lines.append(LineIn(item, line.qty, line.batch.strip(), line.expires_on))
    if errors:
        return 422, {"detail": errors}
    donor = DonorIn(
        body.donor_kind, body.donor_name, body.phone, body.credit_code, body.named_in_public
    )
    try:
        donation, created = check_receive_donation(
            point=point,
            donor=donor,
            lines=lines,
            client_id=body.client_id,
            note=body.note,
            user=request.user,
        )
    except StockInvalid as e:
        return 422, {"detail": e.errors}
    return {**_out(selectors.traced_donation(scope, donation.number)), "created": created}
