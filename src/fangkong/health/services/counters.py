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
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from ..models import CheckIn, GridDay, KindDay, Observation, PersonDay
from ..rules import rules_for

# one counted row: (day, grid path, person id, temperature)
Row = tuple[dt.date, str, int, Decimal]
# a person's day in a grid: (day, grid path, person id)
Key = tuple[dt.date, str, int]

_CHUNK = 1000  # keys per statement: well under SQLite's limit on parameters
# a grid-day's figures, kept with the writes
_NAMES = ("check_ins", "persons", "fevers", "watched", "watched_reported")
_CHECKIN = CheckIn._meta.db_table
_GRIDDAY = GridDay._meta.db_table
_PERSONDAY = PersonDay._meta.db_table
_KINDDAY = KindDay._meta.db_table


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
    inserted rows. One statement is atomic by itself: no transaction, no extra round trip.

    A person starts counting in a grid-day when their ``PersonDay.n`` was 0 before (it equals
    what this statement added), and counts among the watched who reported when the same row
    also holds a period under watch (``w > 0``): the row's lock orders this against a period
    started at the same moment (services/watch.py)."""
    thresholds = sorted({p: rules_for(p).fever_threshold for p in paths}.items())
    params: list = [v for pair in thresholds for v in pair]
    sql = f"""
WITH ins AS ({insert_sql}),
per_key AS (SELECT "on", region_path, person_id, count(*) AS k FROM ins GROUP BY 1, 2, 3),
marks AS (
  INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n, w)
  SELECT "on", region_path, person_id, k, 0 FROM per_key
  ORDER BY "on", region_path COLLATE "C", person_id
  ON CONFLICT ("on", region_path, person_id) DO UPDATE SET n = {_PERSONDAY}.n + excluded.n
  RETURNING "on", region_path, person_id, n, w
),
fresh AS (SELECT m."on", m.region_path, count(*) AS persons,
    count(*) FILTER (WHERE m.w > 0) AS reported
  FROM marks m JOIN per_key p
    ON p."on" = m."on" AND p.region_path = m.region_path AND p.person_id = m.person_id
  WHERE m.n = p.k GROUP BY 1, 2),
per AS (
  SELECT i."on", i.region_path, count(*) AS check_ins,
    count(*) FILTER (WHERE i.temperature >= t.threshold) AS fevers
  FROM ins i JOIN (VALUES {_values(len(thresholds), ("varchar", "numeric"))}) AS t (path, threshold)
    ON t.path = i.region_path
  GROUP BY 1, 2
),
counted AS (
  INSERT INTO {_GRIDDAY} (region_path, "on", check_ins, persons, fevers, watched,
    watched_reported)
  SELECT p.region_path, p."on", p.check_ins, coalesce(f.persons, 0), p.fevers, 0,
    coalesce(f.reported, 0)
  FROM per p LEFT JOIN fresh f ON f."on" = p."on" AND f.region_path = p.region_path
  ORDER BY p.region_path COLLATE "C", p."on"
  ON CONFLICT (region_path, "on") DO UPDATE SET
    check_ins = {_GRIDDAY}.check_ins + excluded.check_ins,
    persons = {_GRIDDAY}.persons + excluded.persons,
    fevers = {_GRIDDAY}.fevers + excluded.fevers,
    watched_reported = {_GRIDDAY}.watched_reported + excluded.watched_reported
)
SELECT id, person_id, region_path, temperature, symptoms, client_id, "on" FROM ins"""
    return sql, params


# --- any database: one pass of changes, in key order ------------------------------------------


class Tally:
    """The changes one writer counts, applied in one pass (``apply``) so that its locks are
    taken in key order: check-ins added or removed (``check_ins``), periods under watch
    covering a person's day added or removed (``watches``, from services/watch.py), and the
    distinct persons under watch per kind (``kinds``)."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0] * 5)
        self.marks: dict[Key, list[int]] = defaultdict(lambda: [0, 0])  # (Δn, Δw) per key
        self.kind_deltas: Counter[tuple[dt.date, str, str]] = Counter()
        self.settled: set[tuple[dt.date, str]] = set()  # (day, path): kinds counted anew

    def check_ins(self, sign: int, rows: Iterable[Row]) -> None:
        for on, path, person_id, temperature in rows:
            f = self.figures[(path, on)]
            f[0] += sign
            f[2] += sign * _fever(path, temperature)
            self.marks[(on, path, person_id)][0] += sign

    def person_days(self, deltas: Iterable[tuple[Key, int, int]]) -> None:
        """Add (Δn, Δw) to each (day, path, person)."""
        for key, dn, dw in deltas:
            mark = self.marks[key]
            mark[0] += dn
            mark[1] += dw

    def watches(self, deltas: Mapping[Key, int]) -> None:
        for key, dw in deltas.items():
            self.marks[key][1] += dw

    def kinds(self, deltas: Mapping[tuple[dt.date, str, str], int]) -> None:
        for key, d in deltas.items():
            self.kind_deltas[key] += d

    def settle_kinds(self, days: Iterable[tuple[dt.date, str]]) -> None:
        """Count the persons per kind of these (day, path) anew from the periods, instead of
        by difference: a merge joined two persons' periods, and which were whose is gone."""
        self.settled.update(days)

    def apply(self) -> None:
        for (on, path), deltas in _count_persons(self.marks):
            f = self.figures[(path, on)]
            f[1] += deltas[0]
            f[3] += deltas[1]
            f[4] += deltas[2]
        _bump_grid_days(self.figures)
        _bump_kinds(
            Counter({k: d for k, d in self.kind_deltas.items() if (k[0], k[1]) not in self.settled})
        )
        if self.settled:
            settle_kinds(self.settled)


