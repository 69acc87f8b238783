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


@pytest.mark.django_db
def test_autovacuum_keeps_up_with_the_day_s_person_days():
    """Today's rows are all-visible soon after they are written, so the probes of those under
    watch stay index-only (docs/health.md, "Daily counters")."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'health_personday'")
        options = dict(o.split("=") for o in cur.fetchone()[0])
    assert float(options["autovacuum_vacuum_insert_scale_factor"]) <= 0.01
    assert int(options["autovacuum_vacuum_insert_threshold"]) <= 10_000
