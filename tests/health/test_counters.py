"""The per-grid daily counters stay equal to a recount from the check-ins themselves."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.health import selectors
from fangkong.health.models import CheckIn, GridDay, KindDay, PersonDay
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_delete_check_in,
    do_delete_check_in,
    record_check_ins,
)
from fangkong.health.services.counters import recount
from fangkong.people.models import Person
from fangkong.people.moves import person_moved
from fangkong.people.services.counters import recount as recount_registry
from fangkong.people.services.counters import recount_grids

from ..conftest import Tree, make_person
from .recount import recounted_values, report_values

TODAY = timezone.localdate


def counters() -> dict:
    return {
        (g.region_path, g.on): (g.check_ins, g.persons, g.fevers)
        for g in GridDay.objects.exclude(check_ins=0, persons=0, fevers=0)
    }


def watch_counters() -> dict:
    """Per grid-day: (persons under watch, of them who reported); per kind: persons."""
    grids = {
        (g.region_path, g.on): (g.watched, g.watched_reported)
        for g in GridDay.objects.exclude(watched=0, watched_reported=0)
    }
    kinds = {(k.region_path, k.on, k.kind): k.persons for k in KindDay.objects.exclude(persons=0)}
    return {"grids": grids, "kinds": kinds}


def markers() -> dict:
    return {(m.on, m.region_path, m.person_id): (m.n, m.w) for m in PersonDay.objects.all()}


def assert_exact() -> None:
    """What the writes left equals what a recount from the raw rows makes."""
    kept, watched, marks = counters(), watch_counters(), markers()
    recount()
    assert kept == counters()
    assert watched == watch_counters()
    assert marks == markers()


def assert_report_exact(region, days=None) -> None:
    """The report's health figures (from the counters) equal a recount from the raw rows."""
    for day in days or (TODAY(), TODAY() - dt.timedelta(days=1)):
        assert report_values(region, day) == recounted_values(region, day), day


def record(person, temperature="36.6", client_id=None, **kw):
    return record_check_ins(
        items=[
            CheckInData(
                client_id=client_id or uuid.uuid4(),
                person_id=person.pk,
                temperature=temperature,
                **kw,
            )
        ],
        persons={person.pk: person.region_path},
    )


def test_a_grid_day_counts_check_ins_persons_once_and_fevers(tree):
    a = tree.person_a
    record(a)
    record(a, "38.2")  # the same person again: one more check-in, still one person
    record(make_person(tree.grid_a))
    assert counters() == {(tree.grid_a.path, TODAY()): (3, 2, 1)}
    assert_exact()


def test_a_retry_with_the_same_client_id_counts_nothing(tree):
    client_id = uuid.uuid4()
    record(tree.person_a, client_id=client_id)
    again = record(tree.person_a, client_id=client_id)
    assert again.duplicates == 1
    assert counters() == {(tree.grid_a.path, TODAY()): (1, 1, 0)}


def test_a_batch_counts_each_grid_and_day_it_touches(tree):
    b = tree.person_b
    yesterday = timezone.now() - dt.timedelta(days=1)
    items = [
        CheckInData(uuid.uuid4(), tree.person_a.pk, "36.5"),
        CheckInData(uuid.uuid4(), tree.person_a.pk, "36.6"),
        CheckInData(uuid.uuid4(), b.pk, "37.5"),
        CheckInData(uuid.uuid4(), b.pk, "36.5", measured_at=yesterday),
    ]
    record_check_ins(
        items=items, persons={tree.person_a.pk: tree.person_a.region_path, b.pk: b.region_path}
    )
    assert counters() == {
        (tree.grid_a.path, TODAY()): (2, 1, 0),
        (tree.grid_b.path, TODAY()): (1, 1, 1),
        (tree.grid_b.path, timezone.localtime(yesterday).date()): (1, 1, 0),
    }
    assert_exact()


def test_deleting_a_wrong_entry_uncounts_it_and_is_audited(tree, people):
    record(tree.person_a)
    record(tree.person_a, "38.5")
    wrong = CheckIn.objects.get(temperature="38.5")
    check_delete_check_in(
        user=people.grid_a, scope=scope_of(people.grid_a), check_in=wrong, reason="typed 38.5"
    )
    assert counters() == {(tree.grid_a.path, TODAY()): (1, 1, 0)}
    last = CheckIn.objects.get()
    do_delete_check_in(user=people.grid_a, check_in=last, reason="not this person")
    assert counters() == {}  # nobody reported any more
    assert not do_delete_check_in(user=people.grid_a, check_in=last, reason="twice")
    assert AuditEntry.objects.filter(action=AuditAction.DELETE).count() == 2
    assert_exact()


