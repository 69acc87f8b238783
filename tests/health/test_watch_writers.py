"""Every writer of periods under watch keeps the grids' counters of who is under watch (and of
them who reported) equal to a recount from the raw rows, whatever record it was handed and
whatever commits beside it (services/watch.py)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Case, CheckIn, GridDay, Observation
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_add_contact,
    check_end_observation,
    check_extend_observation,
    check_start_observation,
    do_end_observation,
    do_place_under_watch,
    record_check_ins,
)
from fangkong.people.models import Person
from fangkong.people.moves import person_moved
from fangkong.people.services import do_merge_persons

from ..conftest import make_person
from .test_counters import assert_exact, assert_report_exact, postgres, record

TODAY = timezone.localdate
DAY = dt.timedelta(days=1)


def _days(n: int) -> list[dt.date]:
    return [TODAY() - i * DAY for i in range(n)]


def _move(person: Person, grid) -> None:
    """The person moves to ``grid`` as the registry's services move them."""
    Person.objects.filter(pk=person.pk).update(grid=grid, region_path=grid.path)
    person_moved([person.pk])


def _start(user, person, **kw) -> Observation:
    fields = {"kind": "home_observation", "reason": "返乡", "start_on": TODAY(), "days": 7}
    return check_start_observation(user=user, scope=scope_of(user), person=person, **fields | kw)


def test_extending_a_period_a_merge_gave_to_the_kept_person_counts_the_kept_person(tree, people):
    twin = make_person(tree.grid_a, phone="")
    period = _start(people.grid_a, twin, days=3)
    shown = Observation.objects.get(pk=period.pk)  # the page was loaded before the merge
    do_merge_persons(user=people.grid_a, keep=tree.person_a, drop=twin)
    check_extend_observation(
        user=people.grid_a, scope=scope_of(people.grid_a), observation=shown, days=5, reason="复查"
    )
    last = TODAY() + 7 * DAY
    assert GridDay.objects.get(region_path=tree.grid_a.path, on=last).watched == 1
    assert_exact()


def test_a_period_ended_twice_at_once_is_ended_once(tree, people):
    period = _start(people.grid_a, tree.person_a)
    shown = Observation.objects.get(pk=period.pk)
    do_end_observation(observation_id=period.pk, reason="解除")
    with pytest.raises(CheckInInvalid):
        check_extend_observation(
            user=people.grid_a, scope=scope_of(people.grid_a), observation=shown, days=2, reason="x"
        )
    assert not Observation.objects.get(pk=period.pk).extensions.exists()
    assert_exact()


def test_a_period_started_from_a_page_loaded_before_a_move_starts_where_the_person_lives(
    tree, people
):
    shown = Person.objects.get(pk=tree.person_a.pk)
    _move(tree.person_a, tree.grid_b)
    period = _start(people.grid_a, shown)
    assert period.region_path == tree.grid_b.path
    record(Person.objects.get(pk=shown.pk))  # they report where they live, and count there
    today = GridDay.objects.get(region_path=tree.grid_b.path, on=TODAY())
    assert (today.watched, today.watched_reported) == (1, 1)
    assert_exact()


def test_a_positive_pool_read_before_a_move_places_its_members_where_they_live(tree):
    read = [(tree.person_a.pk, tree.person_a.region_path, "阳性混管")]
    _move(tree.person_a, tree.grid_b)
    do_place_under_watch(people=read, kind="home_isolation")
    assert Observation.objects.get().region_path == tree.grid_b.path
    assert_exact()


def test_a_contact_traced_from_a_page_loaded_before_a_move_is_watched_where_they_live(tree, people):
    case = Case.objects.create(
        person=tree.person_c,
        region_path=tree.person_c.region_path,
        classification="confirmed",
        report_on=TODAY(),
    )
    shown = Person.objects.get(pk=tree.person_a.pk)
    _move(tree.person_a, tree.grid_b)
    _contact, periods = check_add_contact(
        user=people.street, scope=scope_of(people.street), case=case, person=shown, kind="close"
    )
    assert {p.region_path for p in Observation.objects.all()} == {tree.grid_b.path}
    assert len(periods) == 2
    assert_exact()


def test_backdated_long_extended_and_early_ended_periods_count_each_day_they_cover(tree, people):
    """A period backdated three days and ended today; one of 60 days extended twice by 60; a
    contact's home period that had not begun, ended today (it ends before it starts); and
    check-ins of past days arriving late: each day's figures equal the raw rows'."""
    a, b = tree.person_a, tree.person_b
    record(a, measured_at=timezone.now() - 2 * DAY)
    back = _start(people.grid_a, a, start_on=TODAY() - 3 * DAY, days=5)
    check_end_observation(
        user=people.grid_a, scope=scope_of(people.grid_a), observation=back, reason="解除"
    )
    long = _start(people.grid_b, b, start_on=TODAY() - 59 * DAY, days=60)
    for _ in range(2):
        long = check_extend_observation(
            user=people.grid_b,
            scope=scope_of(people.grid_b),
            observation=long,
            days=60,
            reason="复查",
        )
    record(b, measured_at=timezone.now() - DAY)  # yesterday's, sent today
    record(a, measured_at=timezone.now() - DAY)
    case = Case.objects.create(
        person=tree.person_c,
        region_path=tree.person_c.region_path,
        classification="confirmed",
        report_on=TODAY(),
    )
    child = tree.child_a
    _contact, (first, home) = check_add_contact(
        user=people.street, scope=scope_of(people.street), case=case, person=child, kind="close"
    )
    do_end_observation(observation_id=home.pk, reason="解除")  # not begun: it covers nothing
    assert Observation.objects.get(pk=home.pk).last_day < home.start_on
    assert GridDay.objects.get(region_path=tree.grid_b.path, on=TODAY() + 120 * DAY).watched == 1
    assert_exact()
    assert_report_exact(tree.city, _days(5))