def add(rows: Iterable[Row]) -> None:
    """Count check-in rows just written (inside the writer's transaction)."""
    shift((), rows)


def remove(rows: Iterable[Row]) -> None:
    """Uncount check-in rows just deleted."""
    shift(rows, ())


def shift(removed: Iterable[Row], added: Iterable[Row], tally: Tally | None = None) -> None:
    """Uncount ``removed`` and count ``added`` in one pass: check-ins moved from one grid
    path to another (a person moved) change both grid-days' figures together. With a
    ``tally``, only add them to it (its writer applies everything at once)."""
    own = tally is None
    tally = tally or Tally()
    tally.check_ins(-1, removed)
    tally.check_ins(1, added)
    if own:
        tally.apply()


def transfer_person(
    *, from_id: int, to_id: int, days: Iterable[tuple[dt.date, str]], tally: Tally
) -> None:
    """A merge gave ``from_id``'s check-ins and periods to ``to_id``: on these grid-days the
    first stops counting and the second counts, once (check-ins and fevers do not change)."""
    keys = sorted(set(days))
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        where = " OR ".join(['("on" = %s AND region_path = %s)'] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "on", region_path, n, w FROM {_PERSONDAY} '
                f"WHERE person_id = %s AND ({where})",
                [from_id, *(v for key in chunk for v in key)],
            )
            for on, path, n, w in cursor.fetchall():
                on = _date(on)
                tally.person_days([((on, path, from_id), -n, -w), ((on, path, to_id), n, w)])


def _runs(ordered: list, up) -> Iterable[tuple[bool, list]]:
    """Consecutive stretches of ``ordered`` on one side of ``up`` (at most _CHUNK each): the
    statements of one pass, so every row is locked in key order whatever its sign."""
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or i - start == _CHUNK or up(ordered[i]) != up(ordered[start]):
            yield up(ordered[start]), ordered[start:i]
            start = i


def _count_persons(marks: Mapping[Key, list[int]]) -> list[tuple[tuple[dt.date, str], tuple]]:
    """Apply the signed (Δn, Δw) to each (day, path, person) in key order; for the (day,
    path) of each person whose standing changes there, the changes of (persons who reported,
    persons under watch, persons under watch who reported)."""
    changes: list[tuple[tuple[dt.date, str], tuple]] = []
    ordered = sorted((k, (v[0], v[1])) for k, v in marks.items() if v[0] or v[1])
    for up, run in _runs(ordered, lambda kv: min(kv[1]) >= 0):
        for (on, path, _pid), (n0, w0), (n1, w1) in _mark(run) if up else _unmark(run):
            delta = (
                (n1 > 0) - (n0 > 0),
                (w1 > 0) - (w0 > 0),
                (n1 > 0 and w1 > 0) - (n0 > 0 and w0 > 0),
            )
            if any(delta):
                changes.append(((on, path), delta))
    return changes


