"""Bulk rounds: every household of a compound that asks, delivered door by door."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.assistance.choices import Status, StopStatus
from fangkong.assistance.models import HelpRequest, Stop
from fangkong.assistance.services import (
    HelpInvalid,
    check_batch_dispatch,
    check_close_round,
    check_mark_stop,
    check_open_round,
)
from fangkong.regions.services import get_or_create_household

from .conftest import ask


@pytest.fixture
def community(people):
    return people.community, scope_of(people.community)


def test_a_round_lists_the_households_that_asked_and_those_who_ask_later(tree, community):
    user, scope = community
    early = ask(tree.household_a, kind="gas", needed="液化气", qty=2)
    ask(tree.household_a, kind="food", needed="菜")  # another kind: not on it
    ask(tree.household_b, kind="gas", needed="液化气")  # another compound
    live = check_open_round(
        scope=scope, user=user, region=tree.grid_a, kind="gas", title="液化气罐"
    )
    late = ask(
        get_or_create_household(grid=tree.grid_a, building=tree.building_a, unit="1", door="102"),
        kind="gas",
        needed="液化气",
    )
    assert set(Stop.objects.filter(round=live).values_list("request_id", flat=True)) == {
        early.pk,
        late.pk,
    }
    with pytest.raises(HelpInvalid):  # one round under way per compound and kind
        check_open_round(scope=scope, user=user, region=tree.grid_a, kind="gas", title="again")
    result_ids = {
        d.request_id
        for d in check_batch_dispatch(scope=scope, user=user, region=tree.community_a).decisions
    }
    assert early.pk not in result_ids  # the round delivers it, not a volunteer


def test_doors_are_marked_one_by_one_and_closing_hands_back_the_rest(tree, community, people):
    user, scope = community
    a = ask(tree.household_a, kind="gas", needed="液化气")
    b = ask(
        get_or_create_household(grid=tree.grid_a, building=tree.building_a, unit="1", door="102"),
        kind="gas",
        needed="液化气",
    )
    live = check_open_round(
        scope=scope, user=user, region=tree.grid_a, kind="gas", title="液化气罐"
    )
    stop_a, stop_b = Stop.objects.filter(round=live).order_by("request_id")
    worker = people.grid_a
    check_mark_stop(scope=scope_of(worker), user=worker, stop=stop_a, delivered=True)
    check_mark_stop(scope=scope_of(worker), user=worker, stop=stop_a, delivered=True)  # again
    a.refresh_from_db()
    assert a.status == Status.DELIVERED and a.closed_at
    with pytest.raises(HelpInvalid):
        check_mark_stop(scope=scope, user=user, stop=stop_b, delivered=False)
    check_mark_stop(scope=scope, user=user, stop=stop_b, delivered=False, reason="家中无人")
    stop_b.refresh_from_db()
    assert stop_b.status == StopStatus.COULD_NOT
    with pytest.raises(HelpInvalid):
        check_mark_stop(
            scope=scope_of(people.grid_b), user=people.grid_b, stop=stop_a, delivered=True
        )
    with pytest.raises(PermissionDenied):
        check_mark_stop(
            scope=scope_of(people.volunteer), user=people.volunteer, stop=stop_b, delivered=True
        )
    check_close_round(scope=scope, user=user, round=live)
    b.refresh_from_db()
    assert b.status == Status.OPEN and b.round_id is None


def test_a_round_is_for_a_compound_of_the_users_area(tree, community, people):
    user, scope = community
    for region, kind in ((tree.street, "gas"), (tree.grid_b, "gas"), (tree.grid_a, "transport")):
        with pytest.raises(HelpInvalid):
            check_open_round(scope=scope, user=user, region=region, kind=kind, title="x")
    with pytest.raises(PermissionDenied):
        check_open_round(
            scope=scope_of(people.grid_a),
            user=people.grid_a,
            region=tree.grid_a,
            kind="gas",
            title="x",
        )


def test_the_round_page_lists_doors_in_order_with_the_counts(tree, people, login):
    for door in ("201", "101", "1001"):
        ask(
            get_or_create_household(
                grid=tree.grid_a, building=tree.building_a, unit="1", door=door
            ),
            kind="gas",
            needed="液化气",
        )
    client = login(people.community)
    response = client.post(
        reverse("assistance:rounds"),
        {"region": tree.grid_a.code, "kind": "gas", "title": "液化气罐"},
    )
    page = client.get(response["Location"]).content.decode()
    assert page.index(" 101") < page.index(" 201") < page.index(" 1001")
    assert "待送达 3 户" in page
    assert HelpRequest.objects.filter(round__isnull=False).count() == 3
