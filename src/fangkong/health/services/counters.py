"""Per-grid daily figures kept with the writes, so a day's report is a sum over grids.

``GridDay`` holds, per grid path and day, the check-ins, the distinct persons who reported and
the fever readings. Every change of check-ins changes it in the same transaction:

- inserting check-ins (``record_check_ins``): on PostgreSQL the INSERT is wrapped in one
  statement (``counted_insert``) whose later parts upsert ``PersonDay`` and ``GridDay`` from the
  rows actually inserted; elsewhere ``add`` does the same in two statements;
- deleting a wrong entry (``do_delete_check_in``) and moving today's check-ins with a person
  (``moves``) call ``remove`` and ``add``.

Distinct persons: ``PersonDay`` counts a person's check-ins per day and grid path. Its upsert
(``n = n + excluded.n``) tells whether the row is new, and a new row is a new person of that
grid-day; a removal that brings ``n`` to 0 deletes the row and the person stops counting.
Concurrent writers meet on that row's lock, so no interleaving counts a person twice or
forgets one (a "first check-in of the day?" probe of the check-in table would: two
transactions each see no other).

Locks, in one order everywhere so no two writers wait for each other: the check-in rows, then
``PersonDay`` rows in key order, then ``GridDay`` rows in key order, then alerts. Keys are
ordered as Python orders them; PostgreSQL sorts paths ``COLLATE "C"`` (code points, as Python)
whatever the database's collation. A change with both additions and subtractions (a move,
a merge) makes one pass in key order, a statement per stretch of one sign (``_runs``); an
UPDATE locks its rows first in key order (``_lock``).

A fever is a reading at or above the threshold of the grid's region rule (``rules_for``) when
it is counted; ``recount`` reads every day again with today's rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from ..models import CheckIn, GridDay, PersonDay
from ..rules import rules_for

# one counted row: (day, grid path, person id, temperature)
Row = tuple[dt.date, str, int, Decimal]

_CHUNK = 1000  # keys per statement: well under SQLite's limit on parameters
_FIGURES = ("varchar", "date", "integer", "integer", "integer")  # (path, day, 3 deltas)
_CHECKIN = CheckIn._meta.db_table
_GRIDDAY = GridDay._meta.db_table
_PERSONDAY = PersonDay._meta.db_table


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _values(n_rows: int, casts: tuple[str, ...]) -> str:
    """A VALUES list of ``n_rows`` rows; PostgreSQL types its columns by the casts."""
    if _pg():
        row = "(" + ", ".join(f"%s::{c}" for c in casts) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(casts)) + ")"
    return ", ".join([row] * n_rows)


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _fever(path: str, temperature: object) -> bool:
    return Decimal(str(temperature)) >= rules_for(path).fever_threshold


# --- PostgreSQL: the insert and its counters in one statement ---------------------------------


def counted_insert(insert_sql: str, paths: Iterable[str]) -> tuple[str, list]:
    """Wrap an ``INSERT ... RETURNING id, person_id, region_path, temperature, symptoms,
    client_id, "on"`` of check-ins so that the same statement counts the rows it inserted.
    Returns the SQL (its parameters: the insert's, then the returned list) selecting the
    inserted rows. One statement is atomic by itself: no transaction, no extra round trip."""
    thresholds = sorted({p: rules_for(p).fever_threshold for p in paths}.items())
    params: list = [v for pair in thresholds for v in pair]
    sql = f"""
WITH ins AS ({insert_sql}),
marks AS (
  INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n)
  SELECT "on", region_path, person_id, count(*) FROM ins GROUP BY 1, 2, 3
  ORDER BY "on", region_path COLLATE "C", person_id
  ON CONFLICT ("on", region_path, person_id) DO UPDATE SET n = {_PERSONDAY}.n + excluded.n
  RETURNING "on", region_path, (xmax = 0) AS fresh
),
fresh AS (SELECT "on", region_path, count(*) FILTER (WHERE fresh) AS persons FROM marks
  GROUP BY 1, 2),
