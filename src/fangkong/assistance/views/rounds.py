"""Bulk rounds: the rounds of the area, opening one for a compound, its doors marked one by
one, closing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.sorting import natural_key
from fangkong.regions.selectors import region_or_404, regions

from ..choices import Kind, StopStatus
from ..models import Round, Stop
from ..selectors import requests as requests_of
from ..services import HelpInvalid, check_close_round, check_mark_stop, check_open_round
from ..services.rounds import MARKERS, ROUND_KINDS


def _round_or_404(scope, pk):
    scope.require(Cap.HELP_VIEW)
    return scope.get_or_404(Round.objects.select_related("region"), cap=Cap.HELP_VIEW, pk=pk)


@login_required
def rounds(request):
    scope = scope_of(request.user)
    requests_of(scope)  # 403 for a role that reads no requests
    if request.method == "POST":
        scope.require(Cap.HELP_DISPATCH)
        try:
            made = check_open_round(
                scope=scope,
                user=request.user,
                region=region_or_404(scope, request.POST.get("region", "")),
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
            )
        except HelpInvalid as e:
            for text in e.errors.values():
                messages.error(request, text)
        else:
            return redirect("assistance:round", made.pk)
    found = list(scope.filter(Round.objects.select_related("region"))[:50])
    return render(
        request,
        "assistance/rounds.html",
        {
            "rounds": found,
            "dispatcher": scope.can(Cap.HELP_DISPATCH),
            "areas": list(
                regions(scope).filter(level__in=["grid", "community"]).order_by("path")[:300]
            ),
            "kinds": [(k, Kind(k).label) for k in ROUND_KINDS],
        },
    )


@login_required
def round_page(request, pk):
    scope = scope_of(request.user)
    found = _round_or_404(scope, pk)
    stops = sorted(
        Stop.objects.filter(round=found)
        .select_related("request", "request__household", "request__household__building")
        .order_by("id"),
        key=lambda s: (
            natural_key(s.request.household.building.name if s.request.household.building else ""),
            natural_key(s.request.household.unit),
            natural_key(s.request.household.door),
        ),
    )
    counts = {s: sum(1 for x in stops if x.status == s) for s in StopStatus.values}
    return render(
        request,
        "assistance/round.html",
        {
            "round": found,
            "stops": stops,
            "counts": counts,
            "total": sum(x.request.qty for x in stops),
            "marker": any(scope.can(c) for c in MARKERS),
            "dispatcher": scope.can(Cap.HELP_DISPATCH),
        },
    )


@login_required
@require_POST
def stop(request, pk):
    scope = scope_of(request.user)
    if not any(scope.can(c) for c in MARKERS):
        scope.require(Cap.HELP_DISPATCH)
    found = scope.get_or_404(Stop.objects.select_related("round"), cap=None, pk=pk)
    try:
        check_mark_stop(
            scope=scope,
            user=request.user,
            stop=found,
            delivered=request.POST.get("delivered") == "1",
            reason=request.POST.get("reason", ""),
        )
    except HelpInvalid as e:
        for text in e.errors.values():
            messages.error(request, text)
    return redirect(f"{reverse('assistance:round', args=[found.round_id])}#stop-{found.pk}")


@login_required
@require_POST
def close(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    found = _round_or_404(scope, pk)
    check_close_round(scope=scope, user=request.user, round=found)
    messages.success(request, _("Round closed; doors not delivered go back to dispatch."))
    return redirect("assistance:round", found.pk)
