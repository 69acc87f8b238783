"""What the volunteers' pages share: reading a profile form, a client id."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from fangkong.common.params import int_or
from fangkong.regions.models import Region

from ..choices import Skill, VehicleKind
from ..services import Profile


def client_id(request) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return uuid.uuid4()


def profile_from(post, areas: list[Region], errors: dict[str, str]) -> Profile | None:
    """The profile a registration or application form describes; ``areas``: the home areas
    the form offered (anything else is refused)."""
    area = next((a for a in areas if str(a.pk) == post.get("home_area", "")), None)
    if area is None:
        errors["home_area"] = _("choose your home area from the list")
        return None
    capacity = int_or(post.get("capacity", "3") or "3", -1)
    return Profile(
        name=post.get("name", "")[:60],
        phone=post.get("phone", "")[:30],
        home_area=area,
        skills=[s for s in post.getlist("skills") if s][:20],
        has_vehicle=post.get("has_vehicle") == "on",
        vehicle_kind=post.get("vehicle_kind", "")[:20],
        capacity=capacity,
        note=post.get("note", "")[:300],
    )


def form_context() -> dict:
    return {"skills": Skill.choices, "vehicles": VehicleKind.choices}
