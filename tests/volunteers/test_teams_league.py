"""Teams, branches and the league table normalised by team size."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.volunteers import league as league_module
from fangkong.volunteers.league import league, register_done
from fangkong.volunteers.services import (
    VolunteerInvalid,
    check_add_member,
    check_remove_member,
    check_set_leader,
    check_sign_in,
    check_sign_out,
)

from .conftest import make_post, make_team, make_volunteer

DAY = dt.date(2026, 11, 30)
T0 = timezone.make_aware(dt.datetime(2026, 11, 30, 8, 0))


def stand(volunteer, post, hours):
    shift = check_sign_in(volunteer=volunteer, post=post, client_id=uuid.uuid4(), now=T0)
    return check_sign_out(volunteer=volunteer, shift=shift, now=T0 + dt.timedelta(hours=hours))


@pytest.fixture
def city(tree):
    """A branch of 红星 with two teams: a big one (4 members, 12 h) and a small one
    (1 member, 4 h); the small team works more per member."""
    post = make_post(tree.community_a)
    branch = make_team(tree.community_a, name="红星临时党支部", kind="branch")
    big = make_team(tree.community_a, name="大组", branch=branch)
    small = make_team(
        tree.community_a, name="小组", branch=branch, basis="compound", compound="红星小区"
    )
    bigs = [make_volunteer(tree.grid_a, name=f"大{i}") for i in range(4)]
    for v in bigs:
        check_add_member(team=big, volunteer=v, on=DAY)
        check_add_member(team=branch, volunteer=v, on=DAY)
        stand(v, post, 3)
    solo = make_volunteer(tree.grid_a, name="小")
    check_add_member(team=small, volunteer=solo, on=DAY)
    stand(solo, post, 4)
    return {"branch": branch, "big": big, "small": small, "solo": solo}


def test_the_league_ranks_teams_by_hours_per_member(tree, people, city, monkeypatch):
    monkeypatch.setattr(league_module, "_providers", [])  # no app gives a done figure
    table = league(scope_of(people.community), tree.community_a, since=DAY, until=DAY)
    assert [(r.name, r.members, r.hours, r.hours_per_member, r.rank) for r in table.teams] == [
        ("小组", 1, 4.0, 4.0, 1),
        ("大组", 4, 12.0, 3.0, 2),
    ]
    assert table.with_done is False and table.teams[0].done is None


def test_a_branch_counts_its_teams_without_counting_a_member_twice(tree, people, city):
    table = league(scope_of(people.community), tree.community_a, since=DAY, until=DAY)
    [branch] = table.branches
    # own members (the four of 大组, counted again through it) + the teams' members
    assert branch.name == "红星临时党支部"
    assert branch.hours == 16.0  # every shift counted once: for the team it was stood for
    assert branch.shifts == 5
    assert branch.members == 5  # 大组's four are members of the branch too: counted once


def test_the_league_of_another_day_is_empty_and_outside_scope_is_nothing(tree, people, city):
    other = league(
        scope_of(people.community),
        tree.community_a,
        since=DAY + dt.timedelta(1),
        until=DAY + dt.timedelta(1),
    )
    assert [r.hours for r in other.teams] == [0.0, 0.0]
    assert league(scope_of(people.grid_b), tree.community_a, since=DAY, until=DAY).teams == []


def test_a_done_figure_from_another_app_joins_the_league(tree, people, city, monkeypatch):
    monkeypatch.setattr(league_module, "_providers", [])
    big, small = city["big"].pk, city["small"].pk
    register_done(lambda ids, since, until: {big: (8, 6), small: (1, 1)})
    table = league(scope_of(people.community), tree.community_a, since=DAY, until=DAY)
    assert [(r.name, r.done, r.done_per_member, r.on_time_share) for r in table.teams] == [
        ("大组", 8, 2.0, 0.75),
        ("小组", 1, 1.0, 1.0),
    ]
    assert table.branches[0].done == 9


def test_a_leader_is_a_member_and_stops_leading_when_leaving(tree, city):
    big, solo = city["big"], city["solo"]
    check_set_leader(team=big, volunteer=solo)
    big.refresh_from_db()
    assert big.leader == solo
    assert big.memberships.filter(volunteer=solo, left_on__isnull=True).exists()
    check_remove_member(team=big, volunteer=solo)
    big.refresh_from_db()
    assert big.leader is None


def test_a_team_by_compound_names_it_and_a_branch_holds_only_teams(tree):
    with pytest.raises(VolunteerInvalid) as e:
        make_team(tree.community_a, name="X", basis="compound")
    assert "compound" in e.value.errors
    team = make_team(tree.community_a, name="Y")
    with pytest.raises(VolunteerInvalid) as e:
        make_team(tree.community_a, name="Z", branch=team)
    assert "branch" in e.value.errors
    with pytest.raises(VolunteerInvalid) as e:
        make_team(tree.community_a, name="Y")
    assert "name" in e.value.errors


def test_team_sizes_follow_joining_and_leaving_and_recount_agrees(tree, city):
    from fangkong.volunteers.models import Team
    from fangkong.volunteers.services import recount

    branch, big, solo = city["branch"], city["big"], city["solo"]
    sizes = lambda: dict(Team.objects.values_list("name", "size"))  # noqa: E731
    assert sizes() == {"红星临时党支部": 5, "大组": 4, "小组": 1}
    check_add_member(team=branch, volunteer=solo)  # in the branch already, through 小组
    check_add_member(team=big, volunteer=solo)
    assert sizes() == {"红星临时党支部": 5, "大组": 5, "小组": 1}
    check_remove_member(team=city["small"], volunteer=solo)
    assert sizes() == {"红星临时党支部": 5, "大组": 5, "小组": 0}
    check_remove_member(team=big, volunteer=solo)
    check_remove_member(team=branch, volunteer=solo)
    assert sizes() == {"红星临时党支部": 4, "大组": 4, "小组": 0}
    before = sizes()
    Team.objects.update(size=0)
    recount()
    assert sizes() == before
