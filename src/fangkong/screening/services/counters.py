"""Coverage kept with the writes, so a campaign's coverage is a sum over grids, never a scan of
its target (docs/screening.md, "Where the figures come from").

Two tables (models.py):

- ``SampledPerson``: a row per person swabbed in a campaign, with their grid path now and the
  times from which each figure counts them — their first swab (sampled), their first swab in
  a tube with a readable result (resulted), their first swab in a positive tube (positive);
- ``CoverageHour``: per campaign, grid path and hour (UTC), how many of those times fall in
  that hour. Coverage until a moment sums the hours before it (``selectors``).

Every write that changes what coverage counts ends, inside its own transaction, with
``recount_persons`` for the (campaign, person) pairs it touched: swabs stored from a phone or
a file (``tubes.check_add_swabs``, ``samples.import_samples``), a swab removed
(``tubes.check_remove_swab``), lab results marking tubes resulted, positive or invalid
(``results.import_lab_results``), and people moving grid or merged (``moves``, registered
in apps.py). For each pair it locks the ``SampledPerson`` row (an upsert of the key, so a row
not there yet is locked too), reads the person's swabs and path from the raw rows, writes the
row as they say, and moves the hours' counts by the difference. Exact by construction,
whatever the write did; and concurrent writers of one person meet on that row's lock, the
second reading the raw rows after the first has committed (its next statement: a later
snapshot under READ COMMITTED). On PostgreSQL the reading, writing and the difference are one
statement per 5,000 persons (``_REWRITE``); elsewhere a few statements and Python.

The row lock cannot order a person's first swab of a campaign with a move of that person
(the mover finds no swab of theirs yet, the swab's writer would read the path from before the
move), so writers of swabs first take a share lock on the persons (``lock_persons``): it
waits for a move in progress (its UPDATE of the person), and a move waits for it. A move of
several persons may lock them in another order than a batch of swabs does (the registry's
UPDATE takes its own order); PostgreSQL then fails one of the two, and the phone's service
sends its batch again (``tubes.check_add_swabs``, ``deadlocked``).

Locks, in one order everywhere so no two writers wait for each other: the writer's tubes; the
persons (share; swab writers only, a move holds them already); ``SampledPerson`` rows in key
order (campaign, person); ``CoverageHour`` rows in key order (campaign, path, hour). Paths
compare by code point on both databases (the columns are ``COLLATE "C"`` on PostgreSQL), as
Python sorts them. A lab import recounts after the watches and tasks its results give, as a
move's other movers (health's) lock their rows before this one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncHour

from fangkong.people.models import Person

from ..choices import READABLE, Result, TubeStatus
from ..labmodels import LabResult
from ..models import CoverageHour, Sample, SampledPerson, Tube

Pair = tuple[int, int]  # (campaign id, person id)
# a person as coverage counts them: path now, first swab, first resulted, first positive
State = tuple[str, dt.datetime, dt.datetime | None, dt.datetime | None]
HourKey = tuple[int, str, dt.datetime]  # (campaign id, path, hour)

FIGURES = ("sampled", "resulted", "positive")
TIMES = ("sampled_at", "resulted_at", "positive_at")
_CHUNK = 1000  # keys per statement: well under SQLite's limit on parameters
_PG_CHUNK = 5000  # persons per statement on PostgreSQL (one array parameter)
_PERSONS = SampledPerson._meta.db_table
_HOURS = CoverageHour._meta.db_table
_TIMES = ("timestamptz",) * 3


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _values(n_rows: int, casts: tuple[str, ...]) -> str:
    """A VALUES list of ``n_rows`` rows; PostgreSQL types its columns by the casts."""
    if _pg():
        row = "(" + ", ".join(f"%s::{c}" for c in casts) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(casts)) + ")"
    return ", ".join([row] * n_rows)


def _moment(value: dt.datetime | None) -> Any:
    """A time as the database stores it (raw statements: SQLite keeps UTC text)."""
    if value is None:
        return None
    return SampledPerson._meta.get_field("sampled_at").get_db_prep_value(value, connection)


def hour_of(moment: dt.datetime) -> dt.datetime:
    """The start of the hour (UTC) that ``moment`` falls in: a ``CoverageHour``'s key."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def deadlocked(error: Exception) -> bool:
    """Whether PostgreSQL failed this transaction to break a deadlock (SQLSTATE 40P01)."""
    return getattr(error.__cause__, "sqlstate", None) == "40P01"


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# --- the writers' one entry ------------------------------------------------------------------


