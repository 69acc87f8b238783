"""Mass testing's section of the daily report: swabs and tubes of the day, and the coverage of
the campaigns running that day. Registered from ``ScreeningConfig.ready()``.

Coverage counts people of each running campaign's target (in the report's region) sampled by
the report's moment; a region with several campaigns that day adds them up. Each figure is
grouped by region path (one query per figure and campaign), folded into child regions by the
report.

The trend (the report's earlier days, the dashboard's 14 days) says the same for several whole
days at once: swabs and tubes each in one query with a column per day, the campaigns running
on any of the days in one, and each campaign's coverage on the days it ran in one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Link,
    Section,
    SectionFigures,
    add_rows,
    day_start,
    register,
    totals,
    values_by_moment,
    values_by_path,
)

from . import selectors
from .models import Tube


def screening_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    scope.require(Cap.SCREENING_VIEW)
    start = day_start(day)
    values = values_by_path()
    swabs = selectors.swabs_between(scope, region.path, start, until)
    add_rows(values, "swabs", swabs.values("region_path").annotate(n=Count("id")).order_by())
    tubes = scope.filter(
        Tube.objects.filter(
            region_path__startswith=region.path, opened_at__gte=start, opened_at__lt=until
        )
    )
    add_rows(values, "tubes", tubes.values("region_path").annotate(n=Count("id")).order_by())
    for campaign in selectors.campaigns_running(scope, region.path, day):
        path = region.path if region.path.startswith(campaign.region_path) else campaign.region_path
        for grid, f in selectors.coverage_values(scope, campaign, path, until).items():
            bucket = values[grid]
            for key, n in (("target", f.target), ("tested", f.sampled), ("positive", f.positive)):
                bucket[key] = bucket.get(key, 0) + n
            bucket["untested"] = bucket.get("untested", 0) + f.untested
    return dict(values)


def screening_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    values = screening_values(scope, region, day, until)
    total = totals(values)
    link = Link(f"{reverse('screening:campaigns')}?region={region.code}", Cap.SCREENING_VIEW)
    people, times = _("people"), _("times")
    campaigns_note = _("the targets of the testing campaigns running that day")

    def f(key, label, unit, **kw):
        return Figure(key, label, unit, total.get(key, 0), link=link, **kw)

    figures = [
        f("swabs", _("Swabs taken"), times, note=_("swabs taken that day, anyone")),
        f("tubes", _("Tubes opened"), _("tubes")),
        f("target", _("To be tested"), people, note=campaigns_note),
        f("tested", _("Tested, of the target"), people, of="target", note=campaigns_note),
        f("untested", _("Not yet tested"), people, note=campaigns_note),
        f("positive", _("In a positive tube"), people, of="tested", note=campaigns_note),
    ]
    return SectionFigures(figures=figures, values=values)


def screening_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days (oldest first), as ``screening_figures``
    gives them day by day."""
    scope.require(Cap.SCREENING_VIEW)
    if not moments:
        return []
    start, end = day_start(moments[0][0]), moments[-1][1]

    def between(field: str):
        def aggregates(day: dt.date, until: dt.datetime) -> dict[str, Count]:
            span = Q(**{f"{field}__gte": day_start(day), f"{field}__lt": until})
            return {"n": Count("id", filter=span)}

        return aggregates

    swabs = selectors.swabs_between(scope, region.path, start, end)
    tubes = scope.filter(
        Tube.objects.filter(
            region_path__startswith=region.path, opened_at__gte=start, opened_at__lt=end
        )
    )
    out = [
        {"swabs": totals(s).get("n", 0), "tubes": totals(t).get("n", 0)}
        for s, t in zip(
            values_by_moment(swabs, moments, between("sampled_at")),
            values_by_moment(tubes, moments, between("opened_at")),
            strict=True,
        )
    ]
    days = [day for day, _until in moments]
    for campaign in selectors.campaigns_running(scope, region.path, days[0], days[-1]):
        path = region.path if region.path.startswith(campaign.region_path) else campaign.region_path
        running = [i for i, day in enumerate(days) if campaign.start_on <= day <= campaign.end_on]
        area = region if path == region.path else campaign.region
        found = selectors.coverage_totals(scope, campaign, area, [moments[i][1] for i in running])
        for i, f in zip(running, found, strict=True):
            day_totals = out[i]
            for key, n in (
                ("target", f.get("target", 0)),
                ("tested", f.get("sampled", 0)),
                ("positive", f.get("positive", 0)),
                ("untested", f.get("target", 0) - f.get("sampled", 0)),
            ):
                day_totals[key] = day_totals.get(key, 0) + n
    return out


def register_section() -> None:
    board = Board(figures=("swabs", "tested", "untested"), tiles="tested", league=("tested",))
    register(
        Section(
            "screening",
            gettext_lazy("Mass testing"),
            30,
            screening_figures,
            Cap.SCREENING_VIEW,
            board,
            trend=screening_totals,
        )
    )
