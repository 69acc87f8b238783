"""The application's database connections as configured in settings.py."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_short_queries():
    """JIT compiling cost more than the coverage query it compiled (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
