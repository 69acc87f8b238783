"""Coverage's counters stay equal to a recount from the swabs, their tubes' results and where
people live now, and coverage read from them equals the exact query of the raw rows."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fangkong.accounts.scope import Cap, Scope, scope_of
from fangkong.people.models import Person
from fangkong.people.moves import person_moved
from fangkong.people.services import do_merge_persons
from fangkong.people.services.counters import recount_grids
from fangkong.screening import selectors
from fangkong.screening.models import CoverageHour, Sample, SampledPerson, Tube
from fangkong.screening.services import (
    ScreeningInvalid,
    SwabData,
    check_add_swabs,
    check_open_tube,
    check_remove_swab,
)
from fangkong.screening.services.counters import hour_of, recount

from ..conftest import make_person
from .conftest import make_campaign, open_tube, swab
from .labhelpers import import_rows, make_lab, swabbed_tube

LAB = "芙蓉区疾控中心实验室"


def counters() -> tuple[dict, dict]:
    persons = {
        (p.campaign_id, p.person_id): (p.region_path, p.sampled_at, p.resulted_at, p.positive_at)
        for p in SampledPerson.objects.all()
    }
    hours = {
        (h.campaign_id, h.region_path, h.hour): (h.sampled, h.resulted, h.positive)
        for h in CoverageHour.objects.exclude(sampled=0, resulted=0, positive=0)
    }
    return persons, hours


def assert_exact() -> None:
    """What the writes left equals what a recount from the raw rows makes."""
    kept = counters()
    recount()
    assert kept == counters()


def everything(path: str) -> Scope:
    """A reader of everything under ``path`` (as the command line reads)."""
    return Scope(user_id=None, role="", path=path, caps=frozenset(Cap))


def moments() -> list[dt.datetime | None]:
    """Every kind of moment coverage is asked for: all, now, the day's start, an hour's start,
    inside an hour (its first half and its second), a little ahead of now."""
    now = timezone.now()
    hour = hour_of(now)
    day = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    return [
        None,
        now,
        day,
        hour,
        hour - dt.timedelta(hours=1),
        now - dt.timedelta(minutes=10),
        now - dt.timedelta(minutes=35),
        now - dt.timedelta(minutes=80),
        now + dt.timedelta(minutes=4),
    ]


def assert_coverage_exact(campaign, *regions) -> None:
    """Coverage from the counters equals the exact query, for each region at every moment."""
    for region in regions:
        scope = everything(region.path)
        for until in moments():
            counted = selectors.coverage_values(scope, campaign, region.path, until)
            exact = selectors.exact_values(scope, campaign, region.path, until)
            assert counted == exact, (region.name, until)


def total(campaign, region) -> dict:
    return selectors.coverage(everything(region.path), campaign, region).total.as_dict()


def move(person, grid) -> None:
    """A person moving grid, as the registry's services move them (in one transaction)."""
    was = Person.objects.get(pk=person.pk).region_path
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(grid=grid, region_path=grid.path)
        person_moved([person.pk])
        recount_grids([was, grid.path])


def test_coverage_is_read_from_the_counters_and_recount_rebuilds_them(
    tree, people, campaign, capsys
):
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a, tree.child_a)
    assert total(campaign, tree.community_a)["sampled"] == 2
    SampledPerson.objects.all().delete()
    CoverageHour.objects.all().delete()
    assert total(campaign, tree.community_a)["sampled"] == 0  # nothing counts the swabs again
    call_command("screening", "recount", "--campaign", str(campaign.pk))
    assert capsys.readouterr().out.strip() == "counted 2 persons in 1 grid-hours"
    assert total(campaign, tree.community_a) == {
        "target": 2,
        "sampled": 2,
        "resulted": 0,
        "positive": 0,
        "untested": 0,
    }
    assert_exact()


def test_the_coverage_command_keeps_its_contract(tree, people, campaign, capsys):
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a)
    call_command(
        "screening",
        "coverage",
        "--campaign",
        str(campaign.pk),
        "--region",
        "430102001001001",
        "--json",
    )
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line == '{"target": 2, "sampled": 1, "resulted": 0, "positive": 0, "untested": 1}'


def test_a_retried_scan_and_a_second_swab_count_the_person_once(tree, people, campaign):
    cid = uuid.uuid4()
    first = open_tube(people.grid_a, campaign, barcode="HX000001")
    swab(people.grid_a, first, tree.person_a, client_id=cid)
    swab(people.grid_a, first, tree.person_a, client_id=cid)  # the answer was lost: sent again
    swab(people.grid_a, open_tube(people.grid_a, campaign, barcode="HX000002"), tree.person_a)
    assert Sample.objects.count() == 2
    persons, hours = counters()
    assert list(persons) == [(campaign.pk, tree.person_a.pk)]
    assert [n for n, _r, _p in hours.values()] == [1]
    assert_exact()


