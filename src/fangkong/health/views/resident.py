"""Residents report through their building's QR code (no account); grid workers print the code
and enter a household's or a unit's temperatures on one screen."""

from __future__ import annotations

import io
import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fangkong.accounts.scope import scope_of
from fangkong.accounts.services import client_ip
from fangkong.common.masking import mask_name
from fangkong.people.models import Person
from fangkong.regions.models import Household

from .. import selectors
from ..choices import Source, Symptom
from ..services import (
    CheckInData,
    issue_building_link,
    link_from_token,
    link_token,
    record_check_ins,
    revoke_building_links,
)

REPORTS_PER_HOUR = 30  # per link and address: a household reports a few times, not hundreds


def _symptoms(request, prefix: str = "") -> list[str]:
    return [s for s in request.POST.getlist(f"{prefix}symptoms") if s]


def _client_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return uuid.uuid4()


def _households(building, unit: str | None = None):
    qs = Household.objects.filter(building=building).prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"))
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("unit", "door")


def _rate_limited(link_id: int, request) -> bool:
    key = f"resident-reports:{link_id}:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > REPORTS_PER_HOUR
    except ValueError:
        cache.set(key, 1, 3600)
        return False


@never_cache
def resident_page(request, token):
    """The page behind a building's QR code: pick your household member, report."""
    link = link_from_token(token)
    if link is None:
        return render(request, "health/resident_gone.html", status=410)
    building = link.building
    households = [
        (h, [(p, mask_name(p.name)) for p in h.members.all()]) for h in _households(building)
    ]
    context = {
        "building": building,
        "households": households,
        "symptoms": Symptom.choices,
        "client_id": uuid.uuid4(),
        "token": token,
    }
    if request.method == "POST":
        context.update(_resident_report(request, link, building))
    return render(request, "health/resident.html", context)


def _resident_report(request, link, building) -> dict:
    if _rate_limited(link.pk, request):
        return {"errors": {"rate": _("too many reports from this phone; try again in an hour")}}
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        return {"errors": {"person": _("choose who is reporting")}}
    members = dict(
        Person.objects.filter(household__building=building).values_list("id", "region_path")
    )
    result = record_check_ins(
        items=[
            CheckInData(
                client_id=_client_id(request.POST.get("client_id", "")),
                person_id=person_id,
                temperature=request.POST.get("temperature", ""),
                symptoms=_symptoms(request),
                source=Source.SELF,
            )
        ],
        persons=members,
    )
    if result.rejected:
        return {"errors": result.rejected[0][1], "chosen": person_id}
    return {"done": True, "alerted": bool(result.alerts)}


@login_required
def building_qr(request, pk):
    """The building's QR code to print and post in the stairwell; POST issues a new one (the
    old stops working), or withdraws it (``action=revoke``)."""
    scope = scope_of(request.user)
    building = selectors.building_or_404(scope, pk)
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
        svg = _qr_svg(url)
    return render(
        request,
        "health/building_qr.html",
        {"building": building, "link": link, "url": url, "svg": svg},
    )


def _qr_svg(url: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


@login_required
def quick_entry(request, pk):
    """A unit of a building on one phone screen: each member's temperature, sent at once."""
    scope = scope_of(request.user)
    building = selectors.building_or_404(scope, pk)
    units = sorted(set(Household.objects.filter(building=building).values_list("unit", flat=True)))
    unit = request.GET.get("unit") or (units[0] if units else "")
    households = list(_households(building, unit))
    members = [p for h in households for p in h.members.all()]
    result = None
    errors: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        items = []
        for p in members:
            value = request.POST.get(f"t{p.pk}", "").strip()
            if value:
                items.append(
                    CheckInData(
                        client_id=_client_id(request.POST.get(f"c{p.pk}", "")),
                        person_id=p.pk,
                        temperature=value,
                        symptoms=_symptoms(request, f"s{p.pk}-"),
                        source=Source.GRID_WORKER,
                    )
                )
        result = record_check_ins(
            items=items,
            persons={p.pk: p.region_path for p in members},
            recorded_by=request.user,
        )
        errors = {items[i].person_id: e for i, e in result.rejected}
    return render(
        request,
        "health/quick_entry.html",
        {
            "building": building,
            "units": units,
            "unit": unit,
            "households": households,
            "result": result,
            "errors": errors,
            "symptoms": Symptom.choices,
            "client_ids": {p.pk: uuid.uuid4() for p in members},
        },
    )
