"""Beds' section of the daily report: free beds by type and occupancy now, patients waiting
and those waiting past the region's limit, and the day's plans done and left. Registered from
``BedsConfig.ready()``.

Beds and the waiting list are as they stand now (a bed count is not kept per hour); the plan's
figures are those of the report's day. Rows per child region: facilities' beds by where the
facility is, patients by where they wait.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Item,
    Section,
    SectionFigures,
    add_rows,
    region_link,
    totals,
    values_by_moment,
    values_by_path,
)

from .choices import DONE, LEFT, BedType, LineStatus, PatientStatus
from .models import BedStock, Line, Patient
from .rules import limits_for


def _standing(scope: Scope, region: Region, values) -> None:
    """Beds and the waiting list as they stand now (kept by the hour, not per day)."""
    stocks = scope.filter(BedStock.objects.filter(region_path__startswith=region.path))
    for row in (
        stocks.values("region_path", "bed_type")
        .annotate(cap=Sum("capacity"), occ=Sum("occupied"), blk=Sum("blocked"))
        .order_by()
    ):
        bucket = values[row["region_path"]]
        free = row["cap"] - row["occ"] - row["blk"]
        bucket[f"free_{row['bed_type']}"] = bucket.get(f"free_{row['bed_type']}", 0) + free
        bucket["capacity"] = bucket.get("capacity", 0) + row["cap"]
        bucket["occupied"] = bucket.get("occupied", 0) + row["occ"]
    over_at = timezone.now() - dt.timedelta(hours=limits_for(region.path).waiting_hours)
    waiting = scope.filter(
        Patient.objects.filter(region_path__startswith=region.path, status=PatientStatus.WAITING)
    )
    add_rows(
        values,
        "waiting",
        waiting.values("region_path")
        .annotate(n=Count("id"), over=Count("id", filter=Q(since_at__lt=over_at)))
        .order_by(),
    )
    add_rows(
        values,
        "waiting_over",
        waiting.values("region_path")
        .annotate(n=Count("id", filter=Q(since_at__lt=over_at)))
        .order_by(),
    )


def _lines(scope: Scope, region: Region):
    """The plans' lines under the region that are in a confirmed plan."""
    return scope.filter(
        Line.objects.filter(region_path__startswith=region.path).exclude(
            status__in=(LineStatus.PROPOSED, LineStatus.UNPLACED)
        )
    )


def _plan_counts(day: dt.date, until: dt.datetime) -> dict:
    on = Q(plan__on=day)
    return {
        "planned": Count("id", filter=on),
        "done": Count("id", filter=on & Q(status__in=DONE)),
        "left": Count("id", filter=on & Q(status__in=LEFT)),
    }


def beds_figures(scope: Scope, region: Region, day: dt.date, until: dt.datetime) -> SectionFigures:
    scope.require(Cap.BEDS_VIEW)
    values = values_by_path()
    _standing(scope, region, values)
    lines = _lines(scope, region).filter(plan__on=day)
    for key, statuses in (("planned", None), ("done", DONE), ("left", LEFT)):
        qs = lines if statuses is None else lines.filter(status__in=statuses)
        add_rows(values, key, qs.values("region_path").annotate(n=Count("id")).order_by())
    total = totals(values)
    # each drill-down lists what its figure counts: the region's facilities, its waiting list
    link = region_link("beds:home", Cap.BEDS_VIEW, region.code)
    waiting_link = region_link("beds:waiting", Cap.BEDS_VIEW, region.code)
    figures = [
        Figure(
            f"free_{t}",
            _("Free %(type)s beds") % {"type": BedType(t).label},
            _("beds"),
            total.get(f"free_{t}", 0),
            note=_("as the facilities last counted them"),
            link=link,
        )
        for t in BedType.values
    ]
    figures += [
        Figure("capacity", _("Beds"), _("beds"), total.get("capacity", 0), link=link),
        Figure(
            "occupied",
            _("Occupied"),
            _("beds"),
            total.get("occupied", 0),
            of="capacity",
            note=_("of every bed of the region's facilities"),
        ),
        Figure(
            "waiting",
            _("Waiting for a bed"),
            _("people"),
            total.get("waiting", 0),
            link=waiting_link,
        ),
        Figure(
            "waiting_over",
            _("Waiting past the limit"),
            _("people"),
            total.get("waiting_over", 0),
            of="waiting",
            note=_("waiting longer than the region's limit"),
            link=waiting_link,
        ),
        Figure("planned", _("In the day's plan"), _("people"), total.get("planned", 0)),
        Figure(
            "done",
            _("Plan done"),
            _("people"),
            total.get("done", 0),
            of="planned",
            note=_("admitted or refused with a reason"),
        ),
        Figure(
            "left",
            _("Plan left"),
            _("people"),
            total.get("left", 0),
            of="planned",
            note=_("not yet admitted: carried to the next day's plan"),
        ),
    ]
    outstanding = []
    if total.get("waiting_over"):
        outstanding.append(
            Item(
                "waiting_over",
                _("%(n)d people waiting past the limit") % {"n": total["waiting_over"]},
                region.code,
                region.name,
                total["waiting_over"],
                waiting_link,
            )
        )
    return SectionFigures(figures=figures, values=dict(values), outstanding=outstanding)


def beds_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days: beds and the waiting list as they stand
    (as ``beds_figures`` gives them for any day), each day's plan as columns of one query."""
    scope.require(Cap.BEDS_VIEW)
    if not moments:
        return []
    standing = values_by_path()
    _standing(scope, region, standing)
    now = totals(standing)
    lines = _lines(scope, region).filter(plan__on__in=[d for d, _u in moments])
    return [now | totals(v) for v in values_by_moment(lines, moments, _plan_counts)]


def register_section() -> None:
    register_board = Board(figures=("waiting", "waiting_over", "left"))
    from fangkong.reports.sections import register

    register(
        Section(
            "beds",
            gettext_lazy("Beds and transfers"),
            40,
            beds_figures,
            Cap.BEDS_VIEW,
            register_board,
            trend=beds_totals,
        )
    )