Standing = tuple[Key, tuple[int, int], tuple[int, int]]  # key, (n, w) before, (n, w) after


def _mark(chunk: list[tuple[Key, tuple[int, int]]]) -> list[Standing]:
    """Add (Δn, Δw), none negative, to each (day, path, person), in the order given."""
    added = dict(chunk)
    out = []
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n, w) '
            f"VALUES {_values(len(chunk), ('date', 'varchar', 'bigint', 'integer', 'integer'))} "
            f'ON CONFLICT ("on", region_path, person_id) DO UPDATE SET '
            f"n = {_PERSONDAY}.n + excluded.n, w = {_PERSONDAY}.w + excluded.w "
            f'RETURNING "on", region_path, person_id, n, w',
            [v for (key, d) in chunk for v in (*key, *d)],
        )
        for on, path, person_id, n, w in cursor.fetchall():
            key = (_date(on), path, person_id)
            dn, dw = added[key]
            out.append((key, (n - dn, w - dw), (n, w)))
    return out


_KEY = ("date", "varchar", "bigint")


def _read_locked(keys: list[Key]) -> dict[Key, tuple[int, int]]:
    """(n, w) of these ``PersonDay`` rows, locked in key order on PostgreSQL."""
    order = ""
    if _pg():
        order = ' ORDER BY t."on", t.region_path COLLATE "C", t.person_id FOR UPDATE OF t'
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT t."on", t.region_path, t.person_id, t.n, t.w FROM {_PERSONDAY} t '
            f'JOIN (VALUES {_values(len(keys), _KEY)}) AS v ON t."on" = v.column1 AND '
            f"t.region_path = v.column2 AND t.person_id = v.column3{order}",
            [v for key in keys for v in key],
        )
        return {(_date(on), path, pid): (n, w) for on, path, pid, n, w in cursor.fetchall()}


def _unmark(chunk: list[tuple[Key, tuple[int, int]]]) -> list[Standing]:
    """Apply (Δn, Δw), some negative, to each (day, path, person): the rows are read (and on
    PostgreSQL locked) in key order, then updated, or deleted when nothing is left (never
    below zero: rows written around the services were never counted; ``recount`` settles
    them)."""
    casts = _KEY
    old = _read_locked([k for k, _d in chunk])
    out: list[Standing] = []
    kept, gone, fresh = [], [], []
    for key, (dn, dw) in chunk:
        before = old.get(key, (0, 0))
        after = (max(before[0] + dn, 0), max(before[1] + dw, 0))
        out.append((key, before, after))
        if key not in old:
            if any(after):
                fresh.append((key, after))
        elif not any(after):
            gone.append(key)
        elif after != before:
            kept.append((key, after))
    with connection.cursor() as cursor:
        if kept:
            cursor.execute(
                f"UPDATE {_PERSONDAY} SET n = v.column4, w = v.column5 FROM (VALUES "
                f"{_values(len(kept), (*casts, 'integer', 'integer'))}) AS v "
                f'WHERE {_PERSONDAY}."on" = v.column1 AND {_PERSONDAY}.region_path = v.column2 '
                f"AND {_PERSONDAY}.person_id = v.column3",
                [v for key, after in kept for v in (*key, *after)],
            )
        if gone:
            where = " OR ".join(['("on" = %s AND region_path = %s AND person_id = %s)'] * len(gone))
            cursor.execute(
                f"DELETE FROM {_PERSONDAY} WHERE {where}", [v for key in gone for v in key]
            )
    if fresh:  # a row missing though something was to be taken from it: add what is added
        _mark(fresh)
    return out


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


