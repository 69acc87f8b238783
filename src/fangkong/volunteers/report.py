"""Volunteers' section of the daily report: active volunteers, who stood duty that day and who
is on duty at the report's moment, the day's shifts and hours, forgotten sign-outs and
applications waiting. Registered from ``VolunteersConfig.ready()``.

Every figure is one grouped query per region path (the post's for shifts, the home area's for
volunteers); hours are the closed shifts' minutes of the day, rounded to whole hours per area.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
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
    register,
    totals,
    values_by_moment,
    values_by_path,
)

from .choices import ShiftClose, VolunteerStatus
from .models import Shift, Volunteer

MAX_OUTSTANDING = 50


def _shift_values(scope: Scope, region: Region, day: dt.date, until: dt.datetime, values):
    """Shifts by the day they count for (indexed by day and area), signed in before ``until``."""
    shifts = scope.filter(
        Shift.objects.filter(region_path__startswith=region.path, signed_in_at__lt=until)
    )
    today = shifts.filter(day=day)
    add_rows(
        values,
        "stood",
        today.values("region_path").annotate(n=Count("volunteer_id", distinct=True)).order_by(),
    )
    add_rows(values, "shifts", today.values("region_path").annotate(n=Count("id")).order_by())
    # on duty at the moment: signed in that day or the night before, not yet out
    on_duty = shifts.filter(day__in=[day - dt.timedelta(days=1), day]).filter(
        Q(signed_out_at__isnull=True) | Q(signed_out_at__gt=until)
    )
    add_rows(
        values,
        "on_duty",
        on_duty.values("region_path").annotate(n=Count("volunteer_id", distinct=True)).order_by(),
    )
    closed = today.filter(signed_out_at__lte=until)
    for row in closed.values("region_path").annotate(m=Sum("minutes")).order_by():
        bucket = values[row["region_path"]]
        bucket["hours"] = bucket.get("hours", 0) + round((row["m"] or 0) / 60)
    add_rows(
        values,
        "forgotten",
        closed.filter(closed_how=ShiftClose.AUTO)
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by(),
    )


def volunteers_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    scope.require(Cap.VOLUNTEERS_VIEW)
    values = values_by_path()
    people = scope.filter(
        Volunteer.objects.filter(region_path__startswith=region.path, created_at__lt=until)
    )
    add_rows(
        values,
        "volunteers",
        people.filter(status=VolunteerStatus.ACTIVE)
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by(),
    )
    pending = people.filter(status=VolunteerStatus.PENDING)
    add_rows(values, "pending", pending.values("region_path").annotate(n=Count("id")).order_by())
    _shift_values(scope, region, day, until, values)
    total = totals(values)
    # each drill-down lists what its figure counts: the region's volunteers, its league of the
    # day, a region's applications waiting (the pages take the region; the user's own otherwise)
    home = region_link("volunteers:home", Cap.VOLUNTEERS_VIEW, region.code)
    league = region_link(
        "volunteers:league", Cap.VOLUNTEERS_VIEW, region.code, since=day, until=day
    )
    figures = [
        Figure("volunteers", _("Volunteers"), _("people"), total.get("volunteers", 0), link=home),
        Figure(
            "stood",
            _("Stood duty"),
            _("people"),
            total.get("stood", 0),
            note=_("volunteers who signed in to a shift that day"),
            link=league,
        ),
        Figure(
            "on_duty",
            _("On duty"),
            _("people"),
            total.get("on_duty", 0),
            note=_("signed in and not yet out at the report's moment"),
        ),
        Figure("shifts", _("Shifts"), _("shifts"), total.get("shifts", 0)),
        Figure(
            "hours",
            _("Hours of duty"),
            _("hours"),
            total.get("hours", 0),
            note=_("shifts of the day closed by the report's moment"),
        ),
        Figure(
            "forgotten",
            _("Forgotten sign-outs"),
            _("shifts"),
            total.get("forgotten", 0),
            note=_("closed by the system at the planned end: a supervisor checks them"),
        ),
        Figure("pending", _("Applications waiting"), _("people"), total.get("pending", 0)),
    ]
    outstanding = []
    regions = {
        r.path: r
        for r in Region.objects.filter(path__in=[p for p, v in values.items() if v.get("pending")])
    }
    for path, row in sorted(values.items()):
        if row.get("pending") and path in regions and len(outstanding) < MAX_OUTSTANDING:
            outstanding.append(
                Item(
                    "volunteer_applications",
                    _("Volunteer applications awaiting approval"),
                    regions[path].code,
                    regions[path].name,
                    row["pending"],
                    region_link(
                        "volunteers:home",
                        Cap.VOLUNTEERS_VIEW,
                        regions[path].code,
                        status=VolunteerStatus.PENDING,
                    ),
                )
            )
    return SectionFigures(figures=figures, values=dict(values), outstanding=outstanding)


def _people_counts(day: dt.date, until: dt.datetime) -> dict:
    before = Q(created_at__lt=until)
    return {
        "volunteers": Count("id", filter=before & Q(status=VolunteerStatus.ACTIVE)),
        "pending": Count("id", filter=before & Q(status=VolunteerStatus.PENDING)),
    }


def _shift_counts(day: dt.date, until: dt.datetime) -> dict:
    """What ``_shift_values`` counts for one day, as filtered aggregates."""
    that_day = Q(day=day, signed_in_at__lt=until)
    closed = that_day & Q(signed_out_at__lte=until)
    on_duty = Q(day__in=[day - dt.timedelta(days=1), day], signed_in_at__lt=until) & (
        Q(signed_out_at__isnull=True) | Q(signed_out_at__gt=until)
    )
    return {
        "stood": Count("volunteer_id", distinct=True, filter=that_day),
        "shifts": Count("id", filter=that_day),
        "on_duty": Count("volunteer_id", distinct=True, filter=on_duty),
        "minutes": Sum("minutes", filter=closed),
        "forgotten": Count("id", filter=closed & Q(closed_how=ShiftClose.AUTO)),
    }


def volunteers_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days: two queries, every day's figures as
    columns, each rounded per area as ``volunteers_figures`` rounds them."""
    scope.require(Cap.VOLUNTEERS_VIEW)
    if not moments:
        return []
    last = max(u for _d, u in moments)
    people = scope.filter(
        Volunteer.objects.filter(region_path__startswith=region.path, created_at__lt=last)
    )
    first = min(d for d, _u in moments) - dt.timedelta(days=1)
    shifts = scope.filter(
        Shift.objects.filter(
            region_path__startswith=region.path,
            signed_in_at__lt=last,
            day__gte=first,
            day__lte=max(d for d, _u in moments),
        )
    )
    by_people = values_by_moment(people, moments, _people_counts)
    out = []
    for of_people, of_shifts in zip(
        by_people, values_by_moment(shifts, moments, _shift_counts), strict=True
    ):
        for row in of_shifts.values():
            minutes = row.pop("minutes", 0)
            if minutes:
                row["hours"] = round(minutes / 60)
        out.append(totals(of_people) | totals(of_shifts))
    return out


def register_section() -> None:
    register(
        Section(
            "volunteers",
            gettext_lazy("Volunteers"),
            60,
            volunteers_figures,
            Cap.VOLUNTEERS_VIEW,
            Board(figures=("stood", "shifts", "hours")),
            trend=volunteers_totals,
        )
    )
