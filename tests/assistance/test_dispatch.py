"""Triage and dispatch: merging duplicates, giving a request to one volunteer by hand, and a
batch through the solvers' dispatch model with each decision explained."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.assistance.choices import Status, TaskStatus
from fangkong.assistance.models import BuildingPoint, HelpRequest, Task
from fangkong.assistance.services import (
    HelpInvalid,
    check_batch_dispatch,
    check_cancel_request,
    check_dispatch,
    check_merge_requests,
    do_offer,
)
from fangkong.regions.services import get_or_create_building, get_or_create_household

from .conftest import POINT_A, ask, make_volunteer


@pytest.fixture
def community(people):
    return people.community, scope_of(people.community)


def test_duplicates_merge_into_the_earliest_due_and_most_urgent(tree, community):
    user, scope = community
    a = ask(tree.household_a, kind="food", urgency="normal", needed="大米")
    b = ask(tree.household_a, kind="food", urgency="urgent", needed="面粉")
    kept = check_merge_requests(scope=scope, keep=a, duplicates=[b], user=user)
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into == kept and b.closed_at
    assert kept.urgency == "urgent" and kept.due_at == b.due_at
    assert kept.needed == "大米；面粉"


def test_only_same_household_and_kind_waiting_requests_merge(tree, community, helper):
    user, scope = community
    a = ask(tree.household_a, kind="food")
    other_kind = ask(tree.household_a, kind="gas", needed="液化气")
    other_door = ask(tree.household_b, kind="food")
    for dup in (other_kind, other_door):
        with pytest.raises(HelpInvalid):
            check_merge_requests(scope=scope, keep=a, duplicates=[dup], user=user)
    offered = ask(tree.household_a, kind="food", needed="油")
    do_offer(request=offered, volunteer=helper, user=user, km=1, explain={})
    offered.refresh_from_db()
    with pytest.raises(HelpInvalid) as e:
        check_merge_requests(scope=scope, keep=a, duplicates=[offered], user=user)
    assert "withdraw" in e.value.errors["duplicates"]


def test_the_triage_list_points_out_duplicates(tree, people, login):
    a = ask(tree.household_a, kind="food")
    ask(tree.household_a, kind="food", needed="面粉")
    page = login(people.community).get(reverse("assistance:home")).content.decode()
    assert page.count("合并？") == 2
    detail = login(people.community).get(reverse("assistance:request", args=[a.pk]))
    assert "并入本件" not in detail.content.decode()  # the button, not a message
    assert 'name="duplicate"' in detail.content.decode()


def test_a_request_goes_by_hand_to_a_volunteer_with_the_skills_and_room(tree, community, helper):
    user, scope = community
    r = ask(tree.household_a, kind="transport", urgency="urgent", needed="透析接送")
    task = check_dispatch(scope=scope, user=user, request=r, volunteer=helper)
    r.refresh_from_db()
    assert r.status == Status.OFFERED and task.status == TaskStatus.OFFERED
    assert task.km == pytest.approx(1.0, abs=0.01)
    assert "1 公里" in task.explain["zh"]
    with pytest.raises(HelpInvalid):  # a second dispatcher, a second time
        check_dispatch(scope=scope, user=user, request=r, volunteer=helper)


def test_a_volunteer_without_the_skill_or_the_room_is_refused(tree, community):
    user, scope = community
    walker = make_volunteer(tree.community_a, name="钱步行", capacity=1)
    with pytest.raises(HelpInvalid) as e:
        check_dispatch(
            scope=scope,
            user=user,
            request=ask(tree.household_a, kind="transport"),
            volunteer=walker,
        )
    assert "Driving" in e.value.errors["volunteer"]
    check_dispatch(scope=scope, user=user, request=ask(tree.household_a), volunteer=walker)
    with pytest.raises(HelpInvalid) as e:
        check_dispatch(scope=scope, user=user, request=ask(tree.household_a), volunteer=walker)
    assert "1 tasks" in e.value.errors["volunteer"]


def test_a_volunteer_outside_the_area_is_not_found(tree, people, helper):
    user = people.grid_b
    with pytest.raises(Exception):  # noqa: B017 - the role may not dispatch at all
        check_dispatch(
            scope=scope_of(user), user=user, request=ask(tree.household_a), volunteer=helper
        )


def test_the_database_holds_one_live_task_per_request(tree, helper):
    r = ask(tree.household_a)
    do_offer(request=r, volunteer=helper, user=None, km=None, explain={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            request=r, volunteer=helper, region_path=r.region_path, offered_at=r.raised_at
        )


def test_cancelling_withdraws_the_volunteers_task(tree, community, helper):
    user, scope = community
    r = ask(tree.household_a)
    task = do_offer(request=r, volunteer=helper, user=user, km=None, explain={})
    with pytest.raises(HelpInvalid):
        check_cancel_request(scope=scope, request=r, reason=" ", user=user)
    check_cancel_request(scope=scope, request=r, reason="家属已买到", user=user)
    task.refresh_from_db()
    assert task.status == TaskStatus.WITHDRAWN


def _door(tree, n, lat, lon):
    building = get_or_create_building(grid=tree.grid_a, name=f"{n}号楼")
    BuildingPoint.objects.create(building=building, lat=lat, lon=lon)
    return get_or_create_household(grid=tree.grid_a, building=building, unit="1", door="101")


def test_a_batch_offers_urgent_first_and_explains_every_decision(tree, community):
    user, scope = community
    one = make_volunteer(tree.community_a, name="孙一", capacity=1, lat=28.2, lon=112.98)
    near, far = _door(tree, 2, 28.201, 112.98), _door(tree, 3, 28.203, 112.98)
    normal = ask(near, kind="food", urgency="normal")
    urgent = ask(far, kind="medicine", urgency="urgent")
    ride = ask(near, kind="transport", urgency="urgent", needed="送医")
    result = check_batch_dispatch(scope=scope, user=user, region=tree.community_a)
    by = {d.request_id: d for d in result.decisions}
    assert by[urgent.pk].volunteer_id == one.pk  # farther, but urgent
    assert "紧急" in by[urgent.pk].explain["zh"] and "km" in by[urgent.pk].explain["en"]
    assert by[normal.pk].reason == "all_busy"
    assert by[ride.pk].reason == "no_skilled_volunteer"
    assert Task.objects.get().request_id == urgent.pk
    urgent.refresh_from_db()
    assert urgent.status == Status.OFFERED
    assert (result.offered, result.unassigned, result.volunteers) == (1, 2, 1)


def test_a_batch_says_what_it_cannot_place(tree, community):
    user, scope = community
    make_volunteer(tree.community_a, name="周无址")  # on call, no home point
    nowhere = get_or_create_household(
        grid=tree.grid_a,
        building=get_or_create_building(grid=tree.grid_a, name="无坐标楼"),
        unit="",
        door="1",
    )
    r = ask(nowhere)
    result = check_batch_dispatch(scope=scope, user=user, region=tree.community_a)
    assert result.left_out == 1
    assert [d.reason for d in result.decisions] == ["no_location"]
    with pytest.raises(HelpInvalid):
        check_batch_dispatch(scope=scope, user=user, region=tree.community_a, max_km=0)
    HelpRequest.objects.filter(pk=r.pk).update(status=Status.CANCELLED, closed_at=r.raised_at)
    with pytest.raises(HelpInvalid):
        check_batch_dispatch(scope=scope, user=user, region=tree.community_a)


def test_a_building_without_a_point_takes_its_grids_middle(tree, community, helper):
    user, scope = community
    _door(tree, 4, POINT_A[0] + 0.002, POINT_A[1])  # 1栋 has POINT_A: the middle is between
    nowhere = get_or_create_household(
        grid=tree.grid_a,
        building=get_or_create_building(grid=tree.grid_a, name="新楼"),
        unit="",
        door="1",
    )
    ask(nowhere)
    result = check_batch_dispatch(scope=scope, user=user, region=tree.community_a)
    assert result.decisions[0].volunteer_id == helper.pk
    assert result.decisions[0].km == pytest.approx(1.0 - 0.11, abs=0.02)


def test_the_batch_page_shows_each_decision(tree, people, login, helper):
    ask(tree.household_a, kind="medicine", urgency="urgent")
    page = login(people.community).post(reverse("assistance:batch"), {"max_km": "5"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "赵志愿" in text and "公里" in text


def test_the_request_page_suggests_fitting_volunteers_first(tree, people, login, helper):
    make_volunteer(tree.community_a, name="钱步行")
    r = ask(tree.household_a, kind="transport", urgency="urgent", needed="透析")
    text = login(people.community).get(reverse("assistance:request", args=[r.pk])).content
    text = text.decode()
    assert text.index("赵志愿") < text.index("钱步行")
    assert "缺少" in text


def test_a_batch_serves_each_community_with_its_own_volunteers_first(tree, people):
    user, scope = people.street, scope_of(people.street)
    a_door = _door(tree, 5, 28.2000, 112.98)
    b_building = get_or_create_building(grid=tree.grid_b, name="8号楼")
    BuildingPoint.objects.create(building=b_building, lat=28.2005, lon=112.98)
    b_door = get_or_create_household(grid=tree.grid_b, building=b_building, unit="1", door="101")
    own_a = make_volunteer(tree.grid_a, name="红星甲", capacity=1, lat=28.2003, lon=112.98)
    own_b = make_volunteer(tree.grid_b, name="芷园乙", capacity=2, lat=28.2006, lon=112.98)
    in_a = ask(a_door, kind="food", urgency="normal")
    in_b = ask(b_door, kind="food", urgency="normal")
    second_a = ask(a_door, kind="other", urgency="normal", needed="充值")
    result = check_batch_dispatch(scope=scope, user=user, region=tree.street)
    by = {d.request_id: d.volunteer_id for d in result.decisions}
    assert by[in_a.pk] == own_a.pk and by[in_b.pk] == own_b.pk
    assert by[second_a.pk] == own_b.pk  # what is left goes across, to who still has room
