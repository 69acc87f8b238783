"""Registering volunteers and finding who dispatch may send."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.scope import scope_of
from fangkong.volunteers import selectors
from fangkong.volunteers.choices import VolunteerStatus
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.services import Profile, VolunteerInvalid, check_register

from .conftest import make_volunteer


def test_the_community_registers_a_volunteer_with_an_account(tree, people):
    done = check_register(
        profile=Profile(
            name=" 王  芳 ",
            phone="+86 139-0731-0001",
            home_area=tree.grid_a,
            skills=["medical", "driving", "medical"],
            has_vehicle=True,
            vehicle_kind="car",
        ),
        by=people.community,
    )
    v = done.volunteer
    assert (v.name, v.phone, v.skills, v.status) == (
        "王 芳",
        "13907310001",
        ["driving", "medical"],
        VolunteerStatus.ACTIVE,
    )
    assert v.user.username == "13907310001"
    assert v.user.role == Role.VOLUNTEER
    assert v.user.scope_region == tree.grid_a
    assert v.user.check_password(done.password)
    assert v.region_path == tree.grid_a.path


def test_a_form_posted_twice_registers_once(tree, people):
    key = uuid.uuid4()
    profile = Profile(name="王芳", phone="13907310002", home_area=tree.grid_a)
    first = check_register(profile=profile, by=people.community, client_id=key)
    again = check_register(profile=profile, by=people.community, client_id=key)
    assert again.volunteer.pk == first.volunteer.pk
    assert again.password == ""
    assert Volunteer.objects.count() == 1


def test_it_refuses_a_phone_already_registered(tree, people):
    make_volunteer(tree.grid_a, phone="13907310003")
    with pytest.raises(VolunteerInvalid) as e:
        make_volunteer(tree.grid_b, phone="139 0731 0003")
    assert "13907310003" in e.value.errors["phone"]


def test_it_says_what_is_wrong_with_each_field(tree):
    with pytest.raises(VolunteerInvalid) as e:
        check_register(
            profile=Profile(
                name="",
                phone="12345",
                home_area=tree.street,
                skills=["juggling"],
                vehicle_kind="rocket",
                capacity=99,
            ),
            by=None,
        )
    assert set(e.value.errors) == {
        "name",
        "phone",
        "home_area",
        "skills",
        "vehicle_kind",
        "capacity",
    }
    assert "driving" in e.value.errors["skills"]  # says what is allowed
    assert Volunteer.objects.count() == 0


def test_an_approved_volunteer_always_has_an_account(tree):
    with pytest.raises(IntegrityError):
        Volunteer.objects.create(
            name="无账号",
            phone="13907310004",
            home_area=tree.grid_a,
            region_path=tree.grid_a.path,
            status=VolunteerStatus.ACTIVE,
        )


def at(hour, weekday=0):
    monday = dt.date(2026, 11, 30)  # a Monday
    day = monday + dt.timedelta(days=weekday)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def test_dispatch_finds_the_available_volunteers_of_a_region(tree, people):
    anyone = make_volunteer(tree.grid_a, skills=["driving"], has_vehicle=True, vehicle_kind="van")
    evenings = make_volunteer(tree.grid_a, name="晚班")
    Volunteer.objects.filter(pk=evenings.pk).update(
        available_from=dt.time(18), available_until=dt.time(23)
    )
    nights = make_volunteer(tree.grid_a, name="夜班")
    Volunteer.objects.filter(pk=nights.pk).update(
        available_from=dt.time(20), available_until=dt.time(6)
    )
    weekends = make_volunteer(tree.grid_a, name="周末")
    Volunteer.objects.filter(pk=weekends.pk).update(weekdays=0b1100000)
    off = make_volunteer(tree.grid_a, name="休息")
    Volunteer.objects.filter(pk=off.pk).update(on_call=False)
    make_volunteer(tree.grid_b, name="别的社区")
    scope = scope_of(people.community)

    def names(when, **kw):
        return sorted(a.name for a in selectors.available(scope, tree.community_a, at=when, **kw))

    assert names(at(10)) == ["李志愿"]
    assert names(at(19)) == ["晚班", "李志愿"]
    assert names(at(2)) == ["夜班", "李志愿"]
    assert names(at(10, weekday=5)) == ["周末", "李志愿"]
    assert names(at(10), skills=["driving"]) == ["李志愿"]
    assert names(at(10), skills=["medical"]) == []
    found = selectors.available(scope, tree.community_a, at=at(10))[0]
    assert found.id == anyone.pk
    assert found.user_id == anyone.user_id
    assert (found.has_vehicle, found.vehicle_kind, found.capacity) == (True, "van", 3)


def test_dispatch_sees_no_volunteer_outside_its_scope(tree, people):
    make_volunteer(tree.grid_b)
    assert selectors.available(scope_of(people.grid_a), tree.community_b, at=at(10)) == []
