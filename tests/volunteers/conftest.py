"""Volunteers fixtures: ``make_volunteer`` registers one the way the community does."""

from __future__ import annotations

import itertools

import pytest

from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.services import Profile, check_register

_phones = itertools.count(13900000001)


def make_volunteer(home_area, *, by=None, name="李志愿", **overrides) -> Volunteer:
    fields = {"name": name, "phone": str(next(_phones)), "home_area": home_area} | overrides
    return check_register(profile=Profile(**fields), by=by).volunteer


@pytest.fixture
def volunteer_of(people):
    """The volunteer persona's Volunteer row (their account is ``people.volunteer``)."""
    from fangkong.volunteers.choices import Source, VolunteerStatus

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
    )


def make_post(region, name="红星路卡口", kind="checkpoint"):
    from fangkong.volunteers.services import check_create_post

    return check_create_post(name=name, kind=kind, region=region)


def make_team(region, name="红星第一小组", kind="team", **kw):
    from fangkong.volunteers.services import check_create_team

    return check_create_team(name=name, kind=kind, region=region, by=None, **kw)


@pytest.fixture
def post(tree):
    return make_post(tree.community_a)
