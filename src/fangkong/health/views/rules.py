"""A region's rule of who must report daily, set by its own staff (community and above)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from fangkong.accounts.scope import Cap, scope_of
from fangkong.regions.choices import Level
from fangkong.regions.selectors import breadcrumbs, region_or_404

from ..models import HealthRule
from ..rules import DEFAULTS, set_where
from ..services import CheckInInvalid, check_set_region_rule
from ..services.rules import EVERYONE, INHERIT, WATCHED
from .staff import _region


def _back(scope, code: str):
    """The grid whose missing list the user came from, if any (and theirs to see)."""
    if not code:
        return None
    try:
        grid = region_or_404(scope, code)
    except Http404:
        return None
    return grid if grid.level == Level.GRID else None


@login_required
def rules_page(request):
    """Who must report daily in a region: people under watch only, or every resident."""
    scope = scope_of(request.user)
    scope.require(Cap.HEALTH_VIEW)
    region = _region(request, scope)
    scope.require(Cap.HEALTH_RULES)
    back = _back(scope, request.POST.get("back") or request.GET.get("back", ""))
    errors = None
    if request.method == "POST":
        try:
            check_set_region_rule(
                user=request.user,
                scope=scope,
                region=region,
                who_reports=request.POST.get("who_reports", ""),
                request=request,
            )
        except CheckInInvalid as e:
            errors = e.errors
        else:
            if back is not None:
                return redirect("health:missing", back.code)
            return redirect(reverse("health:rules") + f"?region={region.code}&saved=1")
    own = HealthRule.objects.filter(region=region).first()
    own_value = own.universal_reporting if own else None
    if region.parent_id:
        above, above_rule = set_where(region.parent.path, "universal_reporting")
    else:
        above, above_rule = DEFAULTS.universal_reporting, None
    below = (
        HealthRule.objects.filter(
            region__path__startswith=region.path, universal_reporting__isnull=False
        )
        .exclude(region=region)
        .select_related("region")
        .order_by("region__path")
    )
    return render(
        request,
        "health/rules.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "chosen": {None: INHERIT, False: WATCHED, True: EVERYONE}[own_value],
            "above_universal": bool(above),
            "above_region": above_rule.region if above_rule else None,
            "below": [r for r in below if scope.contains(r.region.path)],
            "back": back,
            "saved": request.GET.get("saved") == "1",
            "errors": errors,
        },
        status=400 if errors else 200,
    )
