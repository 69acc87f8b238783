"""The daily report as JSON: aggregate figures only (no person's name or id), for a province
that reads its cities, and for other systems."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import Day, error_responses
from fangkong.regions.selectors import region_or_404

from . import selectors

router = Router(tags=["reports"])


class RegionOut(Schema):
    code: str
    name: str
    level: str


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    note: str
    of: str  # a share: the key of the figure holding its denominator ("" otherwise)
    in_rows: bool
    today: int
    yesterday: int
    change: int
    trend: list[int]  # the last 7 days, the report's day last


class RowOut(Schema):
    code: str
    name: str
    level: str
    values: dict[str, int]


class ItemOut(Schema):
    kind: str
    label: str
    region_code: str
    region_name: str
    count: int


class SectionOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]
    rows: list[RowOut]
    outstanding: list[ItemOut]


class ReportOut(Schema):
    format: int
    region: RegionOut
    day: dt.date
    as_of: dt.datetime
    compiled_at: dt.datetime
    version: int | None  # the issued version, None for figures compiled on request
    issued_at: dt.datetime | None
    sections: list[SectionOut]


@router.get("/daily", response={200: ReportOut, **error_responses(403, 404)})
def daily(request, region: str, day: Day | None = None, live: bool = False):
    """A region's daily report: the latest issued version of the day, or (none issued, or
    ``live``) compiled now. Figures today, yesterday, their change and the last 7 days, one row
    per region below, outstanding items; a day to come is refused."""
    scope = scope_of(request.user)
    scope.require(Cap.REPORTS_VIEW)
    target = region_or_404(scope, region)
    today = timezone.localdate()
    day = day or today
    if day > today:
        return 422, {"detail": {"day": "a day to come has no report"}}
    versions = [] if live else selectors.issued_versions(scope, target, day)
    if versions:
        issued = versions[-1]
        content = selectors.readable(scope, issued.content)
        version, issued_at = issued.version, issued.issued_at
    else:
        content = selectors.daily_report(scope, target, day)
        version, issued_at = None, None
    return {**selectors.public(content), "version": version, "issued_at": issued_at}