def recount_persons(pairs: Iterable[Pair], *, lock_persons: bool = False) -> None:
    """Bring the counters of these (campaign, person) pairs in line with the raw rows, in the
    caller's transaction (the last thing it does). ``lock_persons``: the caller stored swabs
    (a first swab of a campaign must wait for a move of the person in progress)."""
    ordered = sorted(set(pairs))
    if not ordered:
        return
    deltas: dict[HourKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    size = _PG_CHUNK if _pg() else _CHUNK
    with transaction.atomic():
        if lock_persons:
            _share(sorted({person for _c, person in ordered}))
        for campaign_id, group in groupby(ordered, key=lambda pair: pair[0]):
            for chunk in _chunks([person for _c, person in group], size):
                _lock(campaign_id, chunk)
                # the raw rows are read by a later statement than the lock's: after a writer
                # of these persons we waited for has committed
                if _pg():
                    for path, hour, *moved in _rewrite_pg(campaign_id, chunk):
                        key = deltas[(campaign_id, path, hour)]
                        for i, n in enumerate(moved):
                            key[i] += n
                else:
                    _tally(deltas, campaign_id, *_rewrite(campaign_id, chunk))
        _bump(deltas)


def _rewrite(campaign_id: int, persons: list[int]) -> tuple[dict[int, State], dict[int, State]]:
    """Any database: the rows as stored and as the raw rows say (read in Python); the rows
    written as the raw rows say."""
    old = _stored(campaign_id, persons)
    new = _raw(campaign_id, persons)
    _write(campaign_id, persons, old, new)
    return old, new


def recount_tubes(tube_ids: Iterable[int]) -> None:
    """Tubes whose result changed: their members' counters (``recount_persons``)."""
    pairs: set[Pair] = set()
    for chunk in _chunks(sorted(set(tube_ids))):
        pairs.update(
            Sample.objects.filter(tube_id__any=chunk)
            .order_by()
            .values_list("campaign_id", "person_id")
        )
    recount_persons(pairs)


def _share(person_ids: list[int]) -> None:
    """PostgreSQL: a share lock on the persons, in key order (SQLite has one writer)."""
    if not _pg():
        return
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        for chunk in _chunks(person_ids):
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE id = ANY(%s) ORDER BY id FOR SHARE", [chunk]
            )


def _lock(campaign_id: int, persons: list[int]) -> None:
    """Lock the rows of these persons in key order (``persons`` is sorted), inserting a
    placeholder (no swab time) for each not there yet; ``WHERE false`` locks a row that
    exists without writing it."""
    conflict = (
        "ON CONFLICT (campaign_id, person_id) DO UPDATE "
        "SET region_path = excluded.region_path WHERE false"
    )
    with connection.cursor() as cursor:
        if _pg():  # one array, not a placeholder per key; the rows in the array's order
            cursor.execute(
                f"INSERT INTO {_PERSONS} (campaign_id, person_id, region_path) "
                "SELECT %s, k.p, '' FROM unnest(%s::bigint[]) WITH ORDINALITY AS k (p, n) "
                f"ORDER BY k.n {conflict}",
                [campaign_id, persons],
            )
            return
        cursor.execute(
            f"INSERT INTO {_PERSONS} (campaign_id, person_id, region_path) "
            f"VALUES {_values(len(persons), ('bigint', 'bigint', 'varchar'))} {conflict}",
            [v for person in persons for v in (campaign_id, person, "")],
        )