def _bump(
    table: str,
    columns: tuple[str, ...],
    casts: tuple[str, ...],
    names: tuple[str, ...],
    deltas: Mapping[tuple, list[int]],
    *,
    lock: bool = False,
) -> None:
    """Add the deltas (one per name) to each row of ``table`` keyed by ``columns``, in key
    order: additions upsert, subtractions update what is there and never go below zero (rows
    written around the services, as tests do, were never counted; ``recount`` settles
    them)."""
    ordered = sorted((k, v) for k, v in deltas.items() if lock or any(v))
    floor = "GREATEST" if _pg() else "MAX"
    all_casts = (*casts, *["integer"] * len(names))
    key_cols = ", ".join(f'"{c}"' for c in columns)
    n_keys = len(columns)
    for up, chunk in _runs(ordered, lambda kv: min(kv[1]) >= 0):
        params = [v for (key, d) in chunk for v in (*key, *d)]
        if up:
            sets = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({key_cols}, {', '.join(names)}) "
                    f"VALUES {_values(len(chunk), all_casts)} "
                    f"ON CONFLICT ({key_cols}) DO UPDATE SET {sets}",
                    params,
                )
            continue
        _lock(table, [k for k, _v in chunk], columns, casts)
        sets = ", ".join(
            f"{name} = {floor}({table}.{name} + v.column{n}, 0)"
            for n, name in enumerate(names, n_keys + 1)
        )
        where = " AND ".join(f'{table}."{c}" = v.column{n}' for n, c in enumerate(columns, 1))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {_values(len(chunk), all_casts)}) "
                f"AS v WHERE {where}",
                params,
            )


def _bump_grid_days(figures: Mapping[tuple[str, dt.date], list[int]]) -> None:
    """Add (check-ins, persons, fevers, watched, watched who reported) to each grid-day."""
    _bump(_GRIDDAY, ("region_path", "on"), ("varchar", "date"), _NAMES, figures)


def lock_kinds(keys: list[tuple[str, dt.date, str]]) -> None:
    """Make and lock these ``KindDay`` rows (path, day, kind), in key order."""
    rows = {key: [0] for key in keys}
    _bump(
        _KINDDAY,
        ("region_path", "on", "kind"),
        ("varchar", "date", "varchar"),
        ("persons",),
        rows,
        lock=True,
    )


def _bump_kinds(deltas: Mapping[tuple[dt.date, str, str], int]) -> None:
    """Add to the persons under watch of each (day, path, kind)."""
    rows = {(path, on, kind): [d] for (on, path, kind), d in deltas.items()}
    _bump(
        _KINDDAY, ("region_path", "on", "kind"), ("varchar", "date", "varchar"), ("persons",), rows
    )


# --- recount from the raw rows ---------------------------------------------------------------


def recount(*, day: dt.date | None = None) -> int:
    """Recompute the counters (of one day, or of every day) from the check-ins and the periods
    under watch; the number of grid-days counted. Writers wait while it runs (PostgreSQL: a
    lock on the counter tables taken before it reads), so nothing written meanwhile is
    lost."""
    where, params = ('WHERE "on" = %s', [day]) if day else ("", [])
    where_c = 'WHERE c."on" = %s' if day else ""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        for table in (_PERSONDAY, _GRIDDAY, _KINDDAY):
            cursor.execute(f"DELETE FROM {table} {where}", params)
        cursor.execute(
            f'INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n, w) '
            f'SELECT "on", region_path, person_id, count(*), 0 FROM {_CHECKIN} {where} '
            "GROUP BY 1, 2, 3",
            params,
        )
        cursor.execute(f"SELECT DISTINCT region_path FROM {_CHECKIN} {where}", params)
        paths = [p for (p,) in cursor.fetchall()]
        if paths:
            thresholds: list[Any] = [v for p in paths for v in (p, rules_for(p).fever_threshold)]
            cursor.execute(
                f'INSERT INTO {_GRIDDAY} (region_path, "on", check_ins, persons, fevers, '
                "watched, watched_reported) "
                'SELECT c.region_path, c."on", count(*), count(DISTINCT c.person_id), '
                "sum(CASE WHEN c.temperature >= t.column2 THEN 1 ELSE 0 END), 0, 0 "
                f"FROM {_CHECKIN} c JOIN (VALUES {_values(len(paths), ('varchar', 'numeric'))}) "
                f"AS t ON t.column1 = c.region_path {where_c} GROUP BY 1, 2",
                thresholds + params,
            )
        count_watches(day=day)
        cursor.execute(f"SELECT count(*) FROM {_GRIDDAY} {where}", params)
        return cursor.fetchone()[0]


def _lock_tables(cursor) -> None:
    if _pg():
        cursor.execute(
            f"LOCK TABLE {_PERSONDAY}, {_GRIDDAY}, {_KINDDAY} IN SHARE ROW EXCLUSIVE MODE"
        )


