"""The registry's per-grid counters stay equal to a recount from the persons and their tags,
and the report's registry figures read from them equal those counted from the raw rows."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fangkong.accounts.scope import scope_of
from fangkong.common.idnumbers import make
from fangkong.people.choices import VULNERABLE, TagKind
from fangkong.people.models import GridBirths, GridCount, Person
from fangkong.people.selectors import residents_by_path
from fangkong.people.selectors.counts import raw_values, registry_values
from fangkong.people.services import (
    TagData,
    check_register_person,
    do_merge_persons,
    do_tag_person,
    import_ledger,
)
from fangkong.people.services.counters import recount
from fangkong.reports.sections import until_of

from .ledgers import xlsx

TODAY = timezone.localdate


def counters() -> tuple[dict, dict]:
    counts = {
        (c.region_path, c.registered_on): (
            c.residents,
            c.households,
            c.vulnerable,
            *(getattr(c, f"tag_{k}") for k in VULNERABLE),
        )
        for c in GridCount.objects.all()
    }
    births = {(b.born_from, b.region_path, b.registered_on): b.n for b in GridBirths.objects.all()}
    return counts, births


def assert_exact() -> None:
    """What the writes left equals what a recount from the raw rows makes."""
    kept = counters()
    recount()
    assert kept == counters()


def assert_figures_as_raw(scope, region) -> None:
    """Today so far, yesterday whole and an hour of today: from the counters, as counted
    from the persons."""
    now = timezone.now()
    for day, until in (
        (TODAY(), until_of(TODAY())),
        (TODAY() - dt.timedelta(days=1), until_of(TODAY() - dt.timedelta(days=1))),
        (TODAY(), now - dt.timedelta(minutes=1)),
    ):
        assert registry_values(scope, region, day, until) == raw_values(scope, region, day, until)


def register(grid, n: int, *, born=dt.date(1985, 4, 9), household=None, tags=()):
    return check_register_person(
        name=f"居民{n}",
        id_type="resident_id",
        id_number=make("430102", born, n),
        grid=grid,
        household=household,
        tags=list(tags),
    )


def ledger(grid, rows: list[tuple[int, dt.date, str, str]]):
    """A ledger of (n, birth date, building, category) rows imported into ``grid``."""
    data = xlsx(
        [
            ["姓名", "身份证号", "楼栋", "单元", "门牌号", "人员类别"],
            *[
                [f"台账{n}", make("430102", born, n), building, "1", "101", category]
                for n, born, building, category in rows
            ],
        ]
    )
    return import_ledger(data=data, filename="台账.xlsx", region=grid)


def test_registering_counts_the_resident_household_child_and_tags(tree, people):
    grid = tree.grid_a
    before = GridCount.objects.get(region_path=grid.path, registered_on=TODAY())
    assert (before.residents, before.households, before.tag_elderly_alone) == (2, 1, 1)
    register(grid, 501, born=dt.date(2019, 2, 3), household=tree.household_a, tags=["pregnant"])
    after = GridCount.objects.get(region_path=grid.path, registered_on=TODAY())
    assert (after.residents, after.households, after.vulnerable) == (3, 1, 2)
    assert after.tag_pregnant == 1
    # born in 2019 and 2020: children from any year's cut-off up to 2019
    born_from = dict(GridBirths.objects.filter(region_path=grid.path).values_list("born_from", "n"))
    assert born_from[2019] == 2 and born_from[2020] == 1 and born_from[2000] == 2
    assert_exact()
    assert_figures_as_raw(scope_of(people.hq), tree.city)


def test_a_vulnerable_tag_counts_and_a_contact_tag_changes_nothing(tree):
    person = tree.person_b
    do_tag_person(person=person, tag=TagData(TagKind.CLOSE_CONTACT, event_on=TODAY()))
    count = GridCount.objects.get(region_path=person.region_path)
    assert count.vulnerable == 0
    do_tag_person(person=person, tag=TagData(TagKind.DISABLED))
    do_tag_person(person=person, tag=TagData(TagKind.CHRONIC_CARE))
    count = GridCount.objects.get(region_path=person.region_path)
    assert (count.vulnerable, count.tag_disabled, count.tag_chronic_care) == (1, 1, 1)
    assert_exact()


def test_a_ledger_import_counts_created_people_and_moves_updated_ones(tree, people):
    ledger(
        tree.grid_a,
        [(601, dt.date(1990, 1, 1), "5栋", "独居老人"), (602, dt.date(2018, 5, 5), "5栋", "")],
    )
    count = GridCount.objects.get(region_path=tree.grid_a.path)
    assert (count.residents, count.households, count.tag_elderly_alone) == (4, 2, 2)
    # the same two people in grid B's ledger: they move there with their tag
    ledger(
        tree.grid_b,
        [(601, dt.date(1990, 1, 1), "8栋", ""), (602, dt.date(2018, 5, 5), "8栋", "")],
    )
    a = GridCount.objects.get(region_path=tree.grid_a.path)
    b = GridCount.objects.get(region_path=tree.grid_b.path)
    assert (a.residents, a.households, a.tag_elderly_alone) == (2, 1, 1)
    assert (b.residents, b.households, b.tag_elderly_alone) == (3, 2, 1)
    assert_exact()
    assert_figures_as_raw(scope_of(people.hq), tree.city)


def test_a_merge_uncounts_the_dropped_record_in_its_own_grid(tree, people):
    twin = register(tree.grid_b, 701, born=tree.person_a.birth_on, tags=["bedridden"])
    assert GridCount.objects.get(region_path=tree.grid_b.path).residents == 2
    do_merge_persons(user=people.grid_a, keep=tree.person_a, drop=twin)
    b = GridCount.objects.get(region_path=tree.grid_b.path)
    a = GridCount.objects.get(region_path=tree.grid_a.path)
    assert (b.residents, b.tag_bedridden) == (1, 0)
    assert (a.residents, a.vulnerable, a.tag_bedridden) == (2, 1, 1)
    assert_exact()


def test_a_grid_left_empty_has_no_counter_rows(tree, people):
    twin = register(tree.grid_c, 702)
    do_merge_persons(user=people.hq, keep=tree.person_a, drop=tree.person_c)
    do_merge_persons(user=people.hq, keep=tree.person_a, drop=twin)
    assert not GridCount.objects.filter(region_path=tree.grid_c.path).exists()
    assert residents_by_path(tree.city, until_of(TODAY())) == {
        tree.grid_a.path: 2,
        tree.grid_b.path: 1,
    }


def test_a_past_day_counts_who_was_registered_by_then(tree, people):
    """Registered a week ago and today: yesterday's figures hold only the first."""
    week_ago = timezone.now() - dt.timedelta(days=7)
    Person.objects.filter(pk=tree.person_a.pk).update(created_at=week_ago)
    recount()
    yesterday = TODAY() - dt.timedelta(days=1)
    scope = scope_of(people.hq)
    values = registry_values(scope, tree.city, yesterday, until_of(yesterday))
    assert values == {
        tree.grid_a.path: {
            "residents": 1,
            "households": 1,
            "vulnerable": 1,
            "tag_elderly_alone": 1,
            "newcomers": 0,
            "children": 0,
        }
    }
    assert residents_by_path(tree.city, until_of(yesterday)) == {tree.grid_a.path: 1}
    today = registry_values(scope, tree.city, TODAY(), until_of(TODAY()))
    assert today[tree.grid_a.path]["newcomers"] == 1  # the child, registered today
    assert_figures_as_raw(scope, tree.city)


