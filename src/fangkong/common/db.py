"""Database helpers shared by the apps."""

from django.db import models

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
