"""Reads of days of cover and expected receipts for pages and reports, scoped like stock:
a point's cover for whoever reaches the point; a region's for staff whose region holds it."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region

from ..models import OutputReport, StockPoint
from ..services.cover import Cover, Place, cover
from .stock import points


def point_cover(scope: Scope, point: StockPoint, *, today: dt.date | None = None) -> list[Cover]:
    if not scope.contains(point.region_path):
        raise Http404
    return cover(Place.of_point(point), today=today)


def cover_region_or_404(scope: Scope, code: str | None) -> Region:
    """The region whose cover staff read (their own when none is named)."""
    scope.require(Cap.STOCK_VIEW)
    if not code:
        region = Region.objects.filter(path=scope.path).first() if scope.path else None
        region = region or Region.objects.filter(parent__isnull=True).order_by("path").first()
    else:
        region = Region.objects.filter(code=code).first()
    if region is None or not scope.contains(region.path):
        raise Http404
    return region


def region_cover(scope: Scope, region: Region, *, today: dt.date | None = None) -> list[Cover]:
    """Every point's stock under the region against the region's use."""
    scope.require(Cap.STOCK_VIEW)
    if not scope.contains(region.path):
        raise Http404
    return cover(Place.of_region(region.path), today=today)


def output_reports(scope: Scope) -> QuerySet[OutputReport]:
    """Output reports for the points the user reaches, latest first."""
    return OutputReport.objects.filter(to_point__in=points(scope)).select_related(
        "item", "to_point"
    )