def test_a_round_at_an_hour_before_later_registrations_counts_from_the_raw_rows(tree, people):
    """A progress round at 09:00 of a day on which someone registered at 15:00."""
    day = TODAY() - dt.timedelta(days=2)
    at = lambda h: timezone.make_aware(dt.datetime.combine(day, dt.time(h)))  # noqa: E731
    Person.objects.update(created_at=at(8))
    Person.objects.filter(pk=tree.child_a.pk).update(created_at=at(15))
    recount()
    scope = scope_of(people.hq)
    values = registry_values(scope, tree.city, day, at(9))
    assert values == raw_values(scope, tree.city, day, at(9))
    assert values[tree.grid_a.path]["residents"] == 1
    assert residents_by_path(tree.city, at(9))[tree.grid_a.path] == 1
    assert residents_by_path(tree.city, at(16))[tree.grid_a.path] == 2


def test_a_scope_sees_only_its_own_grids(tree, people):
    values = registry_values(scope_of(people.grid_a), tree.city, TODAY(), until_of(TODAY()))
    assert set(values) == {tree.grid_a.path}


def test_the_recount_command_rebuilds_the_counters(tree, capsys):
    kept = counters()
    GridCount.objects.all().delete()
    GridBirths.objects.all().delete()
    call_command("people", "recount")
    assert counters() == kept
    assert "counted 3 grid-days" in capsys.readouterr().out


