"""The synthetic city: deterministic, realistic in shape, loadable, and valid."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fangkong.common.idnumbers import parse
from fangkong.ops.city import generate_city
from fangkong.ops.demo import DEMO_PASSWORD, ensure_demo_accounts
from fangkong.ops.load import load_city
from fangkong.people.models import Person, PersonTag
from fangkong.regions.models import Building, Household, Region

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def city():
    return list(generate_city(residents=30_000, seed=7, today=TODAY))


def _persons(bundles):
    return [p for b in bundles for p in b.persons]


def test_the_same_seed_gives_the_same_city(city):
    again = list(generate_city(residents=30_000, seed=7, today=TODAY))
    assert [p.id_number for p in _persons(again)] == [p.id_number for p in _persons(city)]
    other = list(generate_city(residents=30_000, seed=8, today=TODAY))
    assert [p.name for p in _persons(other)][:50] != [p.name for p in _persons(city)][:50]


def test_it_holds_exactly_the_residents_asked_for(city):
    assert len(_persons(city)) == 30_000


def test_every_id_number_is_valid_unique_and_matches_birth_and_sex(city):
    persons = _persons(city)
    assert len({p.id_number for p in persons}) == len(persons)
    for p in persons[::97]:
        parsed = parse(p.id_number, today=TODAY)
        assert (parsed.birth_on, parsed.sex) == (p.birth_on, p.sex)


def test_ages_follow_the_census_pyramid(city):
    persons = _persons(city)
    bands = Counter(
        "child" if a < 15 else "old" if a >= 60 else "working"
        for a in ((TODAY - p.birth_on).days // 365 for p in persons)
    )
    share = {k: v / len(persons) for k, v in bands.items()}
    # 2020 census: 17.95 % aged 0-14, 63.35 % aged 15-59, 18.70 % aged 60 and over
    assert 0.15 < share["child"] < 0.22
    assert 0.57 < share["working"] < 0.68
    assert 0.15 < share["old"] < 0.23


def test_households_average_about_two_point_six_and_grids_hold_200_to_1000(city):
    households = sum(len(b.households) for b in city)
    assert 2.4 < len(_persons(city)) / households < 2.8
    assert all(200 <= len(b.households) <= 1000 for b in city[:-1])


def test_elderly_living_alone_are_alone_and_old_and_children_live_with_adults(city):
    for bundle in city:
        size = Counter(p.household for p in bundle.persons)
        for p in bundle.persons:
            age = (TODAY - p.birth_on).days // 365
            if any(t[0] == "elderly_alone" for t in p.tags):
                assert size[p.household] == 1 and age >= 60
            if age < 14:
                assert size[p.household] >= 3 and p.phone == ""


def test_the_tree_has_every_level_with_official_code_shapes(city):
    regions = [r for b in city for r in b.regions]
    by_level = Counter(r.level for r in regions)
    assert by_level["province"] == by_level["city"] == 1
    assert by_level["grid"] == len(city)
    for r in regions:
        if r.level == "grid":
            assert len(r.code) == 15 and r.code.startswith(r.parent_code)


@pytest.mark.django_db(transaction=True)
def test_loading_writes_every_row_with_paths_and_links():
    result = load_city(generate_city(residents=3_000, seed=3, today=TODAY))
    assert Person.objects.count() == result.persons == 3_000
    assert Household.objects.count() == result.households
    assert PersonTag.objects.count() == result.tags > 0
    grid = Region.objects.filter(level="grid").first()
    person = Person.objects.filter(grid=grid).select_related("household").first()
    assert person.region_path == grid.path == person.household.region_path
    assert person.id_rev == person.id_number[::-1]
    assert Building.objects.filter(grid=grid).exists() or person.household.address
    # sequences were moved past the loaded ids: the ORM can add rows afterwards
    from tests.conftest import make_person

    make_person(grid, name="新人")
    assert Person.objects.count() == 3_001


@pytest.mark.django_db(transaction=True)
def test_seeding_twice_is_refused_and_leaves_the_first_city():
    call_command("seed", residents=500, seed=1)
    with pytest.raises(CommandError, match="already exist"):
        call_command("seed", residents=500, seed=1)
    assert Person.objects.count() == 500


@pytest.mark.django_db(transaction=True)
def test_a_failure_mid_load_leaves_the_database_as_it_was():
    def exploding():
        bundles = generate_city(residents=2_000, seed=5, today=TODAY)
        yield next(bundles)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError), transaction.atomic():
        load_city(exploding())
    assert Region.objects.count() == Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_demo_accounts_cover_every_role_and_log_in(client):
    load_city(generate_city(residents=3_000, seed=1, today=TODAY))
    accounts = ensure_demo_accounts()
    assert {a.role for a in accounts} >= {
        "headquarters",
        "district",
        "street",
        "community",
        "grid_worker",
        "warehouse",
        "lab",
        "hospital",
        "volunteer",
    }
    grid_a, grid_b = (a for a in accounts if a.role == "grid_worker")
    assert grid_a.region != grid_b.region
    assert ensure_demo_accounts() == accounts  # a second demo reuses them
    assert client.login(username="grid_a", password=DEMO_PASSWORD)
