"""What of a person's health record follows them to another grid (registered in apps.py).

What is still going on follows: the open alert (the new grid worker must act on it, the old
one no longer can), observation periods not yet over, and today's check-ins (so today's
"missing" list and coverage of the new grid count them). What happened stays where it
happened: past days' check-ins, closed alerts, periods already over, cases, contacts and
checkpoint passages — each day's figures of a region stay what they were (docs/health.md),
except that a period still running moves whole: its past days are counted under watch in the
new grid too (splitting the period at the move would keep them where they were).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from fangkong.people.models import Person, PersonMerge

from .models import Alert, CheckIn, Observation
from .services import counters, watch

# ids per statement: under SQLite's limit on query parameters
CHUNK = 2000


def move_health_records(person_ids: Collection[int]) -> None:
    """One UPDATE per table (per 2,000 persons): each row takes its person's path."""
    today = timezone.localdate()
    path = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("region_path")[:1])
    ids = list(person_ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        # periods, check-ins and counters before alerts, the order every writer locks them in
        # (services/watch.py): the other order can deadlock with a batch of check-ins; the
        # counters of all three changes in one pass
        with watch.changing(chunk) as tally:
            _merged_counters(chunk, tally)
            _move_check_ins(chunk, today, tally)
            Observation.objects.filter(person_id__in=chunk, end_on__gte=today).filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=today)
            ).update(region_path=path)
        Alert.objects.filter(person_id__in=chunk, closed_at__isnull=True).update(region_path=path)


def _merged_counters(chunk: list[int], tally: counters.Tally) -> None:
    """A merge gave a dropped record's check-ins and periods to the kept person: the day
    counters count the kept person instead, once per grid-day (services/counters.py)."""
    for keep, dropped in PersonMerge.objects.filter(person_id__in=chunk).values_list(
        "person_id", "dropped_id"
    ):
        days = set(CheckIn.objects.filter(person_id=keep).values_list("on", "region_path"))
        covered = {(on, path) for on, path, _pid in watch.coverage_of([keep])[0]}
        counters.transfer_person(from_id=dropped, to_id=keep, days=days | covered, tally=tally)
        tally.settle_kinds(covered)


def _move_check_ins(chunk: list[int], today, tally: counters.Tally) -> None:
    """Today's (and later) check-ins take the person's path; the rows read are locked and
    only they move, so the counters leave exactly what moved from the old grid-day."""
    before = list(
        CheckIn.objects.select_for_update()
        .filter(person_id__in=chunk, on__gte=today)
        .values_list("id", "on", "region_path", "person_id", "temperature")
    )
    if not before:
        return
    new_paths = dict(Person.objects.filter(pk__in=chunk).values_list("id", "region_path"))
    moved = [row for row in before if new_paths.get(row[3], row[2]) != row[2]]
    if not moved:
        return
    CheckIn.objects.filter(pk__in=[row[0] for row in moved]).update(
        region_path=Subquery(
            Person.objects.filter(pk=OuterRef("person_id")).values("region_path")[:1]
        )
    )
    counters.shift(
        [(on, old, pid, t) for _id, on, old, pid, t in moved],
        [(on, new_paths[pid], pid, t) for _id, on, _old, pid, t in moved],
        tally,
    )
