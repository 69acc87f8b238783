"""Database helpers shared by the apps."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection, models

# PostgreSQL: an index usable by LIKE 'prefix%' whatever the database collation; other
# databases ignore the operator class.
PATTERN_OPS = "varchar_pattern_ops"


def prefix_index(field: str, name: str) -> models.Index:
    """One index for prefix searches (materialised paths, name prefixes, reversed IDs).

    Django's ``db_index=True`` on a CharField makes two indexes on PostgreSQL (plain and
    pattern-ops); for columns searched only by prefix or equality one is enough, and every
    index costs time on a bulk load of a city.
    """
    return models.Index(fields=[field], name=name, opclasses=[PATTERN_OPS])


class CodePointCharField(models.CharField):
    """Text compared by code point on PostgreSQL (collation "C"), as SQLite does by default.

    One plain index then serves both ``LIKE 'prefix%'`` and ``ORDER BY`` on the column, so a
    name search across a city stops after the first page instead of sorting every match.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


@models.Field.register_lookup
class AnyOf(models.Lookup):
    """``field__any=values``: what ``__in`` means, sent to PostgreSQL as one array parameter
    (``= ANY(%s)``). An ``__in`` of thousands of values is a query of thousands of placeholders,
    which psycopg parses on the client for every chunk of an import, longer than PostgreSQL
    takes to answer it. Other databases get the ``IN`` list."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


models.ForeignObject.register_lookup(AnyOf)  # keys have lookups of their own


class BulkWriter:
    """Rows for one table, written by COPY on PostgreSQL or batched inserts elsewhere.

    Rows carry their own ids (see ``reserve_ids``), so rows of several tables can reference each
    other without a round trip per row.
    """

    def __init__(self, model: type[models.Model], fields: list[str]):
        self.table = model._meta.db_table
        self.columns = [model._meta.get_field(n).column for n in fields]
        self.rows: list[tuple] = []

    def flush(self) -> int:
        n = len(self.rows)
        if not n:
            return 0
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:  # psycopg formats each value (in C)
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", self.rows)
        self.rows = []
        return n


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys for rows about to be written by a BulkWriter.

    PostgreSQL draws them from the table's sequence (safe beside concurrent inserts); SQLite,
    which has one writer at a time, continues from the largest id.
    """
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), n],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + n))


def analyze(*models: type[models.Model]) -> None:
    """Refresh the planner's statistics of these tables (PostgreSQL) after a bulk load."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