per AS (
  SELECT i."on", i.region_path, count(*) AS check_ins,
    count(*) FILTER (WHERE i.temperature >= t.threshold) AS fevers
  FROM ins i JOIN (VALUES {_values(len(thresholds), ("varchar", "numeric"))}) AS t (path, threshold)
    ON t.path = i.region_path
  GROUP BY 1, 2
),
counted AS (
  INSERT INTO {_GRIDDAY} (region_path, "on", check_ins, persons, fevers)
  SELECT p.region_path, p."on", p.check_ins, coalesce(f.persons, 0), p.fevers
  FROM per p LEFT JOIN fresh f ON f."on" = p."on" AND f.region_path = p.region_path
  ORDER BY p.region_path COLLATE "C", p."on"
  ON CONFLICT (region_path, "on") DO UPDATE SET
    check_ins = {_GRIDDAY}.check_ins + excluded.check_ins,
    persons = {_GRIDDAY}.persons + excluded.persons,
    fevers = {_GRIDDAY}.fevers + excluded.fevers
)
SELECT id, person_id, region_path, temperature, symptoms, client_id, "on" FROM ins"""
    return sql, params


# --- any database: add and remove rows -------------------------------------------------------


def add(rows: Iterable[Row]) -> None:
    """Count check-in rows just written (inside the writer's transaction)."""
    shift((), rows)


def remove(rows: Iterable[Row]) -> None:
    """Uncount check-in rows just deleted."""
    shift(rows, ())


def shift(removed: Iterable[Row], added: Iterable[Row]) -> None:
    """Uncount ``removed`` and count ``added`` in one pass: check-ins moved from one grid
    path to another (a person moved) change both grid-days' figures together."""
    figures: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    marks: Counter[tuple[dt.date, str, int]] = Counter()  # signed: check-ins added per key
    for sign, rows in ((-1, removed), (1, added)):
        for on, path, person_id, temperature in rows:
            f = figures[(path, on)]
            f[0] += sign
            f[2] += sign * _fever(path, temperature)
            marks[(on, path, person_id)] += sign
    for (on, path), delta in _count_persons(marks):
        figures[(path, on)][1] += delta
    _bump(figures)


def transfer_person(*, from_id: int, to_id: int, days: Iterable[tuple[dt.date, str]]) -> None:
    """A merge gave ``from_id``'s check-ins to ``to_id``: on these grid-days the first stops
    counting and the second counts, once (check-ins and fevers do not change)."""
    keys = sorted(set(days))
    marks: Counter[tuple[dt.date, str, int]] = Counter()
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        where = " OR ".join(['("on" = %s AND region_path = %s)'] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "on", region_path, n FROM {_PERSONDAY} WHERE person_id = %s AND ({where})',
                [from_id, *(v for key in chunk for v in key)],
            )
            for on, path, n in cursor.fetchall():
                marks[(_date(on), path, from_id)] -= n
                marks[(_date(on), path, to_id)] += n
    if not marks:
        return
    figures: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (on, path), delta in _count_persons(marks):
        figures[(path, on)][1] += delta
    _bump(figures)


def _runs(ordered: list, up) -> Iterable[tuple[bool, list]]:
    """Consecutive stretches of ``ordered`` on one side of ``up`` (at most _CHUNK each): the
    statements of one pass, so every row is locked in key order whatever its sign."""
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or i - start == _CHUNK or up(ordered[i]) != up(ordered[start]):
            yield up(ordered[start]), ordered[start:i]
            start = i


def _count_persons(
    marks: Counter[tuple[dt.date, str, int]],
) -> list[tuple[tuple[dt.date, str], int]]:
    """Apply the signed check-in counts to each (day, path, person) in key order; a +1 or -1
    for the (day, path) of each person who starts or stops being counted there."""
    changes: list[tuple[tuple[dt.date, str], int]] = []
    ordered = sorted((k, n) for k, n in marks.items() if n)
    for up, run in _runs(ordered, lambda kn: kn[1] > 0):
        if up:
            changes += [(key, 1) for key in _mark(run)]
        else:
            changes += [(key, -1) for key in _unmark([(k, -n) for k, n in run])]
    return changes


def _mark(chunk: list[tuple[tuple[dt.date, str, int], int]]) -> list[tuple[dt.date, str]]:
    """Add ``n`` check-ins to each (day, path, person), in the order given; the (day, path)
    of each person who was not yet counted there."""
    added = dict(chunk)
    fresh = []
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n) '
            f"VALUES {_values(len(chunk), ('date', 'varchar', 'bigint', 'integer'))} "
            f'ON CONFLICT ("on", region_path, person_id) DO UPDATE SET '
            f"n = {_PERSONDAY}.n + excluded.n "
            f'RETURNING "on", region_path, person_id, n',
            [v for (key, n) in chunk for v in (*key, n)],
        )
        for on, path, person_id, n in cursor.fetchall():
            on = _date(on)
            if n == added[(on, path, person_id)]:  # the row is new: n is what we added
                fresh.append((on, path))
    return fresh


def _lock(table: str, keys: list[tuple], columns: tuple[str, ...], casts: tuple[str, ...]):
    """PostgreSQL: lock these rows in key order (an UPDATE ... FROM locks in join order)."""
    if not _pg() or len(keys) < 2:
        return
    on = " AND ".join(f't."{c}" = v.column{n}' for n, c in enumerate(columns, 1))
    order = ", ".join(f't."{c}" COLLATE "C"' if c == "region_path" else f't."{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} t JOIN (VALUES {_values(len(keys), casts)}) AS v ON {on} "
            f"ORDER BY {order} FOR UPDATE OF t",
            [v for key in keys for v in key],
        )


