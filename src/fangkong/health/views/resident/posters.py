"""A building's QR poster and the household-code notices staff print for its doors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.common.qr import qr_svg
from fangkong.common.sorting import natural_key
from fangkong.regions.models import Household

from ... import selectors
from ...services import (
    issue_building_link,
    link_token,
    revoke_building_links,
)
from ...services.links import (
    household_code,
)
from .page import _door_label


@login_required
def building_qr(request, pk):
    """The building's QR code to print and post in the stairwell; POST issues a new one (the
    old stops working), or withdraws it (``action=revoke``). ``?notices=1``: the household
    codes to slip under the doors of households with no phone registered."""
    scope = scope_of(request.user)
    building = selectors.building_or_404(scope, pk)
    if request.GET.get("notices"):
        return _notices(request, building)
    link = selectors.live_link(scope, building)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            revoke_building_links(scope=scope, building=building)
            return redirect(reverse("health:building_qr", args=[pk]))
        link = issue_building_link(user=request.user, scope=scope, building=building)
    url = None
    svg = ""
    if link is not None:
        url = request.build_absolute_uri(reverse("health:resident", args=[link_token(link)]))
        svg = qr_svg(url)
    return render(
        request,
        "health/building_qr.html",
        {
            "building": building,
            "community": building.grid.parent,
            "link": link,
            "url": url,
            "svg": svg,
            "phoneless": _phoneless(building).count(),
        },
    )


def _phoneless(building):
    """The building's households where no member has a phone registered."""
    return (
        Household.objects.filter(building=building)
        .annotate(phones=Count("members", filter=~Q(members__phone="")))
        .filter(phones=0)
    )


def _notices(request, building):
    households = sorted(
        _phoneless(building), key=lambda h: (natural_key(h.unit), natural_key(h.door))
    )
    notices = [(_door_label(h), household_code(h.pk)) for h in households]
    return render(
        request, "health/resident_notices.html", {"building": building, "notices": notices}
    )
