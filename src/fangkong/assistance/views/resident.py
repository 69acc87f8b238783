"""A resident asks for help from their building's QR page (no account) and follows it.

The household page of health (after the resident proved their door) shows this app's section
(``resident_section``): the household's requests and an "ask for help" button carrying the
signed household token. The request's own page is the building's link and the request's
random code, which the resident keeps: it shows the request's state and nothing of anyone's data.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fangkong.accounts.services import client_ip
from fangkong.health.resident_extras import ResidentSection
from fangkong.health.services import link_from_token
from fangkong.health.services.links import door_from_token
from fangkong.regions.models import Household

from .. import selectors
from ..choices import Kind, Status, Urgency
from ..models import HelpRequest
from ..services import Ask, HelpInvalid, check_raise_request

ASKS_PER_HOUR = 10  # per link and address


def resident_section(request, link_token: str, household_token: str, household):
    """The household page's part: this household's requests and the way to ask."""
    link = link_from_token(link_token)
    if link is None:
        return None
    rows = selectors.household_requests(household.pk)
    return ResidentSection(
        "assistance/_resident_section.html",
        {
            "action": reverse("assistance:resident_help", args=[link_token]),
            "h": household_token,
            "rows": [
                (
                    r,
                    reverse("assistance:resident_status", args=[link_token, r.code]),
                )
                for r in rows
            ],
        },
    )


def _household(link, token: str) -> tuple[Household | None, bool]:
    """The household a token proves for this link, and whether the proof is too old."""
    proven = door_from_token(link, token)
    if proven is None:
        return None, False
    household = Household.objects.filter(
        building=link.building, unit=proven.unit, door=proven.door
    ).first()
    return household, proven.expired


def _rate_limited(link_id: int, request) -> bool:
    key = f"resident-help:{link_id}:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > ASKS_PER_HOUR
    except ValueError:
        cache.set(key, 1, 3600)
        return False


def _form(request, link, household, h, *, errors=None, status=200):
    posted = request.POST
    return render(
        request,
        "assistance/resident_help.html",
        {
            "building": link.building,
            "door_label": household.label,
            "h": h,
            "kinds": Kind.choices,
            "urgencies": Urgency.choices,
            "posted": posted if errors else {},
            "client_id": posted.get("client_id") if errors else uuid.uuid4(),
            "errors": errors or {},
        },
        status=status,
    )


@never_cache
@require_POST
def resident_help(request, token):
    """The form to ask for help, reached from the household page (its signed token in ``h``);
    sent with ``action=ask`` it raises the request and leads to the request's own page."""
    link = link_from_token(token)
    if link is None:
        return render(request, "health/resident_gone.html", status=410)
    h = request.POST.get("h", "")
    household, expired = _household(link, h)
    back = reverse("health:resident", args=[token])
    if household is None:
        return redirect(back)
    if expired:
        return render(
            request,
            "assistance/resident_again.html",
            {"building": link.building, "back": back},
            status=403,
        )
    if request.POST.get("action") != "ask":
        return _form(request, link, household, h)
    if _rate_limited(link.pk, request):
        return _form(
            request,
            link,
            household,
            h,
            errors={"": _("Too many requests from this phone; call your grid worker.")},
            status=429,
        )
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    ask = Ask(
        kind=request.POST.get("kind", ""),
        urgency=request.POST.get("urgency", ""),
        needed=request.POST.get("needed", "")[:100_000],  # a paste is refused with its length
        qty=request.POST.get("qty", "1")[:5],
        phone=request.POST.get("phone", "")[:30],
    )
    try:
        made = check_raise_request(household=household, ask=ask, client_id=client_id)
    except HelpInvalid as e:
        return _form(request, link, household, h, errors=e.errors, status=400)
    return redirect(reverse("assistance:resident_status", args=[token, made.code]) + "?new=1")


@never_cache
def resident_status(request, token, code):
    """A request's state as its household follows it: asked, a volunteer on it, picked up,
    delivered (or why not yet). No account; the signed link is the key."""
    link = link_from_token(token)
    if link is None:
        return render(request, "health/resident_gone.html", status=410)
    help_request = HelpRequest.objects.filter(
        code=code[:32], household__building=link.building
    ).first()
    if help_request is None:
        return render(
            request, "assistance/resident_unknown.html", {"building": link.building}, status=404
        )
    while help_request.status == Status.MERGED and help_request.merged_into_id:
        help_request = HelpRequest.objects.get(pk=help_request.merged_into_id)
    return render(
        request,
        "assistance/resident_status.html",
        {
            "building": link.building,
            "r": help_request,
            "steps": selectors.progress_of(help_request),
            "new": request.GET.get("new") == "1",
            "here": request.path,
        },
    )