def count_watches(*, day: dt.date | None = None) -> None:
    """Count the periods under watch (of one day, or of every day) into counters that hold
    none of them yet (``recount`` has just emptied them; migration 0009 had just made the
    columns): the days each period covers, never a scan of the check-ins' day rows."""
    watches, kinds = coverage_of(None, day=day)
    rows = sorted(watches.items())
    grids: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0] * 5)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            cursor.execute(
                f'INSERT INTO {_PERSONDAY} ("on", region_path, person_id, n, w) VALUES '
                f"{_values(len(chunk), ('date', 'varchar', 'bigint', 'integer', 'integer'))} "
                f'ON CONFLICT ("on", region_path, person_id) DO UPDATE SET w = excluded.w '
                f'RETURNING "on", region_path, n',
                [v for key, w in chunk for v in (*key, 0, w)],
            )
            for on, path, n in cursor.fetchall():
                figures = grids[(path, _date(on))]
                figures[3] += 1
                figures[4] += n > 0
        _bump_grid_days(grids)
        _bump_kinds(kinds)


# --- what periods under watch cover (services/watch.py counts their changes) ----------------

_WATCH_CHUNK = 2000  # persons per query
ONE_DAY = dt.timedelta(days=1)

Watches = Counter[Key]  # periods covering (day, path, person)
Kinds = Counter[tuple[dt.date, str, str]]  # distinct persons per (day, path, kind)


def coverage_of(
    person_ids: Iterable[int] | None, *, since: dt.date | None = None, day: dt.date | None = None
) -> tuple[Watches, Kinds]:
    """The days, grid paths and kinds that these persons' periods cover (every person's when
    ``person_ids`` is None): from ``since`` on, or on ``day`` only."""
    watches: Watches = Counter()
    kinds: Kinds = Counter()
    qs = Observation.objects.all()
    first_day = day or since
    if first_day is not None:
        qs = qs.filter(end_on__gte=first_day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=first_day)
        )
    if day is not None:
        qs = qs.filter(start_on__lte=day)
    columns = ("person_id", "region_path", "kind", "start_on", "end_on", "ended_on")
    if person_ids is None:
        batches: Iterable = [qs.order_by("person_id").values_list(*columns).iterator(5000)]
    else:
        ids = sorted(set(person_ids))
        batches = (
            qs.filter(person_id__any=ids[i : i + _WATCH_CHUNK])
            .order_by("person_id")
            .values_list(*columns)
            for i in range(0, len(ids), _WATCH_CHUNK)
        )
    for rows in batches:
        person, seen = None, set[tuple[dt.date, str, str]]()
        for pid, path, kind, start, end, ended in rows:
            if pid != person:
                kinds.update(seen)
                person, seen = pid, set()
            last = min(end, ended) if ended else end
            on = max(start, first_day) if first_day else start
            if day is not None:
                on, last = day, min(last, day)
            while on <= last:
                watches[(on, path, pid)] += 1
                seen.add((on, path, kind))
                on += ONE_DAY
        kinds.update(seen)
    return watches, kinds


def settle_kinds(days: set[tuple[dt.date, str]]) -> None:
    """Set the persons per kind of these (day, path) to what the periods say. The rows are
    made and locked first (key order), then the periods read: a writer that counted a
    period there meanwhile has committed it by then."""
    from ..choices import ObservationKind

    keys = sorted((path, on, kind) for on, path in days for kind in ObservationKind.values)
    lock_kinds(keys)
    paths = sorted({path for _on, path in days})
    first, last = min(on for on, _p in days), max(on for on, _p in days)
    persons: dict[tuple[str, dt.date, str], set[int]] = {k: set() for k in keys}
    for pid, path, kind, start, end, ended in (
        Observation.objects.filter(region_path__any=paths, start_on__lte=last, end_on__gte=first)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values_list("person_id", "region_path", "kind", "start_on", "end_on", "ended_on")
    ):
        on, end_day = max(start, first), min(min(end, ended) if ended else end, last)
        while on <= end_day:
            if (path, on, kind) in persons:
                persons[(path, on, kind)].add(pid)
            on += ONE_DAY
    for (path, on, kind), who in persons.items():
        KindDay.objects.filter(region_path=path, on=on, kind=kind).update(persons=len(who))
