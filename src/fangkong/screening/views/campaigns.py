"""Staff pages: the campaigns of a region (and planning one), a campaign's coverage down to the
building, and a grid's untested, household by household."""

from __future__ import annotations

import math
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.digits import ascii_digits
from fangkong.common.params import date_or, int_or, time_or
from fangkong.people.choices import TagKind
from fangkong.regions.choices import Level
from fangkong.regions.selectors import breadcrumbs, region_or_404, region_or_home

from .. import selectors
from ..choices import PoolSize, Target, UntestedReason
from ..services import (
    ScreeningInvalid,
    check_add_point,
    check_add_team,
    check_create_campaign,
    check_record_untested,
)
from ..services.capacity import SWABS_PER_HOUR, plan_round, round_hours


def uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _region(request, scope):
    code = request.GET.get("region") or request.POST.get("region") or ""
    return region_or_home(scope, code, request.user.scope_region)


@login_required
def campaigns_page(request):
    """The campaigns covering a region or under it; planners create one here."""
    scope = scope_of(request.user)
    selectors.require_screening(scope)
    region = _region(request, scope)
    errors = None
    if request.method == "POST":
        scope.require(Cap.SCREENING_PLAN)
        try:
            campaign = check_create_campaign(
                user=request.user,
                scope=scope,
                region=region,
                start_on=date_or(request.POST.get("start_on")) or timezone.localdate(),
                end_on=date_or(request.POST.get("end_on")),
                pool_size=int_or(request.POST.get("pool_size"), 0),
                name=request.POST.get("name", ""),
                target=request.POST.get("target", Target.RESIDENTS),
                target_tag=request.POST.get("target_tag", ""),
                client_id=uuid_or_none(request.POST.get("client_id")),
            )
        except ScreeningInvalid as e:
            errors = e.errors
        else:
            return redirect("screening:campaign", pk=campaign.pk)
    return render(
        request,
        "screening/campaigns.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "campaigns": selectors.campaigns_in(scope, region)[:100],
            "can_plan": scope.can(Cap.SCREENING_PLAN),
            "can_sample": scope.can(Cap.SAMPLING),
            "can_view": scope.can(Cap.SCREENING_VIEW),
            "pools": PoolSize.choices,
            "targets": Target.choices,
            "tags": TagKind.choices,
            "client_id": uuid.uuid4(),
            "today": timezone.localdate(),
            "errors": errors,
        },
    )


def _campaign_region(request, scope, campaign):
    """The region of the campaign the page shows: ``?region=`` inside both the viewer's area
    and the campaign's region, else the viewer's part of the campaign."""
    code = request.GET.get("region") or ""
    if code:
        region = region_or_404(scope, code)
        if not region.path.startswith(campaign.region_path):
            raise Http404
        return region
    path = selectors.part_of(scope, campaign)
    if path == campaign.region_path:
        return campaign.region
    return request.user.scope_region


@login_required
def campaign_page(request, pk):
    """Coverage of a region in the campaign, a row per region below it (a grid: per
    building); its sampling points and door-to-door teams."""
    scope = scope_of(request.user)
    scope.require(Cap.SCREENING_VIEW)
    campaign = selectors.campaign_or_404(scope, pk)
    if request.method == "POST":
        return _plan(request, scope, campaign)
    region = _campaign_region(request, scope, campaign)
    cover = selectors.coverage(scope, campaign, region)
    plan, plan_errors = _capacity(request, scope, campaign, region, cover)
    plan_inputs = {
        "samplers": request.GET.get("samplers", ""),
        "swabs_per_hour": request.GET.get("swabs_per_hour") or f"{SWABS_PER_HOUR:g}",
        "hours": request.GET.get("hours") or f"{round_hours(campaign):g}",
    }
    return render(
        request,
        "screening/campaign.html",
        {
            "campaign": campaign,
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "cover": cover,
            "is_grid": region.level == Level.GRID,
            "points": campaign.points.all(),
            "teams": campaign.teams.all(),
            "can_plan": scope.can(Cap.SCREENING_PLAN),
            "can_sample": scope.can(Cap.SAMPLING),
            "can_list": scope.can(Cap.VIEW_PEOPLE),
            "errors": request.session.pop("screening_errors", None),
            "plan": plan,
            "plan_errors": plan_errors,
            "plan_inputs": plan_inputs,
        },
    )


def _number(value: str | None) -> float | None:
    """A number typed in the plan's form (any script's digits); None when blank or no number."""
    try:
        number = float(ascii_digits(value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _capacity(request, scope, campaign, region, cover):
    """The capacity plan with the numbers in ``?samplers=&swabs_per_hour=&hours=`` (blank: as
    many samplers as needed, the default rate, the points' hours)."""
    typed = {k: request.GET.get(k, "").strip() for k in ("samplers", "swabs_per_hour", "hours")}
    not_numbers = {
        k: _("“%(value)s” is not a number") % {"value": v[:20]}
        for k, v in typed.items()
        if v and _number(v) is None
    }
    if not_numbers:
        return None, not_numbers
    samplers, rate, hours = (_number(typed[k]) for k in ("samplers", "swabs_per_hour", "hours"))
    try:
        return plan_round(
            scope=scope,
            campaign=campaign,
            region=region,
            samplers=None if samplers is None else int(samplers),
            swabs_per_hour=SWABS_PER_HOUR if rate is None else rate,
            hours=hours,
            cover=cover,
        ), None
    except ScreeningInvalid as e:
        return None, e.errors


def _plan(request, scope, campaign):
    """Add a sampling point (with hours) or a door-to-door team."""
    scope.require(Cap.SCREENING_PLAN)
    try:
        if request.POST.get("action") == "team":
            check_add_team(
                scope=scope,
                campaign=campaign,
                name=request.POST.get("name", ""),
                members=request.POST.get("members", ""),
            )
        else:
            check_add_point(
                scope=scope,
                campaign=campaign,
                name=request.POST.get("name", ""),
                opens_at=time_or(request.POST.get("opens_at"), None),
                closes_at=time_or(request.POST.get("closes_at"), None),
            )
    except ScreeningInvalid as e:
        request.session["screening_errors"] = e.errors
    return redirect("screening:campaign", pk=campaign.pk)


@login_required
def untested_page(request, pk, code):
    """A grid's call-and-knock list: household by household, the target's members not yet
    sampled, with the reason their grid worker recorded; the grid worker records one here."""
    scope = scope_of(request.user)
    scope.require(Cap.SCREENING_VIEW)
    scope.require(Cap.VIEW_PEOPLE)
    campaign = selectors.campaign_or_404(scope, pk)
    grid = region_or_404(scope, code)
    if not grid.path.startswith(campaign.region_path) or grid.level != Level.GRID:
        raise Http404
    if request.method == "POST":
        person = selectors.target_person_or_404(
            scope, campaign, int_or(request.POST.get("person"), 0)
        )
        try:
            check_record_untested(
                user=request.user,
                scope=scope,
                campaign=campaign,
                person=person,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
        except ScreeningInvalid as e:
            for message in e.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Recorded for %(name)s.") % {"name": person.name})
        return redirect("screening:untested", pk=pk, code=code)
    return render(
        request,
        "screening/untested.html",
        {
            "campaign": campaign,
            "grid": grid,
            "crumbs": breadcrumbs(scope, grid),
            "households": selectors.untested_households(scope, campaign, grid),
            "reasons": UntestedReason.choices,
            "can_record": scope.can(Cap.SAMPLING),
        },
    )