def test_a_removed_swab_stops_counting_the_person(tree, people, campaign):
    swab(people.grid_a, open_tube(people.grid_a, campaign), tree.person_a, tree.child_a)
    wrong = Sample.objects.get(person=tree.child_a)
    check_remove_swab(
        user=people.grid_a, scope=scope_of(people.grid_a), sample=wrong, reason="扫错人"
    )
    assert total(campaign, tree.community_a)["sampled"] == 1
    assert_exact()


def test_lab_results_count_resulted_and_positive_and_the_same_file_again_changes_nothing(
    tree, people, tmp_path
):
    campaign = make_campaign(tree)
    lab = make_lab(tree, people)
    others = [make_person(tree.grid_a) for _ in range(4)]
    user = people.grid_a
    swabbed_tube(user, campaign, "HX100001", tree.person_a, tree.child_a, lab=lab)
    swabbed_tube(user, campaign, "HX100002", others[0], others[1], lab=lab)
    swabbed_tube(user, campaign, "HX100003", others[2], others[3], lab=lab)
    at = timezone.localdate().strftime("%Y-%m-%d") + " 18:30"
    first = [
        ["HX100001", "阴性", "", "", LAB, at],
        ["HX100002", "无效", "", "", LAB, at],
        ["HX100003", "阴性", "", "", LAB, at],
    ]
    import_rows(tmp_path, first, lab=lab, name="first.csv")
    assert total(campaign, tree.community_a) == {
        "target": 6,
        "sampled": 6,
        "resulted": 4,  # an invalid tube's members are sampled again, not resulted
        "positive": 0,
        "untested": 0,
    }
    # the lab reports again: HX100001 positive (it overturns the negative), HX100002
    # negative (the invalid stands), HX100003 invalid (it overturns the negative)
    second = [
        ["HX100001", "阳性", "28.1", "30.2", LAB, at],
        ["HX100002", "阴性", "", "", LAB, at],
        ["HX100003", "无效", "", "", LAB, at],
    ]
    import_rows(tmp_path, second, lab=lab, name="second.csv")
    after = total(campaign, tree.community_a)
    assert (after["resulted"], after["positive"]) == (2, 2)
    kept = counters()
    import_rows(tmp_path, second, lab=lab, name="second.csv")
    assert counters() == kept
    assert_exact()
    assert_coverage_exact(campaign, tree.community_a, tree.grid_a)


def test_a_person_moving_takes_their_figures_along(tree, people):
    street = make_campaign(tree, region=tree.street)
    sampler = people.community
    swab(sampler, open_tube(sampler, street), tree.person_a, tree.child_a)
    move(tree.person_a, tree.grid_b)
    assert total(street, tree.grid_b)["sampled"] == 1
    assert total(street, tree.grid_a)["sampled"] == 1
    move(tree.child_a, tree.grid_c)  # out of the campaign's region: no part of its target
    assert total(street, tree.street)["sampled"] == 1
    assert_exact()
    assert_coverage_exact(street, tree.street, tree.grid_a, tree.grid_b)


def test_a_merge_counts_the_kept_person_once(tree, people):
    street = make_campaign(tree, region=tree.street)
    twin = make_person(tree.grid_b, phone="")
    swab(people.community, open_tube(people.community, street, "HX000001"), tree.person_a)
    swab(people.grid_b, open_tube(people.grid_b, street, "HX000002"), twin)
    do_merge_persons(user=people.community, keep=tree.person_a, drop=twin)
    persons, _hours = counters()
    assert list(persons) == [(street.pk, tree.person_a.pk)]
    assert total(street, tree.street)["sampled"] == 1
    assert_exact()
    assert_coverage_exact(street, tree.street, tree.grid_a, tree.grid_b)


