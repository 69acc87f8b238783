"""Coverage: the target, who of it is sampled, and the untested household by household."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.regions.services import get_or_create_building, get_or_create_household
from fangkong.screening import selectors
from fangkong.screening.services import check_record_untested

from ..conftest import make_person, start_watch
from .conftest import make_campaign, open_tube, swab


def test_the_community_counts_its_residents_and_who_of_them_is_sampled(tree, people, campaign):
    neighbour = make_person(tree.grid_a, name="李雷", household=tree.household_a)
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a, neighbour)
    cover = selectors.coverage(scope_of(people.community), campaign, tree.community_a)
    assert cover.total.as_dict() == {
        "target": 3,  # 张伟, 张小明, 李雷
        "sampled": 2,
        "resulted": 0,
        "positive": 0,
        "untested": 1,
    }
    assert [(r.name, f.sampled) for r, f in cover.rows] == [(tree.grid_a.name, 2)]


def test_a_person_swabbed_twice_counts_once(tree, people, campaign):
    swab(people.grid_a, open_tube(people.grid_a, campaign, barcode="HX000001"), tree.person_a)
    swab(people.grid_a, open_tube(people.grid_a, campaign, barcode="HX000002"), tree.person_a)
    total = selectors.coverage(scope_of(people.community), campaign, tree.community_a).total
    assert (total.target, total.sampled) == (2, 1)


def test_a_grid_shows_its_buildings(tree, people, campaign):
    other = get_or_create_building(grid=tree.grid_a, name="3栋")
    door = get_or_create_household(grid=tree.grid_a, building=other, unit="1", door="301")
    make_person(tree.grid_a, name="韩梅梅", household=door)
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a)
    cover = selectors.coverage(scope_of(people.grid_a), campaign, tree.grid_a)
    assert cover.by_building
    rows = {name: (f.target, f.sampled) for name, f in cover.rows}
    assert rows == {"1栋": (2, 1), "3栋": (1, 0)}


def test_a_street_campaign_counts_only_what_the_grid_worker_may_see(tree, people):
    street = make_campaign(tree, region=tree.street)
    total = selectors.coverage(scope_of(people.grid_b), street, tree.grid_b).total
    assert total.target == 1  # 李娜 only; grid A's two are outside grid B's area
    assert selectors.campaigns_for(scope_of(people.grid_b)).get() == street


def test_the_untested_list_goes_household_by_household_with_the_reason(tree, people, campaign):
    lone = make_person(tree.grid_a, name="赵敏")  # no household
    check_record_untested(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        campaign=campaign,
        person=tree.child_a,
        reason="hospital",
    )
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a)
    households = selectors.untested_households(scope_of(people.grid_a), campaign, tree.grid_a)
    assert [[p.name for p in h.people] for h in households] == [["张小明"], ["赵敏"]]
    assert households[0].label == tree.household_a.label
    assert households[0].people[0].untested.get_reason_display() == "In hospital"
    assert households[1].people[0].pk == lone.pk and households[1].people[0].untested is None


def test_a_tag_campaign_targets_only_that_tag(tree, people):
    elderly = make_campaign(tree, target="tag", target_tag="elderly_alone")
    total = selectors.coverage(scope_of(people.community), elderly, tree.community_a).total
    assert total.target == 1  # 张伟 lives alone


def test_a_watched_campaign_targets_those_under_observation_during_it(tree, people):
    today = timezone.localdate()
    start_watch(tree.child_a, start=today - dt.timedelta(days=3), end=today + dt.timedelta(days=10))
    start_watch(  # over before the campaign
        tree.person_a, start=today - dt.timedelta(days=20), end=today - dt.timedelta(days=7)
    )
    watched = make_campaign(tree, target="watched")
    total = selectors.coverage(scope_of(people.community), watched, tree.community_a).total
    assert total.target == 1


def test_the_coverage_command_prints_the_contract(tree, people, campaign, capsys):
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a)
    call_command(
        "screening",
        "coverage",
        "--campaign",
        str(campaign.pk),
        "--region",
        tree.grid_a.code,
        "--json",
    )
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == {"target": 2, "sampled": 1, "resulted": 0, "positive": 0, "untested": 1}