class RegistryMachine(RuleBasedStateMachine):
    """Any sequence of registrations, ledger imports (new, updated, moved), tags and merges
    keeps the counters exact and the report's figures those of the raw rows."""

    @initialize()
    def setup(self):
        self.tree, self.user = TREE, USER
        self.grids = [self.tree.grid_a, self.tree.grid_b, self.tree.grid_c]

    def _next(self) -> int:
        global SERIAL
        SERIAL += 1
        return SERIAL

    @rule(
        grid=st.integers(0, 2),
        born=st.sampled_from([dt.date(1950, 1, 1), dt.date(2012, 12, 31), dt.date(2021, 3, 1)]),
        tags=st.lists(st.sampled_from(list(VULNERABLE)), max_size=2, unique=True),
        with_household=st.booleans(),
    )
    def register(self, grid, born, tags, with_household):
        household = self.tree.household_a if with_household and grid == 0 else None
        register(self.grids[grid], self._next(), born=born, household=household, tags=tags)

    @rule(
        grid=st.integers(0, 2),
        rows=st.lists(
            st.tuples(st.integers(0, 5), st.sampled_from(["1栋", "2栋"]), st.booleans()),
            min_size=1,
            max_size=3,
            unique_by=lambda r: r[0],
        ),
    )
    def import_ledger(self, grid, rows):
        # documents 900..905: the same people again and again, so later imports move them
        ledger(
            self.grids[grid],
            [
                (900 + n, dt.date(2015, 7, 7), b, "独居老人" if alone else "")
                for n, b, alone in rows
            ],
        )

    @rule(pick=st.integers(0, 10_000), kind=st.sampled_from(list(TagKind.values)))
    def tag(self, pick, kind):
        # an index into whoever is registered now: the draws do not depend on the database
        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        person = Person.objects.get(pk=ids[pick % len(ids)])
        do_tag_person(person=person, tag=TagData(kind))

    @rule(keep=st.integers(0, 10_000), drop=st.integers(0, 10_000))
    def merge(self, keep, drop):
        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        keep, drop = ids[keep % len(ids)], ids[drop % len(ids)]
        if len(ids) < 2 or keep == drop:
            return
        do_merge_persons(
            user=self.user, keep=Person.objects.get(pk=keep), drop=Person.objects.get(pk=drop)
        )

    @invariant()
    def exact(self):
        assert_exact()
        assert_figures_as_raw(SCOPE, self.tree.city)


TREE = USER = SCOPE = None
SERIAL = 0


@pytest.mark.django_db
def test_counters_stay_exact_under_any_sequence_of_registry_writes(tree, people):
    global TREE, USER, SCOPE
    TREE, USER, SCOPE = tree, people.hq, scope_of(people.hq)
    machine = RegistryMachine.TestCase
    machine.settings = settings(
        max_examples=20,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()


postgres = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers)",
)


def _registrar(grids, seed: int) -> None:
    rng = random.Random(seed)
    for i in range(12):
        born = rng.choice([dt.date(1960, 1, 1), dt.date(2019, 1, 1)])
        tags = rng.choice([[], ["disabled"]])
        register(rng.choice(grids), seed * 100 + i, born=born, tags=tags)


def _importer(grids, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(8):
        rows = [(seed * 100 + n, dt.date(2016, 2, 2), "9栋", "独居老人") for n in range(6)]
        ledger(rng.choice(grids), rows)  # the same six people, moved to and fro


def _merger(grids, seed: int, user) -> None:
    rng = random.Random(seed)
    for i in range(8):
        keep = register(rng.choice(grids), seed * 100 + 2 * i)
        drop = register(rng.choice(grids), seed * 100 + 2 * i + 1, tags=["pregnant"])
        do_merge_persons(user=user, keep=keep, drop=drop)


@postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_imports_and_merges_leave_exact_counters(tree, people):
    """Four writers in the same two grids at once: registrations, ledgers moving people from
    one grid to the other, merges; every one locks the grids in key order, last."""
    errors: list[BaseException] = []
    grids = (tree.grid_a, tree.grid_b)

    def run(fn, *args):
        try:
            fn(grids, *args)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(_registrar, 1)),
        threading.Thread(target=run, args=(_registrar, 2)),
        threading.Thread(target=run, args=(_importer, 3)),
        threading.Thread(target=run, args=(_merger, 4, people.hq)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert_exact()
    total = sum(c.residents for c in GridCount.objects.all())
    assert total == Person.objects.count() == 4 + 24 + 6 + 8


def test_every_vulnerable_kind_has_its_counter_column():
    names = {f.name for f in GridCount._meta.get_fields()}
    assert {f"tag_{k}" for k in VULNERABLE} <= names