def _unmark(chunk: list[tuple[tuple[dt.date, str, int], int]]) -> list[tuple[dt.date, str]]:
    """Take ``n`` check-ins from each (day, path, person); the (day, path) of each person who
    has none left there (their row is deleted)."""
    floor = "GREATEST" if _pg() else "MAX"
    casts = ("date", "varchar", "bigint", "integer")
    _lock(_PERSONDAY, [k for k, _n in chunk], ("on", "region_path", "person_id"), casts[:3])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_PERSONDAY} SET n = {floor}({_PERSONDAY}.n - v.column4, 0) "
            f"FROM (VALUES {_values(len(chunk), casts)}) "
            f'AS v WHERE {_PERSONDAY}."on" = v.column1 AND '
            f"{_PERSONDAY}.region_path = v.column2 AND {_PERSONDAY}.person_id = v.column3 "
            f'RETURNING {_PERSONDAY}."on", {_PERSONDAY}.region_path, '
            f"{_PERSONDAY}.person_id, {_PERSONDAY}.n",
            [v for (key, n) in chunk for v in (*key, n)],
        )
        empty = [(_date(on), path, pid) for on, path, pid, n in cursor.fetchall() if n == 0]
        if empty:
            where = " OR ".join(
                ['("on" = %s AND region_path = %s AND person_id = %s)'] * len(empty)
            )
            cursor.execute(
                f"DELETE FROM {_PERSONDAY} WHERE n = 0 AND ({where})",
                [v for key in empty for v in key],
            )
    return [(on, path) for on, path, _pid in empty]


def _bump(figures: dict[tuple[str, dt.date], list[int]]) -> None:
    """Add the deltas (check-ins, persons, fevers) to each grid-day, in key order: additions
    upsert, subtractions update what is there and never go below zero (rows written around
    the services, as tests do, were never counted; ``recount`` settles them)."""
    ordered = sorted((k, v) for k, v in figures.items() if any(v))
    floor = "GREATEST" if _pg() else "MAX"
    for up, chunk in _runs(ordered, lambda kv: min(kv[1]) >= 0):
        if up:
            with connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO {_GRIDDAY} (region_path, "on", check_ins, persons, fevers) '
                    f"VALUES {_values(len(chunk), _FIGURES)} "
                    f'ON CONFLICT (region_path, "on") DO UPDATE SET '
                    f"check_ins = {_GRIDDAY}.check_ins + excluded.check_ins, "
                    f"persons = {_GRIDDAY}.persons + excluded.persons, "
                    f"fevers = {_GRIDDAY}.fevers + excluded.fevers",
                    _flat(chunk),
                )
            continue
        _lock(_GRIDDAY, [k for k, _v in chunk], ("region_path", "on"), ("varchar", "date"))
        sets = ", ".join(
            f"{name} = {floor}({_GRIDDAY}.{name} + v.column{n}, 0)"
            for n, name in ((3, "check_ins"), (4, "persons"), (5, "fevers"))
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_GRIDDAY} SET {sets} FROM (VALUES {_values(len(chunk), _FIGURES)}) "
                f'AS v WHERE {_GRIDDAY}.region_path = v.column1 AND {_GRIDDAY}."on" = v.column2',
                _flat(chunk),
            )


def _flat(chunk: list[tuple[tuple[str, dt.date], list[int]]]) -> list[Any]:
    return [v for (key, deltas) in chunk for v in (*key, *deltas)]


# --- recount from the raw rows ---------------------------------------------------------------


def recount(*, day: dt.date | None = None) -> int:
    """Recompute the counters (of one day, or of every day) from the check-ins; the number of
    grid-days counted. Writers wait while it runs (PostgreSQL: a lock on the counter tables
    taken before it reads), so nothing written meanwhile is lost."""
    where, params = ('WHERE "on" = %s', [day]) if day else ("", [])
    where_c = 'WHERE c."on" = %s' if day else ""
    with transaction.atomic(), connection.cursor() as cursor:
        if _pg():
            cursor.execute(f"LOCK TABLE {_PERSONDAY}, {_GRIDDAY} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {_PERSONDAY} {where}", params)
        cursor.execute(f"DELETE FROM {_GRIDDAY} {where}", params)
        cursor.execute(f"SELECT DISTINCT region_path FROM {_CHECKIN} {where}", params)
        paths = [p for (p,) in cursor.fetchall()]
        if not paths:
            return 0
        cursor.execute(
            f'INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n) '
            f'SELECT "on", region_path, person_id, count(*) FROM {_CHECKIN} {where} '
            "GROUP BY 1, 2, 3",
            params,
        )
        thresholds: list[Any] = [v for p in paths for v in (p, rules_for(p).fever_threshold)]
        cursor.execute(
            f'INSERT INTO {_GRIDDAY} (region_path, "on", check_ins, persons, fevers) '
            'SELECT c.region_path, c."on", count(*), count(DISTINCT c.person_id), '
            "sum(CASE WHEN c.temperature >= t.column2 THEN 1 ELSE 0 END) "
            f"FROM {_CHECKIN} c JOIN (VALUES {_values(len(paths), ('varchar', 'numeric'))}) AS t "
            f"ON t.column1 = c.region_path {where_c} GROUP BY 1, 2",
            thresholds + params,
        )
        return cursor.rowcount