# --- PostgreSQL: what commits beside a change of periods ------------------------------------


def _threads(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(fn):
        try:
            fn()
        except BaseException as e:  # reported by the caller
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_period_ended_while_a_merge_gives_it_to_the_kept_person_counts_the_kept_person(
    tree, people
):
    """The end reads the period's person, then waits for that person's lock, which the merge
    holds; when it gets it, the period is the kept person's."""
    twin = make_person(tree.grid_a, phone="")
    period = _start(people.grid_a, twin, days=7)
    merged, ending = threading.Event(), threading.Event()

    def merge():
        with transaction.atomic():
            do_merge_persons(user=people.grid_a, keep=tree.person_a, drop=twin)
            merged.set()
            assert ending.wait(10)
            time.sleep(0.5)  # the end is waiting for the twin's lock by now

    def end():
        assert merged.wait(10)
        ending.set()
        assert do_end_observation(observation_id=period.pk, reason="解除")

    assert not _threads(merge, end)
    assert Observation.objects.get(pk=period.pk).person_id == tree.person_a.pk
    assert not GridDay.objects.filter(on__gt=TODAY(), watched__gt=0).exists()
    assert_exact()


@postgres
@pytest.mark.django_db(transaction=True)
def test_two_periods_started_for_one_person_at_once_make_one(tree, people):
    for _round in range(3):
        person = make_person(tree.grid_a)
        go = threading.Barrier(3)

        def by_hand(person=person, go=go):
            go.wait()
            try:
                _start(people.grid_a, person)
            except CheckInInvalid:  # the other came first
                pass

        def pool(person=person, go=go):
            go.wait()
            do_place_under_watch(
                people=[(person.pk, person.region_path, "阳性混管")], kind="home_isolation"
            )

        assert not _threads(by_hand, by_hand, pool)
        assert Observation.objects.filter(person=person).count() == 1
        assert_exact()


@postgres
@pytest.mark.django_db(transaction=True)
def test_people_moving_while_their_check_ins_and_periods_commit_leave_exact_counters(tree, people):
    """Each person moves between grids A and B while their check-ins arrive (with the path
    read before the move) and their periods start, end and are extended."""
    import random

    persons = [make_person(tree.grid_a) for _ in range(8)]
    ids = [p.pk for p in persons]
    grids = {tree.grid_a.path: tree.grid_b, tree.grid_b.path: tree.grid_a}

    def mover():
        rng = random.Random(1)
        for _n in range(25):
            with transaction.atomic():
                who = Person.objects.get(pk=rng.choice(ids))
                grid = grids[who.region_path]
                Person.objects.filter(pk=who.pk).update(grid=grid, region_path=grid.path)
                person_moved([who.pk])

    def reporter(seed):
        rng = random.Random(seed)
        for _n in range(25):
            paths = dict(Person.objects.filter(pk__in=ids).values_list("pk", "region_path"))
            chosen = rng.sample(ids, 3)
            record_check_ins(
                items=[CheckInData(uuid.uuid4(), pk, "36.6") for pk in chosen],
                persons={pk: paths[pk] for pk in chosen},
            )

    def watcher():
        rng = random.Random(4)
        scope = scope_of(people.grid_a)
        for _n in range(25):
            shown = Person.objects.get(pk=rng.choice(ids))
            running = Observation.objects.filter(person=shown, ended_on__isnull=True).first()
            try:
                if running is None:
                    _start(people.grid_a, shown, start_on=TODAY() - DAY)
                elif rng.random() < 0.5:
                    check_extend_observation(
                        user=people.grid_a, scope=scope, observation=running, days=2, reason="x"
                    )
                else:
                    do_end_observation(observation_id=running.pk, reason="解除")
            except CheckInInvalid:  # ended or started by the other meanwhile
                pass

    assert not _threads(mover, lambda: reporter(2), lambda: reporter(3), watcher)
    lives = dict(Person.objects.filter(pk__in=ids).values_list("pk", "region_path"))
    running = Observation.objects.filter(end_on__gte=TODAY(), ended_on__isnull=True)
    assert all(o.region_path == lives[o.person_id] for o in running)
    assert_exact()
    assert_report_exact(tree.city)


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_merge_while_the_dropped_twin_checks_in_leaves_exact_counters(tree, people):
    """The twin's check-in either commits before the merge (and is merged with the rest) or
    fails: on the deleted record, or as the deadlock PostgreSQL breaks when the merge waits for
    the twin's day rows the check-in holds while it waits for the twin's record (its foreign
    key is checked at commit). Nothing of it is counted, and the merge goes through."""
    for _round in range(4):
        twin = make_person(tree.grid_a, phone="")
        _start(people.grid_a, twin, start_on=TODAY() - DAY)
        record(twin)  # the twin's row of today exists: the next check-in updates it
        go = threading.Barrier(2)
        failed: list[BaseException] = []

        def merge(twin=twin, go=go):
            go.wait()
            do_merge_persons(user=people.grid_a, keep=tree.person_a, drop=twin)

        def check_in(twin=twin, go=go, failed=failed):
            go.wait()
            try:
                for _n in range(5):
                    record(twin)
            except (IntegrityError, OperationalError) as e:  # the record is gone, or deadlock
                failed.append(e)

        assert not _threads(merge, check_in)
        assert not Person.objects.filter(pk=twin.pk).exists()
        assert CheckIn.objects.filter(person_id=twin.pk).count() == 0
        assert_exact()
        assert_report_exact(tree.city)