# PostgreSQL: the persons' rows recomputed from the raw rows in one statement (the locks are
# held: its snapshot is the rows as they stand); returns what the rows it changed move in the
# hours' counts: −1 where a figure counted a person before, +1 where it counts them now.
_REWRITE = f"""
WITH ids AS MATERIALIZED (SELECT %(persons)s::bigint[] AS a),
k AS (SELECT unnest(a) AS person_id FROM ids),
raw AS (
  SELECT s.person_id, min(s.sampled_at) AS sampled_at,
    min(s.sampled_at) FILTER (WHERE f.readable) AS resulted_at,
    min(s.sampled_at) FILTER (WHERE f.positive) AS positive_at
  FROM {Sample._meta.db_table} s CROSS JOIN LATERAL (SELECT
    -- probes of the swab's tube and result (a join would hash every tube of the city)
    EXISTS (SELECT FROM {Tube._meta.db_table} t JOIN {LabResult._meta.db_table} r
      ON r.tube_id = t.id WHERE t.id = s.tube_id AND t.status = %(resulted)s
      AND r.result = ANY(%(readable)s)) AS readable,
    EXISTS (SELECT FROM {LabResult._meta.db_table} r
      WHERE r.tube_id = s.tube_id AND r.result = %(positive)s) AS positive
  ) f
  WHERE s.campaign_id = %(campaign)s AND s.person_id = ANY((SELECT a FROM ids)::bigint[])
  GROUP BY s.person_id
),
new AS (
  SELECT raw.*, p.region_path COLLATE "C" AS region_path
  FROM raw JOIN {Person._meta.db_table} p ON p.id = raw.person_id
),
old AS (
  SELECT person_id, region_path, sampled_at, resulted_at, positive_at FROM {_PERSONS}
  WHERE campaign_id = %(campaign)s AND person_id = ANY((SELECT a FROM ids)::bigint[])
    AND sampled_at IS NOT NULL
),
changed AS (
  SELECT k.person_id,
    o.region_path AS o_path, o.sampled_at AS o_s, o.resulted_at AS o_r, o.positive_at AS o_p,
    n.region_path AS n_path, n.sampled_at AS n_s, n.resulted_at AS n_r, n.positive_at AS n_p
  FROM k LEFT JOIN old o ON o.person_id = k.person_id LEFT JOIN new n ON n.person_id = k.person_id
  WHERE (o.region_path, o.sampled_at, o.resulted_at, o.positive_at)
    IS DISTINCT FROM (n.region_path, n.sampled_at, n.resulted_at, n.positive_at)
),
updated AS (
  UPDATE {_PERSONS} AS sp SET region_path = c.n_path, sampled_at = c.n_s, resulted_at = c.n_r,
    positive_at = c.n_p
  FROM changed c
  WHERE sp.campaign_id = %(campaign)s AND sp.person_id = c.person_id AND c.n_s IS NOT NULL
),
deleted AS (  -- the rows of persons with no swab left, and the placeholders of the lock
  DELETE FROM {_PERSONS} AS sp
  USING (SELECT person_id FROM k EXCEPT SELECT person_id FROM new) AS gone
  WHERE sp.campaign_id = %(campaign)s AND sp.person_id = gone.person_id
)
SELECT m.path, date_trunc('hour', m.t, 'UTC'),
  coalesce(sum(m.n) FILTER (WHERE m.i = 0), 0),
  coalesce(sum(m.n) FILTER (WHERE m.i = 1), 0),
  coalesce(sum(m.n) FILTER (WHERE m.i = 2), 0)
FROM changed c CROSS JOIN LATERAL (VALUES
  (c.o_path, c.o_s, -1, 0), (c.o_path, c.o_r, -1, 1), (c.o_path, c.o_p, -1, 2),
  (c.n_path, c.n_s, 1, 0), (c.n_path, c.n_r, 1, 1), (c.n_path, c.n_p, 1, 2)
) AS m (path, t, n, i)
WHERE m.t IS NOT NULL
GROUP BY 1, 2
"""