def test_only_staff_of_the_area_delete_and_they_say_why(tree, people):
    record(tree.person_a)
    entry = CheckIn.objects.get()
    with pytest.raises(CheckInInvalid):
        check_delete_check_in(
            user=people.grid_b, scope=scope_of(people.grid_b), check_in=entry, reason="x"
        )
    with pytest.raises(CheckInInvalid):
        check_delete_check_in(
            user=people.grid_a, scope=scope_of(people.grid_a), check_in=entry, reason=" "
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        check_delete_check_in(user=people.hq, scope=scope_of(people.hq), check_in=entry, reason="x")
    assert CheckIn.objects.count() == 1


def test_a_person_moving_today_takes_todays_figures_to_the_new_grid(tree):
    a = tree.person_a
    yesterday = timezone.now() - dt.timedelta(days=1)
    record(a, "38.0")
    record(a, measured_at=yesterday)
    a.grid, a.region_path = tree.grid_b, tree.grid_b.path
    a.save()
    person_moved([a.pk])
    assert counters() == {
        (tree.grid_b.path, TODAY()): (1, 1, 1),
        (tree.grid_a.path, timezone.localtime(yesterday).date()): (1, 1, 0),  # history stays
    }
    assert_exact()


def test_merging_two_records_counts_the_kept_person_once(tree, people):
    from fangkong.people.services import check_merge_persons

    twin = make_person(tree.grid_a, name="张伟", birth_on=tree.person_a.birth_on, phone="")
    record(tree.person_a)
    record(twin)
    assert counters()[(tree.grid_a.path, TODAY())] == (2, 2, 0)
    check_merge_persons(
        user=people.grid_a, scope=scope_of(people.grid_a), keep=tree.person_a, drop=twin
    )
    assert counters()[(tree.grid_a.path, TODAY())] == (2, 1, 0)
    assert_exact()


def test_the_selectors_sum_the_grids_of_a_region_and_of_each_child(tree, people):
    record(tree.person_a, "38.1")
    record(tree.person_b)
    record(tree.person_b)
    scope = scope_of(people.hq)
    total = selectors.daily_figures(scope, tree.street, TODAY())
    assert (total.check_ins, total.persons, total.fevers) == (3, 2, 1)
    rows = selectors.daily_figures_by_child(scope, tree.street, TODAY())
    assert [(r.code, f.check_ins, f.persons, f.fevers) for r, f in rows] == [
        (tree.community_a.code, 1, 1, 1),
        (tree.community_b.code, 2, 1, 0),
    ]
    staff = selectors.staff_view(scope, tree.street, TODAY())
    assert staff.total.reported == 2


def test_the_recount_command_rebuilds_counters_from_the_check_ins(tree, capsys):
    record(tree.person_a)
    GridDay.objects.all().delete()
    PersonDay.objects.all().delete()
    call_command("health", "recount", "--day", TODAY().isoformat())
    assert counters() == {(tree.grid_a.path, TODAY()): (1, 1, 0)}
    assert "counted 1 grid-days" in capsys.readouterr().out


class CounterMachine(RuleBasedStateMachine):
    """Any sequence of batches, retries, deletions, moves, merges, periods under watch and
    changes of the reporting rule keeps the counters exact, and the report's health figures
    equal to a recount from the raw rows."""

    @initialize()
    def setup(self):
        from fangkong.health.models import HealthRule, Observation

        for model in (CheckIn, GridDay, PersonDay, KindDay, Observation, HealthRule):
            model.objects.all().delete()
        # registered a month ago, so yesterday's residents are due yesterday too
        Person.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
        recount_registry()  # written around the services: the registry's counters again
        self.tree = TREE
        self.people = PEOPLE
        self.sent: list[CheckInData] = []

    @rule(
        picks=st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(["36.5", "37.3", "39.0"]), st.booleans()),
            min_size=1,
            max_size=6,
        )
    )
    def batch(self, picks):
        items = [
            CheckInData(
                uuid.uuid4(),
                self.people[i].pk,
                t,
                measured_at=timezone.now() - dt.timedelta(days=1) if late else None,
            )
            for i, t, late in picks
        ]
        self.sent += items
        record_check_ins(items=items, persons=self.persons())

    @rule(data=st.data())
    def retry(self, data):
        if self.sent:
            item = data.draw(st.sampled_from(self.sent))
            record_check_ins(items=[item], persons=self.persons())

    @rule(data=st.data())
    def delete(self, data):
        ids = list(CheckIn.objects.values_list("pk", flat=True))
        if ids:
            entry = CheckIn.objects.get(pk=data.draw(st.sampled_from(ids)))
            do_delete_check_in(user=USER, check_in=entry, reason="wrong")

    @rule(i=st.integers(0, 2), to_b=st.booleans())
    def move(self, i, to_b):
        person = self.people[i]
        grid = self.tree.grid_b if to_b else self.tree.grid_a
        was = person.region_path
        person.grid, person.region_path = grid, grid.path
        person.save(update_fields=["grid", "region_path"])
        person_moved([person.pk])
        recount_grids([was, grid.path])  # as the registry's services end a move

    @rule(i=st.integers(0, 2), days_ago=st.integers(0, 1), bulk=st.booleans())
    def watch(self, i, days_ago, bulk):
        """A period started by hand (maybe from yesterday), or a positive pool's watch."""
        from fangkong.health.services import check_start_observation, do_place_under_watch

        person = Person.objects.get(pk=self.people[i].pk)
        if bulk:
            do_place_under_watch(
                people=[(person.pk, person.region_path, "阳性混管")], kind="home_isolation"
            )
            return
        try:
            check_start_observation(
                user=HQ,
                scope=scope_of(HQ),
                person=person,
                kind="home_observation",
                reason="返乡",
                start_on=TODAY() - dt.timedelta(days=days_ago),
                days=7,
            )
        except CheckInInvalid:  # already under watch
            pass

    @rule(data=st.data(), extend=st.booleans())
    def end_or_extend(self, data, extend):
        from fangkong.health.models import Observation
        from fangkong.health.services import check_extend_observation, do_end_observation

        running = list(Observation.objects.filter(ended_on__isnull=True))
        if not running:
            return
        period = data.draw(st.sampled_from(running))
        if extend:
            check_extend_observation(
                user=HQ, scope=scope_of(HQ), observation=period, days=2, reason="复查"
            )
        else:
            do_end_observation(observation_id=period.pk, reason="解除")

    @rule(on=st.booleans())
    def everyone_reports_in_a(self, on):
        from fangkong.health.models import HealthRule

        HealthRule.objects.update_or_create(
            region=self.tree.community_a, defaults={"universal_reporting": on}
        )

    @rule(i=st.integers(0, 2), in_b=st.booleans(), late=st.booleans(), watched=st.booleans())
    def merge(self, i, in_b, late, watched):
        """A duplicate record (maybe in the other grid, maybe under watch) reported, then was
        merged into one of the people."""
        from fangkong.health.services import check_start_observation
        from fangkong.people.services import do_merge_persons

        twin = make_person(self.tree.grid_b if in_b else self.tree.grid_a, phone="")
        if watched:
            check_start_observation(
                user=HQ,
                scope=scope_of(HQ),
                person=twin,
                kind="home_isolation",
                reason="密接",
                start_on=TODAY() - dt.timedelta(days=1),
                days=7,
            )
        when = timezone.now() - dt.timedelta(days=1) if late else None
        record_check_ins(
            items=[CheckInData(uuid.uuid4(), twin.pk, "36.6", measured_at=when)],
            persons={twin.pk: twin.region_path},
        )
        do_merge_persons(user=USER, keep=self.people[i], drop=twin)

    def persons(self):
        return {p.pk: p.region_path for p in self.people}

    @invariant()
    def exact(self):
        assert_exact()
        assert_report_exact(self.tree.city)


