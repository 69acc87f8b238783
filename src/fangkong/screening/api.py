"""Mass testing API: campaigns for staff, and for the sampling phone a tube opened by barcode
and swabs sent in batches, each with its client id (a retried upload is stored once)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import BaseModel, Field

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import Day, Id, error_responses
from fangkong.regions.selectors import region_or_404

from . import selectors
from .choices import SampleSource, Target
from .samplefile import person_id_of_scan
from .services import (
    MAX_BATCH,
    ScreeningInvalid,
    SwabData,
    check_add_swabs,
    check_create_campaign,
    check_open_tube,
)

router = Router(tags=["screening"])


class CampaignOut(Schema):
    id: int
    name: str
    region: str
    start_on: dt.date
    end_on: dt.date
    pool_size: int
    target: str
    target_tag: str
    status: str


def _campaign_out(c) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "region": c.region.code,
        "start_on": c.start_on,
        "end_on": c.end_on,
        "pool_size": c.pool_size,
        "target": c.target,
        "target_tag": c.target_tag,
        "status": c.status,
    }


@router.get("/campaigns", response={200: list[CampaignOut], **error_responses(403, 404)})
def list_campaigns(request, region: str | None = None):
    """Campaigns covering the region (default: the caller's) or under it, newest first."""
    scope = scope_of(request.user)
    selectors.require_screening(scope)
    place = region_or_404(scope, region) if region else request.user.scope_region
    if place is None:
        return []
    return [_campaign_out(c) for c in selectors.campaigns_in(scope, place)[:100]]


class CampaignIn(BaseModel):
    region: str
    start_on: Day
    end_on: Day | None = None
    pool_size: int = Field(ge=1, le=20)  # 1, 5, 10 or 20 (another number: 422, saying so)
    name: str = Field("", max_length=100)
    target: str = Target.RESIDENTS
    target_tag: str = ""
    client_id: uuid.UUID | None = None  # the same id again returns the campaign made


@router.post("/campaigns", response={200: CampaignOut, **error_responses(403, 404)})
def create_campaign(request, data: CampaignIn):
    """Plan a campaign in a region of the caller's area (street staff and above)."""
    scope = scope_of(request.user)
    scope.require(Cap.SCREENING_PLAN)
    try:
        campaign = check_create_campaign(
            user=request.user,
            scope=scope,
            region=region_or_404(scope, data.region),
            start_on=data.start_on,
            end_on=data.end_on,
            pool_size=data.pool_size,
            name=data.name,
            target=data.target,
            target_tag=data.target_tag,
            client_id=data.client_id,
        )
    except ScreeningInvalid as e:
        return 422, {"detail": e.errors}
    return 200, _campaign_out(campaign)


class CoverageOut(Schema):
    target: int
    sampled: int
    resulted: int
    positive: int
    untested: int


@router.get(
    "/campaigns/{campaign_id}/coverage", response={200: CoverageOut, **error_responses(403, 404)}
)
def campaign_coverage(request, campaign_id: Id, region: str | None = None):
    """A region's coverage in the campaign (default: the caller's part of the campaign)."""
    scope = scope_of(request.user)
    scope.require(Cap.SCREENING_VIEW)
    campaign = selectors.campaign_or_404(scope, campaign_id)
    if region:
        place = region_or_404(scope, region)
    else:
        path = selectors.part_of(scope, campaign)
        place = campaign.region if path == campaign.region_path else request.user.scope_region
    return selectors.coverage(scope, campaign, place).total.as_dict()


class TubeIn(BaseModel):
    campaign: Id
    barcode: str = Field(max_length=60)
    client_id: uuid.UUID | None = None


class TubeOut(Schema):
    id: int
    barcode: str
    campaign: int
    pool_size: int
    status: str
    swabs: int
    created: bool


@router.post("/tubes", response={200: TubeOut, **error_responses(403, 404)})
def open_tube(request, data: TubeIn):
    """Open a tube by its barcode, or go on with one of the campaign still open; a barcode
    closed, sent or used in another campaign is refused (422, with the reason)."""
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    campaign = selectors.campaign_or_404(scope, data.campaign)
    try:
        tube, created = check_open_tube(
            user=request.user,
            scope=scope,
            campaign=campaign,
            barcode=data.barcode,
            client_id=data.client_id,
        )
    except ScreeningInvalid as e:
        return 422, {"detail": e.errors}
    return 200, {
        "id": tube.pk,
        "barcode": tube.barcode,
        "campaign": tube.campaign_id,
        "pool_size": tube.pool_size,
        "status": tube.status,
        "swabs": tube.samples.count(),
        "created": created,
    }


class SwabIn(BaseModel):
    client_id: uuid.UUID  # made by the phone, one per swab: a retry is stored once
    person_id: Id | None = None  # or ``code``: what the phone scanned (a resident's QR, P1234)
    code: str | None = Field(None, max_length=200)
    sampled_at: dt.datetime | None = None  # default: now; in the campaign's days
    point_id: Id | None = None


class SwabBatchIn(BaseModel):
    tube: Id
    records: list[SwabIn]


class SwabRejectOut(Schema):
    index: int
    reason: str


class SwabBatchOut(Schema):
    created: int
    duplicates: int
    repeats: list[int]  # persons already swabbed in this campaign: stored, flagged
    rejected: list[SwabRejectOut]
    tube_status: str
    swabs: int


def _swab_items(records: list[SwabIn]) -> tuple[list[tuple[int, SwabData]], list[tuple[int, str]]]:
    """The records as swabs, each with its index in the request; those naming nobody (no
    ``person_id``, a ``code`` that is no resident's) are refused with the reason."""
    items, unread = [], []
    for index, r in enumerate(records):
        person_id = r.person_id if r.person_id is not None else person_id_of_scan(r.code or "")
        if person_id is None:
            unread.append((index, _not_a_person(r.code)))
            continue
        items.append((index, SwabData(r.client_id, person_id, r.sampled_at, r.point_id)))
    return items, unread


def _not_a_person(code: str | None) -> str:
    if not code:
        return _("send the person's id or the code scanned from their resident page")
    return _("“%(code)s” is not a resident's code.") % {"code": code[:40]}


@router.post("/swabs", response={200: SwabBatchOut, **error_responses(403, 404)})
def add_swabs(request, data: SwabBatchIn):
    """Up to 200 swabs into one tube. Each is stored once per ``client_id`` (a retry counts as
    a duplicate); a person outside the caller's area, already in the tube, or past the pool
    size is a refused record with the reason; the tube closes when full."""
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    tube = selectors.tube_or_404(scope, data.tube)
    if len(data.records) > MAX_BATCH:
        return 422, {"detail": {"records": f"at most {MAX_BATCH} records a request"}}
    items, unread = _swab_items(data.records)
    try:
        result = check_add_swabs(
            user=request.user,
            scope=scope,
            tube=tube,
            items=[item for _index, item in items],
            source=SampleSource.API,
        )
    except ScreeningInvalid as e:
        return 422, {"detail": e.errors}
    rejected = unread + [(items[i][0], reason) for i, reason in result.rejected]
    return 200, {
        "created": result.created,
        "duplicates": result.duplicates,
        "repeats": result.repeats,
        "rejected": [{"index": i, "reason": r} for i, r in sorted(rejected)],
        "tube_status": result.tube.status,
        "swabs": result.tube.samples.count(),
    }