def _rewrite_pg(campaign_id: int, persons: list[int]) -> list[tuple]:
    """PostgreSQL: the rows rewritten by one statement; how many persons each figure counts
    more (or fewer) in each (path, hour), as (path, hour, sampled, resulted, positive)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _REWRITE,
            {
                "campaign": campaign_id,
                "persons": persons,
                "resulted": TubeStatus.RESULTED,
                "readable": list(READABLE),
                "positive": Result.POSITIVE,
            },
        )
        return cursor.fetchall()


def _stored(campaign_id: int, persons: list[int]) -> dict[int, State]:
    rows = SampledPerson.objects.filter(
        campaign_id=campaign_id, person_id__any=persons, sampled_at__isnull=False
    ).values_list("person_id", "region_path", *TIMES)
    return {pid: (path, *times) for pid, path, *times in rows}


def _raw(campaign_id: int, persons: list[int]) -> dict[int, State]:
    """What the raw rows say of these persons: their path now and their swabs' times."""
    paths = dict(Person.objects.filter(pk__any=persons).values_list("id", "region_path"))
    rows = (
        Sample.objects.filter(campaign_id=campaign_id, person_id__any=persons)
        .values("person_id")
        .annotate(**_FIRST)
        .order_by()
    )
    return {
        r["person_id"]: (
            paths[r["person_id"]],
            r["first"],
            r["first_resulted"],
            r["first_positive"],
        )
        for r in rows
    }


# the three figures' times of a person, from their swabs (as the exact query counts them)
_FIRST = {
    "first": Min("sampled_at"),
    "first_resulted": Min(
        "sampled_at", filter=Q(tube__status=TubeStatus.RESULTED, tube__result__result__in=READABLE)
    ),
    "first_positive": Min("sampled_at", filter=Q(tube__result__result=Result.POSITIVE)),
}


def _write(
    campaign_id: int, persons: list[int], old: dict[int, State], new: dict[int, State]
) -> None:
    """The rows as the raw rows say: changed ones updated, those without swabs (and the
    placeholders of persons who have none) deleted."""
    gone = [p for p in persons if p not in new]
    changed = [(p, *new[p]) for p in persons if p in new and new[p] != old.get(p)]
    with connection.cursor() as cursor:
        if gone:
            marks = ", ".join(["%s"] * len(gone))
            cursor.execute(
                f"DELETE FROM {_PERSONS} WHERE campaign_id = %s AND person_id IN ({marks})",
                [campaign_id, *gone],
            )
        if changed:
            casts = ("bigint", "varchar", *_TIMES)
            cursor.execute(
                f"UPDATE {_PERSONS} SET region_path = v.column2, sampled_at = v.column3, "
                "resulted_at = v.column4, positive_at = v.column5 "
                f"FROM (VALUES {_values(len(changed), casts)}) AS v "
                f"WHERE {_PERSONS}.campaign_id = %s AND {_PERSONS}.person_id = v.column1",
                [
                    *(v for p, path, *times in changed for v in (p, path, *map(_moment, times))),
                    campaign_id,
                ],
            )


def _tally(
    deltas: dict[HourKey, list[int]],
    campaign_id: int,
    old: dict[int, State],
    new: dict[int, State],
) -> None:
    """For each figure, a person counted in another (path, hour) than before: −1 there, +1
    in the new one."""
    for person in old.keys() | new.keys():
        was, now = _keys(campaign_id, old.get(person)), _keys(campaign_id, new.get(person))
        for i, (before, after) in enumerate(zip(was, now, strict=True)):
            if before == after:
                continue
            if before:
                deltas[before][i] -= 1
            if after:
                deltas[after][i] += 1


def _keys(campaign_id: int, state: State | None) -> list[HourKey | None]:
    """The hour row that counts the person for each figure (None: not counted)."""
    if state is None:
        return [None, None, None]
    path, *times = state
    return [(campaign_id, path, hour_of(t)) if t else None for t in times]


