"""What a tube's result gives people to do, and when it is done.

A positive pool: every member is put under watch at once (home isolation, for their region's
``observation_days``), their household flagged, and a single-tube retest (单管复核) is given to
their grid worker with a deadline. An invalid tube: a re-sample for each member. Each task is
one per kind, person and tube (a database constraint), and the watch and the flag come with
the task's creation, so an import run again makes none of them twice.

A retest is done when the person is swabbed into a single tube (pool size 1) other than the
one that gave the task; a re-sample when they are swabbed into any other tube.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.health.choices import ObservationKind
from fangkong.health.services import do_place_under_watch
from fangkong.regions.models import Household, Region

from ..choices import Result, TaskKind, TaskLevel, TaskStatus
from ..labmodels import BULK_TASK_FIELDS, HouseholdFlag, Task
from ..models import Sample, Tube

RETEST_HOURS = 12  # a positive pool's members are swabbed again within half a day
RESAMPLE_HOURS = 24
BATCH = 2000
KIND_OF: dict[str, str] = {Result.POSITIVE: TaskKind.RETEST, Result.INVALID: TaskKind.RESAMPLE}


@dataclass
class Consequences:
    retest_tasks: int = 0
    resample_tasks: int = 0
    watched: int = 0  # people put under watch now
    households: int = 0  # households flagged now


def _db(model, name: str, value):
    """A value as the database stores it (BulkWriter writes raw rows)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _chunks(values: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _first_accounts(role: str, region_ids: Iterable[int]) -> dict[int, int]:
    """Region id → the first active account of ``role`` whose scope is that region."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(region_ids))):
        for pk, region_id in (
            User.objects.filter(role=role, is_active=True, scope_region_id__in=chunk)
            .order_by("id")
            .values_list("id", "scope_region_id")
        ):
            found.setdefault(region_id, pk)
    return found


def grid_workers(grid_ids: Iterable[int]) -> dict[int, int]:
    """Grid id → who gets its tasks: the grid worker (the first account of the grid), else,
    for a grid without one (none yet, or the account closed), the staff of its community —
    a retest nobody is given is a positive pool nobody follows up."""
    grids = {g for g in grid_ids if g is not None}
    found = _first_accounts(Role.GRID_WORKER, grids)
    orphans: dict[int, int | None] = {}
    for chunk in _chunks(sorted(grids - set(found))):
        orphans.update(Region.objects.filter(pk__in=chunk).values_list("id", "parent_id"))
    staff = _first_accounts(Role.COMMUNITY, {p for p in orphans.values() if p is not None})
    for grid_id, community_id in orphans.items():
        if community_id in staff:
            found[grid_id] = staff[community_id]
    return found


def do_act_on_results(*, tubes: dict[int, str], user: User | None = None) -> Consequences:
    """The tasks, watches and flags of tubes whose result is ``tubes[tube_id]`` (only
    positive and invalid give any); what already exists is left as it is."""
    out = Consequences()
    acting = {pk: r for pk, r in tubes.items() if r in KIND_OF}
    if not acting:
        return out
    members: list[tuple[int, int, int, int, str, int | None, int | None]] = []
    for chunk in _chunks(sorted(acting)):
        members += (
            Sample.objects.filter(tube_id__in=chunk)
            .order_by("tube_id", "id")
            .values_list(
                "tube_id",
                "campaign_id",
                "person_id",
                "person__grid_id",
                "person__region_path",
                "person__household_id",
                "id",
            )
        )
    existing: set[tuple[str, int, int]] = set()
    for chunk in _chunks(sorted(acting)):
        existing |= set(
            Task.objects.filter(tube_id__in=chunk).values_list("kind", "person_id", "tube_id")
        )
    workers = grid_workers(m[3] for m in members)
    now = timezone.now()
    new = []
    for tube_id, campaign_id, person_id, grid_id, path, household_id, _sample in members:
        kind = KIND_OF[acting[tube_id]]
        if (kind, person_id, tube_id) in existing:
            continue
        existing.add((kind, person_id, tube_id))
        new.append(
            (kind, person_id, path, workers.get(grid_id), tube_id, campaign_id, household_id)
        )
    _write_tasks(new, now)
    out.retest_tasks = sum(1 for t in new if t[0] == TaskKind.RETEST)
    out.resample_tasks = len(new) - out.retest_tasks
    retests = [t for t in new if t[0] == TaskKind.RETEST]
    if retests:
        barcodes = dict(
            Tube.objects.filter(pk__in={t[4] for t in retests}).values_list("id", "barcode")
        )
        out.watched = _watch(retests, barcodes, user)
        out.households = _flag(retests, now)
    return out


def _write_tasks(new: list[tuple], now: dt.datetime) -> None:
    rows = BulkWriter(Task, BULK_TASK_FIELDS)
    for pk, (kind, person_id, path, assignee, tube_id, campaign_id, _h) in zip(
        reserve_ids(Task, len(new)), new, strict=True
    ):
        hours = RETEST_HOURS if kind == TaskKind.RETEST else RESAMPLE_HOURS
        rows.rows.append(
            (
                pk,
                kind,
                person_id,
                path,
                assignee,
                tube_id,
                campaign_id,
                _db(Task, "deadline_at", now + dt.timedelta(hours=hours)),
                TaskStatus.OPEN,
                TaskLevel.GRID,
                _db(Task, "created_at", now),
            )
        )
        if len(rows.rows) >= BATCH:
            rows.flush()
    rows.flush()


def _watch(retests: list[tuple], barcodes: dict[int, str], user: User | None) -> int:
    """Members of a positive pool under home isolation by their region's rule."""
    reason = _("in positive pool %(code)s: until the single-tube retest")
    people = [
        (person_id, path, reason % {"code": barcodes.get(tube_id, "")})
        for _kind, person_id, path, _a, tube_id, _c, _h in retests
    ]
    return len(do_place_under_watch(people=people, kind=ObservationKind.HOME_ISOLATION, user=user))


def _flag(retests: list[tuple], now: dt.datetime) -> int:
    flags = {
        (household_id, tube_id): path
        for _k, _p, path, _a, tube_id, _c, household_id in retests
        if household_id is not None
    }
    if not flags:
        return 0
    paths = dict(
        Household.objects.filter(pk__in={h for h, _t in flags}).values_list("id", "region_path")
    )
    existing = set(
        HouseholdFlag.objects.filter(tube_id__in={t for _h, t in flags}).values_list(
            "household_id", "tube_id"
        )
    )
    made = [
        (h, t, paths.get(h) or path) for (h, t), path in flags.items() if (h, t) not in existing
    ]
    rows = BulkWriter(HouseholdFlag, ["id", "household", "tube", "region_path", "created_at"])
    when = _db(HouseholdFlag, "created_at", now)
    for pk, (h, t, path) in zip(reserve_ids(HouseholdFlag, len(made)), made, strict=True):
        rows.rows.append((pk, h, t, path, when))
    rows.flush()
    return len(made)


def do_close_tasks_by_swabs(*, swabs: Iterable[tuple[int, int, int]]) -> int:
    """Close the open tasks that new swabs answer; ``swabs`` is (tube id, its pool size,
    person id). A retest is answered by a single tube, a re-sample by any tube, other than the
    one that gave the task. A few queries whatever the number of swabs."""
    by_person: dict[int, list[tuple[int, int]]] = {}
    for tube_id, pool_size, person_id in swabs:
        by_person.setdefault(person_id, []).append((tube_id, pool_size))
    if not by_person:
        return 0
    closing: dict[int, int] = {}  # task id → the tube that answers it
    for chunk in _chunks(sorted(by_person)):
        for pk, kind, person_id, tube_id in Task.objects.filter(
            person_id__in=chunk, status=TaskStatus.OPEN
        ).values_list("id", "kind", "person_id", "tube_id"):
            for new_tube, pool_size in by_person[person_id]:
                if new_tube != tube_id and (kind == TaskKind.RESAMPLE or pool_size == 1):
                    closing[pk] = new_tube
                    break
    by_tube: dict[int, list[int]] = {}
    for task_id, tube_id in closing.items():
        by_tube.setdefault(tube_id, []).append(task_id)
    now = timezone.now()
    for tube_id, ids in by_tube.items():
        for chunk in _chunks(ids):
            Task.objects.filter(pk__in=chunk, status=TaskStatus.OPEN).update(
                status=TaskStatus.DONE, closed_at=now, closed_by_tube_id=tube_id
            )
    return len(closing)
