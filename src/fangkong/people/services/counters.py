"""The registry's figures per grid path and registration day, kept with every registry write.

Every write that changes persons or their tags — registering a person, a ledger import
(created, updated, moved), a merge (the dropped record deleted, its tags moved), a vulnerable
tag — ends with ``recount_grids(paths)`` for the grid paths it touched (before and after a
move), inside its own transaction. That recounts those grids' ``GridCount`` and
``GridBirths`` rows from the raw rows, a few grouped statements for all of them (a grid holds
about a thousand persons): exact by construction, whatever the write did, and the same code
for one registration and for an import of thousands.

Concurrent writers of one grid: each first locks the grid's ``CountedGrid`` row, in key order
(paths as Python orders them; the column is ``COLLATE "C"``), and only then reads the raw
rows. A second writer waits for the first to commit, and its recount (a later statement, so a
later snapshot under READ COMMITTED) sees the first one's rows as well as its own: no count is
lost. These locks are the last a registry write takes — after the person rows and whatever the
apps' movers lock (``moves.person_moved``: health's check-ins, person-days, grid-days, alerts,
in the order health/services/counters.py gives) — and nothing is written after them, so no two
writers wait for each other.

Only vulnerable kinds are counted: tagging a close contact (health, inside its own
transaction) recounts nothing and takes no lock here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..choices import VULNERABLE
from ..models import BIRTHS_FROM, CountedGrid, GridBirths, GridCount, Person, PersonTag

_CHUNK = 500  # grid paths per statement
_PERSON = Person._meta.db_table
_TAG = PersonTag._meta.db_table
_LOCKS = CountedGrid._meta.db_table
_COUNTS = GridCount._meta.db_table
_BIRTHS = GridBirths._meta.db_table
TAG_FIELDS = tuple(f"tag_{kind}" for kind in VULNERABLE)
COUNT_FIELDS = (
    "region_path",
    "registered_on",
    "residents",
    "households",
    "vulnerable",
    *TAG_FIELDS,
)
BIRTH_FIELDS = ("born_from", "region_path", "registered_on", "n")


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _local_date(column: str) -> tuple[str, tuple]:
    """SQL of the local date (the project's time zone) of a datetime column, with params."""
    return connection.ops.datetime_cast_date_sql(column, (), timezone.get_current_timezone_name())


def _year(column: str) -> tuple[str, tuple]:
    sql, params = connection.ops.date_extract_sql("year", column, ())
    return f"CAST({sql} AS integer)", params


def recount_grids(paths: Iterable[str]) -> None:
    """Recount the figures of these grid paths from the persons there, in the caller's
    transaction (the last thing it does): lock the grids in key order, then recount."""
    ordered = sorted({p for p in paths if p})
    if not ordered:
        return
    with transaction.atomic():
        for i in range(0, len(ordered), _CHUNK):
            _lock(ordered[i : i + _CHUNK])
        for i in range(0, len(ordered), _CHUNK):
            chunk = ordered[i : i + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            _rebuild(f"{{path}} IN ({marks})", list(chunk))


def recount() -> int:
    """Rebuild every grid's figures from the raw rows; the number of grid-days counted.
    Writers wait while it runs (PostgreSQL: the counter tables locked before it reads)."""
    with transaction.atomic():
        if _pg():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {_LOCKS}, {_COUNTS}, {_BIRTHS} IN SHARE ROW EXCLUSIVE MODE"
                )
        CountedGrid.objects.all().delete()
        paths = Person.objects.values_list("region_path", flat=True).distinct().order_by()
        CountedGrid.objects.bulk_create(
            [CountedGrid(region_path=p) for p in paths], batch_size=1000
        )
        return _rebuild("1 = 1", [])


def _lock(chunk: list[str]) -> None:
    values = ", ".join(["(%s)"] * len(chunk))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_LOCKS} (region_path) VALUES {values} ON CONFLICT DO NOTHING", chunk
        )
        if _pg():  # SQLite has one writer at a time
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT 1 FROM {_LOCKS} WHERE region_path IN ({marks}) "
                "ORDER BY region_path FOR UPDATE",
                chunk,
            )


