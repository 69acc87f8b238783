"""Help-request fixtures: the volunteer persona's Volunteer row, more volunteers, requests.

Building points: 1栋 of grid A at (28.2000, 112.9800); the volunteer persona lives 1 km north
of it (28.2090, 112.9800)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from fangkong.assistance.models import BuildingPoint, HelpRequest
from fangkong.assistance.services import Ask, check_raise_request
from fangkong.volunteers.choices import Source, VolunteerStatus
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.services import Profile, check_register

_phones = itertools.count(13900100001)
POINT_A = (28.2000, 112.9800)


def ask(household, *, user=None, scope=None, client_id=None, **fields) -> HelpRequest:
    """A request of ``household`` (medicine, today, unless told), raised by the resident or
    by ``user``."""
    values = {"kind": "medicine", "urgency": "today", "needed": "硝苯地平缓释片 一盒"} | fields
    return check_raise_request(
        household=household,
        ask=Ask(**values),
        client_id=client_id or uuid.uuid4(),
        user=user,
        scope=scope,
    )


def make_volunteer(home_area, *, lat=None, lon=None, **overrides) -> Volunteer:
    """An active volunteer with an account, registered the way the community does."""
    fields = {"name": "李志愿", "phone": str(next(_phones)), "home_area": home_area} | overrides
    volunteer = check_register(profile=Profile(**fields), by=None).volunteer
    if lat is not None:
        Volunteer.objects.filter(pk=volunteer.pk).update(home_lat=lat, home_lon=lon)
        volunteer.refresh_from_db()
    return volunteer


@pytest.fixture
def helper(people, tree):
    """The volunteer persona (``people.volunteer``) as a Volunteer: drives a car, 1 km from 1栋."""
    BuildingPoint.objects.create(building=tree.building_a, lat=POINT_A[0], lon=POINT_A[1])
    user = people.volunteer
    return Volunteer.objects.create(
        user=user,
        name="赵志愿",
        phone="13800138000",
        status=VolunteerStatus.ACTIVE,
        source=Source.COMMUNITY,
        home_area=user.scope_region,
        region_path=user.scope_region.path,
        skills=["driving"],
        has_vehicle=True,
        vehicle_kind="car",
        home_lat=POINT_A[0] + 0.009,
        home_lon=POINT_A[1],
    )
