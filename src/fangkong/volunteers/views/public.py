"""The campaign link: anyone applies to volunteer, no account needed; a supervisor approves."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from ..services import VolunteerInvalid, check_apply, region_of_token
from .common import client_id, form_context, profile_from


def _areas(region: Region) -> list[Region]:
    return list(
        Region.objects.filter(
            path__startswith=region.path, level__in=[Level.COMMUNITY, Level.GRID]
        ).order_by("path")[:200]
    )


@never_cache
def apply_page(request, token):
    region = region_of_token(token)
    if region is None:
        return render(request, "volunteers/apply_gone.html", status=410)
    areas = _areas(region)
    errors: dict[str, str] = {}
    if request.method == "POST":
        profile = profile_from(request.POST, areas, errors)
        if profile is not None:
            try:
                volunteer = check_apply(
                    region=region, profile=profile, client_id=client_id(request)
                )
                return render(
                    request, "volunteers/applied.html", {"volunteer": volunteer, "region": region}
                )
            except VolunteerInvalid as e:
                errors = e.errors
    context = {
        "region": region,
        "areas": areas,
        "errors": errors,
        "posted": request.POST,
        "client_id": client_id(request),
        **form_context(),
    }
    return render(request, "volunteers/apply.html", context, status=400 if errors else 200)
