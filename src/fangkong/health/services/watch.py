"""Who is under watch in each grid on each day, kept with the writes (docs/health.md).

Every change of periods under watch — a period started, placed in bulk, replaced by a
contact's rule, extended, ended early, moved with its person, given to another record by a
merge — runs inside ``changing(person_ids)``. It locks those persons (so two changes of one
person's periods follow each other), reads which days, grids and kinds their periods cover,
lets the caller write, reads them again, and counts the difference in one pass
(``counters.Tally``): ``PersonDay.w`` (periods covering the person's day in a grid), and
from it ``GridDay.watched`` and ``GridDay.watched_reported``, and ``KindDay``.

A check-in and a period started at the same moment meet on the person's ``PersonDay`` row:
whichever comes second sees the other's ``n`` or ``w`` and counts the person as watched and
reported (services/counters.py). Locks, in the order every writer takes them: the persons,
the periods, the check-ins, ``PersonDay`` rows, ``GridDay`` rows, ``KindDay`` rows, alerts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction

from fangkong.people.models import Person

from ..models import Observation
from . import counters

CHUNK = 2000  # persons per query
ONE_DAY = dt.timedelta(days=1)

coverage_of = counters.coverage_of  # the days, grids and kinds periods cover
settle_kinds = counters.settle_kinds


def _difference(after: Counter, before: Counter) -> dict:
    return {k: d for k in after.keys() | before.keys() if (d := after[k] - before[k])}


class Change(counters.Tally):
    """What ``changing`` yields: the tally of the pass, which takes the caller's other
    changes (a move's check-ins, a merge's day rows), and ``paths``, the persons' grid paths
    read under their lock: a period starts where its person lives now, whatever an object
    loaded before a move still says."""

    def __init__(self, paths: dict[int, str]) -> None:
        super().__init__()
        self.paths = paths


def _lock(ids: list[int]) -> dict[int, str]:
    """Lock these persons (so two changes of one person's periods follow each other), in key
    order; their grid paths."""
    paths: dict[int, str] = {}
    for i in range(0, len(ids), CHUNK):
        paths.update(
            Person.objects.select_for_update(no_key=True)
            .filter(pk__any=ids[i : i + CHUNK])
            .order_by("pk")
            .values_list("pk", "region_path")
        )
    return paths


def person_of(observation_id: int) -> int | None:
    """The person whose period this is, locked, inside the caller's transaction (None: no
    such period). Read again under the lock: until a merge commits, the period may still
    name the record it gives to the kept person, and a change counted for that record
    would leave the kept person's counters as they were."""
    while True:
        person_id = (
            Observation.objects.filter(pk=observation_id)
            .values_list("person_id", flat=True)
            .first()
        )
        if person_id is None:
            return None
        _lock([person_id])
        if Observation.objects.filter(pk=observation_id, person_id=person_id).exists():
            return person_id


@contextmanager
def changing(person_ids: Iterable[int], *, since: dt.date | None = None) -> Iterator[Change]:
    """Around a change of these persons' periods under watch (on days from ``since`` on,
    when given): the counters follow, in the same transaction (``Change``)."""
    ids = sorted(set(person_ids))
    with transaction.atomic():
        change = Change(_lock(ids))
        before = coverage_of(ids, since=since)
        yield change
        after = coverage_of(ids, since=since)
        change.watches(_difference(after[0], before[0]))
        change.kinds(_difference(after[1], before[1]))
        change.apply()
