"""A campaign's capacity plan through the solvers' ``capacity`` model: per part of a region,
the samplers and door-to-door teams needed, the swabs, tubes and protective suits, and when
the round finishes with the samplers on hand. Nothing is stored: the plan is read again with
other numbers whenever a planner changes them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.solvers import capacity
from fangkong.solvers.common import SolverInputError

from .. import selectors
from ..models import Campaign
from .errors import ScreeningInvalid

SWABS_PER_HOUR = 60  # a sampler at a point, one swab a minute
HOME_VISITS_PER_HOUR = 4  # a door-to-door team: stairs, gowning, a form
ROUND_HOURS = 8.0  # a round's working day when the campaign has no point with hours
MAX_SAMPLERS = 100_000


@dataclass(frozen=True)
class RoundPlan:
    """What the page shows: the numbers used, a row per area, the totals and one sentence."""

    samplers: int | None
    swabs_per_hour: float
    hours: float
    rows: list[tuple[selectors.PlanArea, capacity.AreaPlan]]
    total: capacity.Totals | None
    explain: str


def round_hours(campaign: Campaign) -> float:
    """The longest opening of the campaign's sampling points (a point open 07:00–20:00: 13
    hours), else ROUND_HOURS."""
    longest = 0.0
    for point in campaign.points.all():
        if point.opens_at and point.closes_at:
            day = dt.date(2000, 1, 1)
            span = dt.datetime.combine(day, point.closes_at) - dt.datetime.combine(
                day, point.opens_at
            )
            hours = span.total_seconds() / 3600
            longest = max(longest, hours if hours > 0 else hours + 24)  # open past midnight
    return longest or ROUND_HOURS


def _check(samplers: int | None, swabs_per_hour: float, hours: float) -> None:
    errors = {}
    if samplers is not None and not 0 <= samplers <= MAX_SAMPLERS:
        errors["samplers"] = _("samplers on hand: a whole number from 0 to %(max)d") % {
            "max": MAX_SAMPLERS
        }
    if not (math.isfinite(swabs_per_hour) and 1 <= swabs_per_hour <= 600):
        errors["swabs_per_hour"] = _("swabs a sampler takes an hour: 1 to 600")
    if not (math.isfinite(hours) and 0.5 <= hours <= 24):
        errors["hours"] = _("hours of sampling: 0.5 to 24")
    if errors:
        raise ScreeningInvalid(errors)


def plan_round(
    *,
    scope: Scope,
    campaign: Campaign,
    region: Region,
    samplers: int | None = None,
    swabs_per_hour: float = SWABS_PER_HOUR,
    hours: float | None = None,
    cover: selectors.Coverage | None = None,
) -> RoundPlan:
    """Plan what is left of the round in ``region``: the people of the target not yet sampled
    per area, those who stay at home by door-to-door teams; ``samplers`` on hand (None: as many
    as needed) are spread to finish soonest. Bad numbers raise ScreeningInvalid saying which."""
    scope.require(Cap.SCREENING_VIEW)
    hours = round_hours(campaign) if hours is None else hours
    _check(samplers, swabs_per_hour, hours)
    areas = [a for a in selectors.plan_areas(scope, campaign, region, cover) if a.to_swab > 0]
    if not areas:
        return RoundPlan(
            samplers, swabs_per_hour, hours, [], None, _("Everyone here has been sampled.")
        )
    problem = capacity.Problem(
        areas=[capacity.Area(a.id, a.to_swab, a.at_home) for a in areas],
        pool=campaign.pool_size,
        hours=float(hours),
        swabs_per_sampler_hour=float(swabs_per_hour),
        home_visits_per_team_hour=float(HOME_VISITS_PER_HOUR),
        samplers_available=samplers,
    )
    try:
        solution = capacity.solve(problem)
    except SolverInputError:
        walk_in = sum(1 for a in areas if a.to_swab > a.at_home)
        raise ScreeningInvalid(
            {
                "samplers": _(
                    "%(n)d samplers cannot cover %(areas)d areas with people to swab: at least "
                    "one for each"
                )
                % {"n": samplers or 0, "areas": walk_in}
            }
        ) from None
    by_id = {a.id: a for a in areas}
    rows = [(by_id[p.id], p) for p in solution.areas]
    rows.sort(key=lambda r: areas.index(r[0]))  # the page's order, not the solver's
    zh = (get_language() or "zh-hans").startswith("zh")
    explain = solution.explain.zh if zh else solution.explain.en
    return RoundPlan(samplers, swabs_per_hour, hours, rows, solution.total, explain)
