"""The headquarters dashboard page and the partial it polls every minute."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fangkong.accounts.scope import Cap, scope_of
from fangkong.regions.selectors import breadcrumbs, region_or_home

from .dashboard import board
from .export import as_of


def _context(request) -> dict:
    scope = scope_of(request.user)
    scope.require(Cap.REPORTS_VIEW)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    found = board(scope, region)
    return {
        **found,
        "region": region,
        "path": breadcrumbs(scope, region),
        "as_of": as_of(found["content"]),
    }


@login_required
def dashboard_page(request):
    """Today at a glance for a region: figures, tiles one level down, trends, league."""
    return render(request, "reports/dashboard.html", _context(request))


@login_required
def dashboard_figures(request):
    """The figures, tiles, league and chart data alone: what the page polls to refresh."""
    return render(request, "reports/dashboard_figures.html", _context(request))
