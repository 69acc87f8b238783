"""Per-grid daily counters: `python -m bench.counters` (PostgreSQL from DATABASE_URL; the
database is re-created).

1. Batches of 1,000 check-ins through the API (granian, 2 workers × 2 threads, two clients),
   with the counters kept in the insert, against the same server with them switched off
   (bench/uncounted.py), alternated in the same session; records/s and the ratio.
2. With N residents (default 1,000,000) and a day of as many check-ins: the day's figures of
   the city and of a district (check-ins, persons who reported, fevers; for the region and
   each region below) from the counters, against the same figures counted from the check-ins
   (the staff view's old query, per grid); median ms. Also the recount of that day.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish, seed
from bench.health import PORT, _batches, _day_of_check_ins, grid_worker_token


def _granian(target: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        FANGKONG_CACHE_URL=os.environ.get("FANGKONG_CACHE_URL", "redis://127.0.0.1:6379/5"),
    )
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "wsgi",
            "--port",
            str(PORT),
            "--workers",
            "2",
            "--blocking-threads",
            "2",
            "--no-ws",
            target,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _rate(target: str, token: str, person_ids: list[int], batches: int) -> float:
    server = _granian(target)
    try:
        _batches(token, person_ids, 4)  # warm up
        return _batches(token, person_ids, batches)
    finally:
        server.terminate()
        server.wait()


def _in_process(person_ids: list[int], path: str, rounds: int) -> tuple[float, float]:
    """Records/s of ``record_check_ins`` with 1,000 records, in this process (no HTTP, no
    JSON), with the counters and without, alternated (which goes first too)."""
    import random
    import uuid

    from fangkong.health.services import CheckInData, counters, record_check_ins

    real = counters.counted_insert

    def plain(sql, paths):
        return sql, []

    persons = dict.fromkeys(person_ids, path)
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for i in range(rounds):
            for counted in (True, False) if i % 2 else (False, True):
                counters.counted_insert = real if counted else plain
                items = [
                    CheckInData(uuid.uuid4(), random.choice(person_ids), "36.5")
                    for _ in range(1000)
                ]
                started = time.perf_counter()
                assert record_check_ins(items=items, persons=persons).created == 1000
                times[counted].append(time.perf_counter() - started)
    finally:
        counters.counted_insert = real
    return 1000 / statistics.median(times[True]), 1000 / statistics.median(times[False])


def _median_ms(fn, n: int) -> float:
    fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _raw(region, day):
    """The same figures counted from the check-ins, per grid (as the staff view did)."""
    from django.db.models import Count, Q

    from fangkong.health.models import CheckIn

    return list(
        CheckIn.objects.filter(on=day, region_path__startswith=region.path)
        .values("region_path")
        .annotate(
            n=Count("id"),
            p=Count("person", distinct=True),
            f=Count("id", filter=Q(temperature__gte="37.3")),
        )
        .order_by()
    )


def figures(requests: int) -> dict[str, tuple[float, float]]:
    from django.utils import timezone

    from fangkong.accounts.models import User
    from fangkong.accounts.scope import scope_of
    from fangkong.health import selectors

    today = timezone.localdate()
    hq = User.objects.get(username="hq")
    district = User.objects.get(username="district")
    out = {}
    for user in (hq, district):
        scope, region = scope_of(user), user.scope_region
        out[f"{region.name}: the region's figures"] = (
            _median_ms(lambda s=scope, r=region: selectors.daily_figures(s, r, today), requests),
            _median_ms(lambda r=region: _raw(r, today), requests),
        )
        out[f"{region.name}: figures of each region below"] = (
            _median_ms(
                lambda s=scope, r=region: selectors.daily_figures_by_child(s, r, today), requests
            ),
            _median_ms(lambda r=region: _raw(r, today), requests),
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=40, help="per round, 1,000 records each")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.utils import timezone

    from fangkong.health.models import CheckIn, GridDay, PersonDay
    from fangkong.health.services.counters import recount

    seeded = seed(args.residents)
    grid, token, person_ids = grid_worker_token()
    on, off = [], []
    for _ in range(args.rounds):  # alternated: the table grows alike under both
        on.append(_rate("fangkong.wsgi:application", token, person_ids, args.batches))
        off.append(_rate("bench.uncounted:application", token, person_ids, args.batches))
    in_on, in_off = _in_process(person_ids, grid.path, 20)
    for model in (CheckIn, GridDay, PersonDay):
        model.objects.all().delete()
    started = time.perf_counter()
    _day_of_check_ins(seeded["residents"])
    day_seconds = time.perf_counter() - started
    started = time.perf_counter()
    recount(day=timezone.localdate())
    recount_seconds = time.perf_counter() - started
    timings = figures(args.requests)

    on_rate, off_rate = statistics.median(on), statistics.median(off)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — daily counters — {machine()}, PostgreSQL {pg_version}",
        "",
        f"Check-ins partitioned by day. Batches of 1,000 through the API (granian, 2 workers × "
        f"2 threads, two clients; {args.rounds} rounds of {args.batches} batches each, "
        f"alternated; {seeded['residents']:,} residents, seeded in {seeded['seconds']:.0f} s): "
        f"**{on_rate:,.0f} records/s with the counters**, {off_rate:,.0f} without "
        f"(ratio {on_rate / off_rate:.2f}; rounds with: "
        + ", ".join(f"{r:,.0f}" for r in on)
        + "; without: "
        + ", ".join(f"{r:,.0f}" for r in off)
        + "). "
        f"In the process, `record_check_ins` with 1,000 records (no HTTP, no JSON; median of 10 "
        f"each, alternated): {in_on:,.0f} records/s with the counters, {in_off:,.0f} without "
        f"(ratio {in_on / in_off:.2f}).",
        "",
        f"A day of {seeded['residents']:,} check-ins (written by COPY in {day_seconds:.0f} s, "
        f"then counted by `fangkong health recount --day` in {recount_seconds:.1f} s); the "
        f"day's check-ins, persons who reported and fevers, median of {args.requests} calls "
        "(selector only, no cache):",
        "",
        "| figures | from the counters, ms | from the check-ins, ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {a:.1f} | {b:.1f} |" for k, (a, b) in timings.items()]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