def _rebuild(where: str, params: list[Any]) -> int:
    """Delete and write again the counter rows of the grid paths ``where`` selects (a
    condition on ``{path}``, the region_path column); the number of grid-days written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_COUNTS} WHERE {where.format(path='region_path')}", params)
        cursor.execute(f"DELETE FROM {_BIRTHS} WHERE {where.format(path='region_path')}", params)
        where = where.format(path="p.region_path")
        counts = _counts(cursor, where, params)
        births = _births(cursor, where, params)
    if counts:
        _insert(_COUNTS, COUNT_FIELDS, [(*key, *v) for key, v in sorted(counts.items())])
    if births:
        _insert(_BIRTHS, BIRTH_FIELDS, births)
    return len(counts)


def _counts(cursor, where: str, params: list[Any]) -> dict[tuple, list[int]]:
    """(path, day) → residents, households, vulnerable, one per vulnerable kind."""
    on, on_params = _local_date("p.created_at")
    first_on, first_params = _local_date("f.first_at")
    out: dict[tuple, list[int]] = defaultdict(lambda: [0] * (3 + len(VULNERABLE)))

    def key(path, day):
        return (path, day if not isinstance(day, str) else _parse(day))

    cursor.execute(
        f"SELECT p.region_path, {on}, count(*) FROM {_PERSON} p WHERE {where} GROUP BY 1, 2",
        [*on_params, *params],
    )
    for path, day, n in cursor.fetchall():
        out[key(path, day)][0] = n
    cursor.execute(
        f"SELECT f.region_path, {first_on}, count(*) FROM ("
        f"SELECT p.region_path, p.household_id, min(p.created_at) AS first_at FROM {_PERSON} p "
        f"WHERE {where} AND p.household_id IS NOT NULL GROUP BY 1, 2) f GROUP BY 1, 2",
        [*first_params, *params],
    )
    for path, day, n in cursor.fetchall():
        out[key(path, day)][1] = n
    kinds = ", ".join(["%s"] * len(VULNERABLE))
    per_kind = ", ".join(
        "count(DISTINCT CASE WHEN t.kind = %s THEN t.person_id END)" for _k in VULNERABLE
    )
    cursor.execute(
        f"SELECT p.region_path, {on}, count(DISTINCT t.person_id), {per_kind} "
        f"FROM {_TAG} t JOIN {_PERSON} p ON p.id = t.person_id "
        f"WHERE {where} AND t.kind IN ({kinds}) GROUP BY 1, 2",
        [*on_params, *VULNERABLE, *params, *VULNERABLE],
    )
    for path, day, *ns in cursor.fetchall():
        out[key(path, day)][2:] = ns
    return out


def _births(cursor, where: str, params: list[Any]) -> list[tuple]:
    """Rows of GridBirths: per (path, day), born in each year from BIRTHS_FROM or later."""
    on, on_params = _local_date("p.created_at")
    year, year_params = _year("p.birth_on")
    cursor.execute(
        f"SELECT p.region_path, {on}, {year}, count(*) FROM {_PERSON} p "
        f"WHERE {where} AND p.birth_on >= %s GROUP BY 1, 2, 3",
        [*on_params, *year_params, *params, f"{BIRTHS_FROM}-01-01"],
    )
    by_year: dict[tuple, dict[int, int]] = defaultdict(dict)
    for path, day, born, n in cursor.fetchall():
        by_year[(path, _parse(day) if isinstance(day, str) else day)][int(born)] = n
    rows = []
    for (path, day), years in sorted(by_year.items()):
        total = 0
        for born in range(max(years), BIRTHS_FROM - 1, -1):
            total += years.get(born, 0)
            rows.append((born, path, day, total))
    return rows


def _parse(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def _insert(table: str, fields: tuple[str, ...], rows: list[tuple]) -> None:
    cols = ", ".join(fields)
    with connection.cursor() as cursor:
        if _pg():
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
