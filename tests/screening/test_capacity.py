"""The capacity plan on a campaign's page: samplers, door-to-door teams, tubes, swabs and suits
per area and when the round finishes with the samplers on hand (the solvers' capacity model),
for the people of the target not yet sampled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.screening.services import ScreeningInvalid
from fangkong.screening.services.capacity import plan_round, round_hours

from ..conftest import make_person
from .conftest import make_campaign, open_tube, swab


@pytest.fixture
def street_round(tree):
    """新华街道's round, 5 a tube: 红星社区 41 who can come and 张伟 (elderly, alone) at home;
    芷园社区 10 who can come."""
    campaign = make_campaign(tree, region=tree.street, pool_size=5)
    for _ in range(40):
        make_person(tree.grid_a)
    for _ in range(9):
        make_person(tree.grid_b)
    return campaign


def _plan(people, campaign, region, **kw):
    kw.setdefault("swabs_per_hour", 10)
    kw.setdefault("hours", 2)
    return plan_round(scope=scope_of(people.street), campaign=campaign, region=region, **kw)


def test_each_community_gets_its_samplers_teams_tubes_and_suits(tree, people, street_round):
    plan = _plan(people, street_round, tree.street)
    (a, pa), (b, pb) = plan.rows
    assert (a.label, a.to_swab, a.at_home, b.label, b.to_swab) == (
        "红星社区",
        42,
        1,
        "芷园社区",
        10,
    )
    # 41 who come / (10 swabs an hour * 2 hours) = 2.05 -> 3 samplers; 1 at home -> 1 team
    assert (pa.samplers_needed, pa.teams, pa.swabs, pa.tubes, pa.suits) == (3, 1, 42, 9, 4)
    assert (pb.samplers_needed, pb.teams, pb.tubes, pb.suits) == (1, 0, 2, 1)
    assert plan.total.samplers_needed == 4 and plan.total.finish_hours <= 2
    assert plan.explain.startswith("4 samplers and 1 door-to-door team")


def test_short_samplers_are_spread_to_finish_soonest(tree, people, street_round):
    plan = _plan(people, street_round, tree.street, samplers=2)
    assert [p.samplers_assigned for _area, p in plan.rows] == [1, 1]
    assert plan.total.finish_hours == pytest.approx(4.1)  # 41 people at 10 an hour
    assert plan.explain.startswith("only 2 samplers of 4 needed")


def test_those_already_sampled_are_not_planned_again(tree, people, street_round):
    tube = open_tube(people.grid_a, street_round)
    swab(people.grid_a, tube, tree.person_a, tree.child_a)  # 张伟 among them: no team needed
    (a, pa), _b = _plan(people, street_round, tree.street).rows
    assert (a.to_swab, a.at_home, pa.teams, pa.samplers_needed) == (40, 0, 0, 2)


def test_too_few_samplers_and_bad_numbers_are_refused_saying_why(tree, people, street_round):
    with pytest.raises(ScreeningInvalid) as refused:
        _plan(people, street_round, tree.street, samplers=1)
    assert "at least one for each" in refused.value.errors["samplers"]
    with pytest.raises(ScreeningInvalid) as refused:
        _plan(people, street_round, tree.street, swabs_per_hour=0, hours=30)
    assert set(refused.value.errors) == {"swabs_per_hour", "hours"}


def test_a_grid_is_planned_building_by_building(tree, people, street_round):
    plan = _plan(people, street_round, tree.grid_a)
    assert [(a.label, a.to_swab, a.at_home) for a, _p in plan.rows] == [("1栋", 2, 1), ("", 40, 0)]


def test_the_rounds_hours_are_its_points_opening_hours(tree, people, street_round):
    import datetime as dt

    assert round_hours(street_round) == 8
    street_round.points.create(name="广场", opens_at=dt.time(7), closes_at=dt.time(20))
    assert round_hours(street_round) == 13


def test_the_campaign_page_plans_with_the_numbers_typed(tree, people, login, street_round):
    client = login(people.street)
    url = reverse("screening:campaign", args=[street_round.pk])
    page = client.get(url, {"samplers": "２", "swabs_per_hour": "10", "hours": "2"})
    text = page.content.decode()
    assert page.status_code == 200 and "采样力量测算" in text and "4.1" in text
    bad = client.get(url, {"samplers": "两个"}).content.decode()
    assert "“两个”不是数字" in bad