def _bump(deltas: dict[HourKey, list[int]]) -> None:
    """Add the deltas to each hour row, in key order; a row every figure of which is back to
    0 is deleted."""
    ordered = sorted((k, v) for k, v in deltas.items() if any(v))
    casts = ("bigint", "varchar", "timestamptz", "integer", "integer", "integer")
    sets = ", ".join(f"{f} = {_HOURS}.{f} + excluded.{f}" for f in FIGURES)
    with connection.cursor() as cursor:
        for chunk in _chunks(ordered):
            cursor.execute(
                f"INSERT INTO {_HOURS} (campaign_id, region_path, hour, {', '.join(FIGURES)}) "
                f"VALUES {_values(len(chunk), casts)} "
                f"ON CONFLICT (campaign_id, region_path, hour) DO UPDATE SET {sets}",
                [v for (c, path, hour), d in chunk for v in (c, path, _moment(hour), *d)],
            )
            emptied = [k for k, d in chunk if min(d) < 0]
            if emptied:
                where = " OR ".join(
                    ["(campaign_id = %s AND region_path = %s AND hour = %s)"] * len(emptied)
                )
                cursor.execute(
                    f"DELETE FROM {_HOURS} WHERE sampled = 0 AND resulted = 0 AND positive = 0 "
                    f"AND ({where})",
                    [v for c, path, hour in emptied for v in (c, path, _moment(hour))],
                )


# --- recount from the raw rows ---------------------------------------------------------------


def recount(*, campaign_id: int | None = None) -> tuple[int, int]:
    """Recompute the counters (of one campaign, or of every one) from the swabs, their tubes'
    results and the persons' paths; (persons counted, hour rows). Writers wait while it runs
    (PostgreSQL: a lock on the counter tables taken before it reads), so nothing written
    meanwhile is lost."""
    where, params = ("WHERE campaign_id = %s", [campaign_id]) if campaign_id else ("", [])
    sample, person, tube = Sample._meta.db_table, Person._meta.db_table, Tube._meta.db_table
    result = LabResult._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            if _pg():
                cursor.execute(f"LOCK TABLE {_PERSONS}, {_HOURS} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {_PERSONS} {where}", params)
            cursor.execute(f"DELETE FROM {_HOURS} {where}", params)
            cursor.execute(
                f"INSERT INTO {_PERSONS} (campaign_id, person_id, region_path, {', '.join(TIMES)}) "
                "SELECT s.campaign_id, s.person_id, p.region_path, min(s.sampled_at), "
                "min(CASE WHEN t.status = %s AND r.result IN (%s, %s) THEN s.sampled_at END), "
                "min(CASE WHEN r.result = %s THEN s.sampled_at END) "
                f"FROM {sample} s JOIN {person} p ON p.id = s.person_id "
                f"JOIN {tube} t ON t.id = s.tube_id LEFT JOIN {result} r ON r.tube_id = t.id "
                f"{where.replace('campaign_id', 's.campaign_id')} "
                "GROUP BY s.campaign_id, s.person_id, p.region_path",
                [TubeStatus.RESULTED, *READABLE, Result.POSITIVE, *params],
            )
            persons = cursor.rowcount
        hours = _hours_of(campaign_id)
        CoverageHour.objects.bulk_create(
            [
                CoverageHour(
                    campaign_id=c, region_path=path, hour=hour, **dict(zip(FIGURES, n, strict=True))
                )
                for (c, path, hour), n in sorted(hours.items())
            ],
            batch_size=_CHUNK,
        )
    return persons, len(hours)


def _hours_of(campaign_id: int | None) -> dict[HourKey, list[int]]:
    """The hour rows the ``SampledPerson`` rows make."""
    people = SampledPerson.objects.all()
    if campaign_id:
        people = people.filter(campaign_id=campaign_id)
    hours: dict[HourKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for i, field in enumerate(TIMES):
        grouped = (
            people.filter(**{f"{field}__isnull": False})
            .annotate(h=TruncHour(field, tzinfo=dt.UTC))
            .values("campaign_id", "region_path", "h")
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in grouped:
            hours[(row["campaign_id"], row["region_path"], row["h"])][i] = row["n"]
    return hours
