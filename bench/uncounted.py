"""The WSGI application with the per-grid daily counters switched off: only the baseline of
bench/counters.py (the same API, the same server, the check-ins written without counting)."""

# isort: off
from fangkong.wsgi import application  # first: it sets Django up
from fangkong.health.services import counters

# isort: on


def _plain(insert_sql: str, paths) -> tuple[str, list]:
    return insert_sql, []


counters.counted_insert = _plain  # PostgreSQL's insert without its counting parts
counters.add = lambda rows: None

__all__ = ["application"]