TREE: Tree
PEOPLE: list
USER = None
HQ = None


@pytest.mark.django_db
def test_counters_stay_exact_under_any_sequence_of_writes(tree, people):
    global TREE, PEOPLE, USER, HQ
    TREE, USER, HQ = tree, people.grid_a, people.community
    PEOPLE = [tree.person_a, tree.person_b, make_person(tree.grid_a)]
    machine = CounterMachine.TestCase
    machine.settings = settings(
        max_examples=25,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()


postgres = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers, partitions)",
)


@postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_retries_and_deletions_leave_exact_counters(tree, people):
    grid_a = tree.grid_a
    persons = {p.pk: p.region_path for p in _residents(grid_a, 40)}
    ids = list(persons)
    sent: list[list[CheckInData]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(seed: int):
        import random

        rng = random.Random(seed)
        try:
            for n in range(15):
                batch = [
                    CheckInData(uuid.uuid4(), rng.choice(ids), rng.choice(["36.6", "38.0"]))
                    for _ in range(rng.choice([3, 60]))  # small: VALUES; 60: COPY staged
                ]
                with lock:
                    sent.append(batch)
                    again = rng.choice(sent)
                record_check_ins(items=batch, persons=persons)
                record_check_ins(items=again, persons=persons)  # a retry, maybe another's
                if n % 4 == 0:
                    victim = CheckIn.objects.filter(person_id__in=ids).order_by("?").first()
                    if victim is not None:
                        do_delete_check_in(user=people.grid_a, check_in=victim, reason="x")
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    kept = counters()
    assert kept[(grid_a.path, TODAY())][0] == CheckIn.objects.count()
    assert_exact()


@postgres
@pytest.mark.django_db(transaction=True)
def test_people_moving_both_ways_while_batches_arrive_leave_exact_counters(tree):
    """Movers A→B and B→A at once, with fever batches (alerts) for the same people: every
    transaction locks check-ins, counters and alerts in one order, so none deadlocks."""
    from django.db import transaction

    from fangkong.people.models import Person

    grids = (tree.grid_a, tree.grid_b)
    people = {g.pk: [p.pk for p in _residents(g, 12)] for g in grids}
    ids = [pk for group in people.values() for pk in group]
    errors: list[BaseException] = []

    def mover(src, dst, seed):
        import random

        rng = random.Random(seed)
        try:
            for _n in range(12):
                with transaction.atomic():
                    chosen = list(
                        Person.objects.filter(pk__in=rng.sample(ids, 6), grid=src).values_list(
                            "pk", flat=True
                        )
                    )
                    Person.objects.filter(pk__in=chosen).update(grid=dst, region_path=dst.path)
                    person_moved(chosen)
                src, dst = dst, src
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    def writer(seed):
        import random

        rng = random.Random(seed)
        try:
            for _n in range(12):
                persons = dict(Person.objects.filter(pk__in=ids).values_list("pk", "region_path"))
                batch = [
                    CheckInData(uuid.uuid4(), rng.choice(ids), rng.choice(["36.6", "38.5"]))
                    for _ in range(rng.choice([4, 60]))
                ]
                record_check_ins(items=batch, persons=persons)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=mover, args=(grids[0], grids[1], 1)),
        threading.Thread(target=mover, args=(grids[1], grids[0], 2)),
        threading.Thread(target=writer, args=(3,)),
        threading.Thread(target=writer, args=(4,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert_exact()


@postgres
@pytest.mark.django_db(transaction=True)
def test_periods_under_watch_started_and_ended_while_batches_arrive_leave_exact_counters(
    tree, people
):
    """A check-in and a period under watch of the same person committed at the same moment:
    whichever comes second sees the other on the person's day row, so "watched and
    reported" is neither missed nor counted twice."""
    from fangkong.health.models import Observation
    from fangkong.health.services import do_end_observation, do_place_under_watch

    persons = {p.pk: p.region_path for p in _residents(tree.grid_a, 30)}
    ids = list(persons)
    errors: list[BaseException] = []

    def writer(seed):
        import random

        rng = random.Random(seed)
        try:
            for _n in range(15):
                batch = [CheckInData(uuid.uuid4(), rng.choice(ids), "36.6") for _ in range(20)]
                record_check_ins(items=batch, persons=persons)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    def watcher(seed):
        import random

        rng = random.Random(seed)
        try:
            for _n in range(15):
                chosen = rng.sample(ids, 8)
                do_place_under_watch(
                    people=[(pk, persons[pk], "阳性混管") for pk in chosen], kind="home_isolation"
                )
                running = list(
                    Observation.objects.filter(person_id__in=ids, ended_on__isnull=True)
                    .order_by("?")
                    .values_list("pk", flat=True)[:3]
                )
                for pk in running:
                    do_end_observation(observation_id=pk, reason="解除")
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(s,)) for s in (1, 2)]
    threads += [threading.Thread(target=watcher, args=(s,)) for s in (3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert GridDay.objects.get(region_path=tree.grid_a.path, on=TODAY()).watched_reported > 0
    assert_exact()
    assert_report_exact(tree.city)


def _residents(grid, n):
    return [make_person(grid) for _ in range(n)]


def test_a_retry_measured_now_again_after_midnight_is_still_a_retry(tree):
    from unittest import mock

    client_id = uuid.uuid4()
    late = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time(23, 59)))
    with mock.patch("django.utils.timezone.now", return_value=late):
        record(tree.person_a, client_id=client_id)
    with mock.patch("django.utils.timezone.now", return_value=late + dt.timedelta(minutes=2)):
        again = record(tree.person_a, client_id=client_id)
    assert (again.created, again.duplicates, again.rejected) == (0, 1, [])
    assert CheckIn.objects.count() == 1
    assert_exact()


@postgres
def test_check_ins_are_partitioned_by_day_with_partitions_made_ahead(tree):
    from fangkong.health import partitions

    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor)
    far = TODAY() + dt.timedelta(days=30)
    # a row of a day without a partition waits in the default one, and moves out with it
    CheckIn.objects.create(
        client_id=uuid.uuid4(),
        person=tree.person_a,
        region_path=tree.person_a.region_path,
        measured_at=timezone.now(),
        on=far,
        temperature="36.5",
        source="self",
    )
    assert partitions.create_partitions(days=0, today=far) == [partitions.partition_name(far)]
    assert partitions.create_partitions(days=0, today=far) == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.partition_name(far)}")
        assert cursor.fetchone()[0] == 1
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT}")
        assert cursor.fetchone()[0] == 0
    made = partitions.create_partitions()  # made ahead by the migration already
    assert made == []