def test_coverage_at_an_earlier_moment_counts_the_swabs_taken_before_it(tree, people):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    campaign = make_campaign(tree, start_on=yesterday, end_on=timezone.localdate())
    residents = [tree.person_a, tree.child_a] + [make_person(tree.grid_a) for _ in range(6)]
    now = timezone.now()
    times = [
        timezone.make_aware(dt.datetime.combine(yesterday, dt.time(10, 10))),
        now - dt.timedelta(minutes=95),
        now - dt.timedelta(minutes=50),
        now - dt.timedelta(minutes=20),
        now - dt.timedelta(minutes=2),
        now + dt.timedelta(minutes=3),  # a phone whose clock is ahead
    ]
    scope = everything(tree.city.path)
    for n, (person, when) in enumerate(zip(residents, times, strict=False)):
        tube, _made = check_open_tube(
            user=people.grid_a, scope=scope, campaign=campaign, barcode=f"HX{n:06d}"
        )
        done = check_add_swabs(
            user=people.grid_a,
            scope=scope,
            tube=tube,
            items=[SwabData(uuid.uuid4(), person.pk, sampled_at=when)],
        )
        assert done.created == 1, done.rejected
    cover = selectors.coverage_values(scope, campaign, tree.community_a.path, now)
    assert cover[tree.grid_a.path].sampled == Sample.objects.filter(sampled_at__lt=now).count()
    assert_coverage_exact(campaign, tree.community_a, tree.grid_a)


def test_a_tag_campaign_is_counted_by_the_exact_query(tree, people):
    elderly = make_campaign(tree, target="tag", target_tag="elderly_alone")
    swab(people.grid_a, open_tube(people.grid_a, elderly), tree.person_a, tree.child_a)
    assert total(elderly, tree.community_a) == {
        "target": 1,
        "sampled": 1,
        "resulted": 0,
        "positive": 0,
        "untested": 0,
    }


class CoverageMachine(RuleBasedStateMachine):
    """Any sequence of scans (at any time of the last two hours, a retry, a phone's clock
    ahead), lab results (negative, positive, invalid, reported again), removed swabs, moves
    (within the campaign's region and out of it) and merges keeps the counters equal to a
    recount, and coverage from them equal to the exact query at every kind of moment."""

    @initialize()
    def setup(self):
        self.example = transaction.atomic()  # each example starts from the same rows
        self.example.__enter__()
        self.tree, self.people, self.user = TREE, PEOPLE, USER
        self.scope = everything(self.tree.city.path)
        self.sent: list[tuple[int, SwabData]] = []
        self.n = Tube.objects.count()

    @rule(
        picks=st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
        minutes=st.integers(-110, 4),
    )
    def scan(self, picks, minutes):
        self.n += 1
        tube, _made = check_open_tube(
            user=self.user, scope=self.scope, campaign=CAMPAIGN, barcode=f"HY{self.n:06d}"
        )
        when = timezone.now() + dt.timedelta(minutes=minutes)
        items = [SwabData(uuid.uuid4(), self.people[i].pk, sampled_at=when) for i in picks]
        check_add_swabs(user=self.user, scope=self.scope, tube=tube, items=items)
        self.sent += [(tube.pk, item) for item in items]

    @rule(data=st.data())
    def retry(self, data):
        if self.sent:
            tube_id, item = data.draw(st.sampled_from(self.sent))
            tube = Tube.objects.get(pk=tube_id)
            check_add_swabs(user=self.user, scope=self.scope, tube=tube, items=[item])

    @rule(data=st.data(), word=st.sampled_from(["阴性", "阳性", "无效"]))
    def result(self, data, word):
        codes = list(Tube.objects.filter(campaign=CAMPAIGN).values_list("barcode", flat=True))
        if codes:
            code = data.draw(st.sampled_from(sorted(codes)))
            at = timezone.localdate().strftime("%Y-%m-%d") + " 18:30"
            import_rows(TMP, [[code, word, "", "", LAB, at]], lab=LAB_ROW, name=f"{code}.csv")

    @rule(data=st.data())
    def remove(self, data):
        open_swabs = list(
            Sample.objects.filter(campaign=CAMPAIGN, tube__status="open").values_list(
                "pk", flat=True
            )
        )
        if open_swabs:
            sample = Sample.objects.get(pk=data.draw(st.sampled_from(sorted(open_swabs))))
            check_remove_swab(user=self.user, scope=self.scope, sample=sample, reason="扫错")

    @rule(i=st.integers(0, 3), where=st.sampled_from(["grid_a", "grid_b", "grid_c"]))
    def move(self, i, where):
        move(self.people[i], getattr(self.tree, where))

    @rule(i=st.integers(0, 3), in_b=st.booleans())
    def merge(self, i, in_b):
        """A duplicate record, swabbed, merged into one of the people."""
        twin = make_person(self.tree.grid_b if in_b else self.tree.grid_a, phone="")
        self.n += 1
        tube, _made = check_open_tube(
            user=self.user, scope=self.scope, campaign=CAMPAIGN, barcode=f"HY{self.n:06d}"
        )
        check_add_swabs(
            user=self.user, scope=self.scope, tube=tube, items=[SwabData(uuid.uuid4(), twin.pk)]
        )
        keep = Person.objects.get(pk=self.people[i].pk)
        try:
            do_merge_persons(user=self.user, keep=keep, drop=twin)
        except Exception as e:  # both in one tube: refused, nothing merged
            assert "cannot be joined" in str(e)

    def teardown(self):
        if hasattr(self, "example"):
            transaction.set_rollback(True)
            self.example.__exit__(None, None, None)

    @invariant()
    def exact(self):
        assert_exact()
        assert_coverage_exact(CAMPAIGN, self.tree.street)  # its values hold each grid's


