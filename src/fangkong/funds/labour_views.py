"""Work resumption and labour placement, phone first: a village's (or a township's) returned
workers at a glance — returned, gone back out, working locally, staying, still to place — with
their intentions, the local enterprises' reports of the day and their openings."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.masking import mask_id_number
from fangkong.common.params import int_or
from fangkong.regions.selectors import region_or_404, region_or_home

from . import selectors
from .choices import Intention
from .services import (
    FundsInvalid,
    check_add_enterprise,
    check_add_opening,
    check_place,
    check_report_resumption,
    check_set_intention,
    register_returnees,
)

LISTED = 200


def _back(region_code: str):
    return redirect(reverse("funds:labour") + "?" + urlencode({"region": region_code[:40]}))


@login_required
def labour(request):
    scope = scope_of(request.user)
    scope.require(Cap.LABOUR_VIEW)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    total, children = selectors.labour_figures(scope, region)
    today = timezone.localdate()
    enterprises = list(selectors.enterprises(scope, region)[:LISTED])
    reported = selectors.reports_on(scope, region, today)
    context = {
        "region": region,
        "total": total,
        "children": children,
        "returnees": [
            (r, mask_id_number(r.person.id_number))
            for r in selectors.returnees(scope, region).order_by("status", "pk")[:LISTED]
        ],
        "openings": list(selectors.open_openings(scope, region)[:LISTED]),
        "enterprises": [(e, reported.get(e.pk)) for e in enterprises],
        "intentions": Intention.choices,
        "records": scope.can(Cap.LABOUR_RECORD),
        "today": today,
    }
    return render(request, "funds/labour.html", context)


@login_required
@require_POST
def register(request):
    scope = scope_of(request.user)
    scope.require(Cap.LABOUR_RECORD)
    region = region_or_404(scope, request.POST.get("region", ""))
    added = register_returnees(region=region)
    messages.success(
        request, _("%(n)d returned workers registered from the registry.") % {"n": added}
    )
    return _back(region.code)


@login_required
@require_POST
def intention(request, pk):
    scope = scope_of(request.user)
    returnee = selectors.returnee_or_404(scope, pk)
    try:
        check_set_intention(
            returnee=returnee,
            intention=request.POST.get("intention", ""),
            done=request.POST.get("done") == "on",
        )
    except FundsInvalid as e:
        messages.error(request, str(e))
    return _back(request.POST.get("region") or returnee.person.grid.code)


@login_required
@require_POST
def place(request, pk):
    scope = scope_of(request.user)
    returnee = selectors.returnee_or_404(scope, pk)
    region = returnee.person.grid
    opening = (
        selectors.open_openings(scope, region)
        .filter(pk=int_or(request.POST.get("opening"), 0))
        .first()
    )
    if opening is None:
        messages.error(request, _("choose one of the openings with a position left"))
    else:
        try:
            check_place(returnee=returnee, opening=opening)
        except FundsInvalid as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request,
                _("%(name)s placed at %(job)s.") % {"name": returnee.person.name, "job": opening},
            )
    return _back(request.POST.get("region") or region.code)


@login_required
@require_POST
def add_enterprise(request):
    scope = scope_of(request.user)
    scope.require(Cap.LABOUR_RECORD)
    region = region_or_404(scope, request.POST.get("region", ""))
    try:
        check_add_enterprise(name=request.POST.get("name", ""), region=region)
    except FundsInvalid as e:
        messages.error(request, str(e))
    return _back(region.code)


@login_required
@require_POST
def resumption(request, pk):
    """An enterprise's report of the day: resumed or not, staff and staff back."""
    scope = scope_of(request.user)
    enterprise = selectors.enterprise_or_404(scope, pk)
    try:
        check_report_resumption(
            enterprise=enterprise,
            resumed=request.POST.get("resumed") == "on",
            staff_total=int_or(request.POST.get("staff_total"), None),
            staff_back=int_or(request.POST.get("staff_back"), None),
            user=request.user,
        )
    except FundsInvalid as e:
        messages.error(request, str(e))
    return _back(request.POST.get("region") or enterprise.region.code)


@login_required
@require_POST
def add_opening(request, pk):
    scope = scope_of(request.user)
    enterprise = selectors.enterprise_or_404(scope, pk)
    try:
        check_add_opening(
            enterprise=enterprise,
            title=request.POST.get("title", ""),
            positions=int_or(request.POST.get("positions"), None),
        )
    except FundsInvalid as e:
        messages.error(request, str(e))
    return _back(request.POST.get("region") or enterprise.region.code)
