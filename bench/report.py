"""Daily report and dashboard benchmark: `python -m bench.report` (PostgreSQL from DATABASE_URL;
the database is re-created).

With N residents (default 1,000,000; the issue's goal is stated for `--residents 10000000`) and
a day of as many check-ins (bench.health's, counted by `fangkong health recount --day`):

1. The dashboard's figures for the city: `reports.dashboard.board`, what the page and its
   polled partial render (every section for 14 days, tiles, league), with the cache emptied
   before each call (untimed): median of 30. Beside it, each section's share: its figures for
   today and its trend of the 13 days before, and the registry's figures counted from the raw rows.
2. The daily report of the city and of a district compiled cold (all sections; the cache
   emptied; the first call after seeding), then warm (median of 5).
3. The dashboard page over HTTP (test client, full middleware stack, cache emptied before
   each request): median of 10.

Figures print and are appended, with machine and date, to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.__main__ import fresh_postgres, machine, publish, seed
from bench.health import _day_of_check_ins


def _ms(fn, n: int, *, clear: bool = True) -> float:
    """Median ms of ``n`` calls of ``fn``; the cache emptied (untimed) before each."""
    from django.core.cache import cache

    samples = []
    for _ in range(n):
        if clear:
            cache.clear()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _once(fn) -> float:
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _section_calls(scope, region, section) -> None:
    """What the dashboard asks one section: its figures for today (the league reuses them)
    and its totals of the 13 whole days before (its ``trend``, else figures day by day)."""
    from django.utils import timezone

    from fangkong.reports.dashboard import TREND_DAYS
    from fangkong.reports.sections import until_of
    from fangkong.reports.selectors import _earlier, _moments

    today = timezone.localdate()
    *earlier, (day, at) = _moments(today, until_of(today), TREND_DAYS, whole_before=True)
    section.figures(scope, region, day, at)
    _earlier(scope, region, section, earlier)


def _raw_registry(scope, region) -> None:
    from django.utils import timezone

    from fangkong.people.selectors.counts import raw_values
    from fangkong.reports.dashboard import TREND_DAYS
    from fangkong.reports.sections import until_of
    from fangkong.reports.selectors import _moments

    today = timezone.localdate()
    for day, at in _moments(today, until_of(today), TREND_DAYS, whole_before=True):
        raw_values(scope, region, day, at)


def run(requests: int, dashboards: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from fangkong.accounts.scope import scope_of
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.reports.dashboard import board
    from fangkong.reports.sections import registered
    from fangkong.reports.selectors import compile_report

    accounts = {a.username: a for a in ensure_demo_accounts()}
    users = get_user_model().objects
    hq, district_user = users.get(username="hq"), users.get(username="district")
    city, district = accounts["hq"].region, accounts["district"].region
    scope, district_scope = scope_of(hq), scope_of(district_user)
    today = timezone.localdate()
    out: dict = {"city": city.name, "district": district.name}
    # cold first: nothing has read these tables since the seeding but ANALYZE
    out["city report cold s"] = _once(lambda: compile_report(scope, city, today))
    out["district report cold s"] = _once(lambda: compile_report(district_scope, district, today))
    out["city report warm s"] = _ms(lambda: compile_report(scope, city, today), 5) / 1000
    out["district report warm s"] = (
        _ms(lambda: compile_report(district_scope, district, today), 5) / 1000
    )
    out["dashboard ms"] = _ms(lambda: board(scope, city), dashboards)
    out["district dashboard ms"] = _ms(lambda: board(district_scope, district), dashboards)
    out["sections ms"] = {
        str(s.title): _ms(lambda s=s: _section_calls(scope, city, s), max(5, dashboards // 3))
        for s in registered()
    }
    out["registry raw ms"] = _ms(lambda: _raw_registry(scope, city), 3)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(hq)
    url = reverse("reports:dashboard") + f"?region={city.code}"
    assert client.get(url).status_code == 200

    def page():
        assert client.get(url).status_code == 200

    out["page ms"] = _ms(page, requests)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--dashboards", type=int, default=30, help="board() calls timed")
    parser.add_argument("--requests", type=int, default=10, help="dashboard pages timed")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    seeded = seed(args.residents)
    from django.utils import timezone

    from fangkong.health.services.counters import recount

    started = time.perf_counter()
    _day_of_check_ins(seeded["residents"])
    recount(day=timezone.localdate())  # written by COPY, around the counters
    # what autovacuum does after a day's writes (health's migration 0008 has it visit
    # PersonDay every few thousand rows): without the statistics the planner takes today's
    # date as beyond them and hashes the whole day of PersonDay rows to test the 20,000 people
    # under watch; without the visibility map each of those probes reads the table too
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE health_checkin, health_gridday")
        cursor.execute("VACUUM (ANALYZE) health_personday")
    day_seconds = time.perf_counter() - started
    found = run(args.requests, args.dashboards)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    n = f"{seeded['residents']:,}"
    sections = ", ".join(f"{k} {v:.0f} ms" for k, v in found["sections ms"].items())
    lines = [
        f"## {stamp} — daily report and dashboard — {machine()}, PostgreSQL {pg_version}",
        "",
        f"{n} residents ({seeded['households']:,} households, {seeded['grids']} grids; seeded "
        f"with the registry's counters in {seeded['seconds']:.0f} s) and a day of {n} "
        f"check-ins (written by COPY and counted in {day_seconds:.0f} s). No cache: emptied "
        "before every timed call.",
        "",
        "| what | time | goal (10,000,000 residents) |",
        "|---|---:|---:|",
        f"| dashboard figures, {found['city']} (`board()`, median of {args.dashboards}) | "
        f"{found['dashboard ms']:.0f} ms | under 100 ms |",
        f"| dashboard figures, {found['district']} (median of {args.dashboards}) | "
        f"{found['district dashboard ms']:.0f} ms | |",
        f"| daily report of {found['city']}, compiled cold (all sections) | "
        f"{found['city report cold s']:.2f} s | under 60 s |",
        f"| daily report of {found['city']}, warm (median of 5) | "
        f"{found['city report warm s']:.2f} s | |",
        f"| daily report of {found['district']}, compiled cold | "
        f"{found['district report cold s']:.2f} s | under 2 s |",
        f"| daily report of {found['district']}, warm (median of 5) | "
        f"{found['district report warm s']:.2f} s | |",
        f"| dashboard page over HTTP, {found['city']} (median of {args.requests}) | "
        f"{found['page ms']:.0f} ms | |",
        "",
        "Of the city's dashboard, each section's calls (today, and its trend of the 13 whole "
        f"days before): {sections}; "
        f"the registry's 14 days counted from the raw rows instead of its counters: "
        f"{found['registry raw ms']:.0f} ms.",
    ]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