TREE = PEOPLE = USER = CAMPAIGN = LAB_ROW = TMP = None


@pytest.mark.django_db
def test_counters_stay_exact_under_any_sequence_of_writes(tree, people, tmp_path):
    global TREE, PEOPLE, USER, CAMPAIGN, LAB_ROW, TMP
    TREE, USER, TMP = tree, people.grid_a, tmp_path
    PEOPLE = [tree.person_a, tree.child_a, tree.person_b, make_person(tree.grid_b)]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CAMPAIGN = make_campaign(
        tree, region=tree.street, start_on=yesterday, end_on=timezone.localdate()
    )
    LAB_ROW = make_lab(tree, people)
    machine = CoverageMachine.TestCase
    machine.settings = settings(
        max_examples=20,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()


# --- PostgreSQL: writers at once on their own connections --------------------------------------

postgres = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers)",
)


def _run(*targets, during=None) -> None:
    """Each ``(fn, arg)`` in a thread of its own (its own connection); ``during`` runs here
    meanwhile. Whatever a thread raised fails the test."""
    errors: list[BaseException] = []

    def wrapped(fn, arg):
        try:
            fn(arg)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=t) for t in targets]
    for t in threads:
        t.start()
    if during is not None:
        during()
    for t in threads:
        t.join()
    assert not errors, errors


class Rush:
    """Phones, a lab and a mover at work on one street campaign at once (each method runs in
    a thread of its own)."""

    def __init__(self, tree, people, tmp_path):
        self.tree, self.user, self.tmp_path = tree, people.community, tmp_path
        self.campaign = make_campaign(tree, region=tree.street)
        self.lab = make_lab(tree, people)
        self.ids = [make_person(g).pk for g in (tree.grid_a, tree.grid_b) for _ in range(15)]
        self.scope = everything(tree.city.path)
        self.sent: list[tuple[int, SwabData]] = []
        self.lock = threading.Lock()

    def phone(self, seed: int) -> None:
        """A tube at a time, one or five people; then something sent before, sent again."""
        rng = random.Random(seed)
        for n in range(12):
            tube, _made = check_open_tube(
                user=self.user, scope=self.scope, campaign=self.campaign, barcode=f"T{seed}{n:04d}"
            )
            people = rng.sample(self.ids, rng.choice([1, 5]))
            items = [SwabData(uuid.uuid4(), pk) for pk in people]
            check_add_swabs(user=self.user, scope=self.scope, tube=tube, items=items)
            with self.lock:
                self.sent.extend((tube.pk, i) for i in items)
                tube_id, again = rng.choice(self.sent)  # maybe another phone's
            retried = Tube.objects.get(pk=tube_id)
            check_add_swabs(user=self.user, scope=self.scope, tube=retried, items=[again])
            if n % 5 == 4:
                self.remove_one()

    def remove_one(self) -> None:
        victim = Sample.objects.filter(tube__status="open").order_by("?").first()
        if victim is None:
            return
        try:
            check_remove_swab(user=self.user, scope=self.scope, sample=victim, reason="扫错")
        except ScreeningInvalid:  # its tube went to the lab meanwhile
            pass

    def lab_files(self, seed: int) -> None:
        """The last tubes' results, then the file again with one contradicted, then again."""
        rng = random.Random(seed)
        at = timezone.localdate().strftime("%Y-%m-%d") + " 18:30"
        n = 0
        while n < 6:
            codes = list(Tube.objects.order_by("id").values_list("barcode", flat=True))[-6:]
            if not codes:  # no tube yet
                time.sleep(0.05)
                continue
            n += 1
            rows = [[c, rng.choice(["阴性", "阳性", "无效"]), "", "", LAB, at] for c in codes]
            name = f"lab{n}.csv"
            import_rows(self.tmp_path, rows, lab=self.lab, name=name)
            rows[0][1] = "阳性" if rows[0][1] != "阳性" else "阴性"  # a contradiction
            import_rows(self.tmp_path, rows, lab=self.lab, name=name)
            import_rows(self.tmp_path, rows, lab=self.lab, name=name)  # the same file again

    def mover(self, seed: int) -> None:
        """Four people at a time to grid A, grid B or out of the street, as the registry."""
        rng = random.Random(seed)
        grids = [self.tree.grid_a, self.tree.grid_b, self.tree.grid_c]
        for _n in range(15):
            with transaction.atomic():
                chosen, grid = rng.sample(self.ids, 4), rng.choice(grids)
                moving = Person.objects.filter(pk__in=chosen)
                was = list(moving.values_list("region_path", flat=True))
                moving.update(grid=grid, region_path=grid.path)
                person_moved(chosen)
                recount_grids([*was, grid.path])


@postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_retries_lab_files_and_moves_leave_exact_counters(tree, people, tmp_path):
    """Phones scanning the same people into their own tubes (and sending again what they
    sent, theirs or another's), lab files imported with a contradiction and again, and people
    moving between two grids and out of the street, all at once: the counters equal a
    recount, and coverage the exact query."""
    rush = Rush(tree, people, tmp_path)
    _run((rush.phone, 1), (rush.phone, 2), (rush.phone, 3), (rush.lab_files, 4), (rush.mover, 5))
    assert Sample.objects.exists() and SampledPerson.objects.exists()
    assert_exact()
    assert_coverage_exact(rush.campaign, tree.street, tree.grid_a, tree.grid_b)


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_swab_taken_while_the_person_moves_counts_them_where_they_moved(tree, people):
    """The move has found no swab of theirs to follow and is not committed yet when the phone
    stores their first swab: the phone waits for the move (its lock on the person) and reads
    where they live after it, instead of counting them in the grid they left."""
    street = make_campaign(tree, region=tree.street)
    person = make_person(tree.grid_a)
    scope = everything(tree.city.path)
    tube, _made = check_open_tube(
        user=people.community, scope=scope, campaign=street, barcode="HX000001"
    )
    moved, release = threading.Event(), threading.Event()

    def mover(_):
        with transaction.atomic():
            Person.objects.filter(pk=person.pk).update(
                grid=tree.grid_b, region_path=tree.grid_b.path
            )
            person_moved([person.pk])  # no swab of theirs yet
            recount_grids([tree.grid_a.path, tree.grid_b.path])
            moved.set()
            release.wait(10)

    def phone(_):
        moved.wait(10)
        items = [SwabData(uuid.uuid4(), person.pk)]
        done = check_add_swabs(user=people.community, scope=scope, tube=tube, items=items)
        assert done.created == 1

    _run((mover, 0), (phone, 0), during=lambda: (moved.wait(10), time.sleep(0.5), release.set()))
    assert SampledPerson.objects.get().region_path == tree.grid_b.path
    assert_exact()
    assert_coverage_exact(street, tree.street)


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_caught_in_a_deadlock_with_a_move_goes_through_after_it(tree, people):
    """A phone's batch locks its two people in key order, a move locks them the other way
    round: PostgreSQL fails one to break the deadlock (the batch, which waited first), and the
    service sends the batch again once the move is done."""
    street = make_campaign(tree, region=tree.street)
    first, second = make_person(tree.grid_a), make_person(tree.grid_a)
    scope = everything(tree.city.path)
    tube, _made = check_open_tube(
        user=people.community, scope=scope, campaign=street, barcode="HX000001"
    )
    holding = threading.Event()

    def mover(_):
        with transaction.atomic():
            grid = {"grid": tree.grid_b, "region_path": tree.grid_b.path}
            Person.objects.filter(pk=second.pk).update(**grid)
            holding.set()
            time.sleep(0.3)  # the phone now waits for ``second``
            Person.objects.filter(pk=first.pk).update(**grid)
            person_moved([first.pk, second.pk])
            recount_grids([tree.grid_a.path, tree.grid_b.path])

    def phone(_):
        holding.wait(10)
        items = [SwabData(uuid.uuid4(), first.pk), SwabData(uuid.uuid4(), second.pk)]
        done = check_add_swabs(user=people.community, scope=scope, tube=tube, items=items)
        assert done.created == 2

    _run((mover, 0), (phone, 0))
    assert set(SampledPerson.objects.values_list("region_path", flat=True)) == {tree.grid_b.path}
    assert_exact()
