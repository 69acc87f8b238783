"""Per-grid daily counters: `python -m bench.counters` (PostgreSQL from DATABASE_URL; the
database is re-created).

1. Batches of 1,000 check-ins through the API (granian, 2 workers × 2 threads, two clients),
   with the counters kept in the insert, against the same server with them switched off
   (bench/uncounted.py), alternated in the same session; records/s and the ratio.
2. With N residents (default 1,000,000) and a day of as many check-ins: the day's figures of
   the city and of a district (check-ins, persons who reported, fevers; for the region and
   each region below) from the counters, against the same figures counted from the check-ins
   (the staff view's old query, per grid); median ms. Also the recount of that day.
3. On the same day (2 % of residents under watch): the daily report's health section
   (``health_values``: due, reported, checked in, alerts, watch, cases, passages per grid) of
   the city and of a district, from the counters, against the old raw query (distinct persons
   and ``Exists`` over the check-ins, residents counted from the person table), with the
   default rule (only people under watch report) and with every resident due; the residents
   per grid alone (``residents_by_path``, still a grouped count until the registry's counters
   replace it); a round at an earlier hour (the raw rows, by design); and the staff view with
   no cache. Median ms, no cache anywhere.

`--skip-writes` leaves out part 1 (the check-in rates through the API), for a run about the
figures only.
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


def _old_reporting(scope, region, day, until) -> dict:
    """The health section's due / reported / checked in as the report counted them before the
    counters (src/fangkong/health/report.py before this change), for comparison."""
    from django.db.models import Count, Exists, OuterRef

    from fangkong.health.models import CheckIn
    from fangkong.health.rules import universal_at, universal_rules, universal_under
    from fangkong.health.selectors import watched_on
    from fangkong.people.models import Person
    from fangkong.reports.sections import add_rows, values_by_path

    def grouped(qs, **annotate):
        return qs.values("region_path").annotate(**annotate).order_by()

    values = values_by_path()
    inside = {"region_path__startswith": region.path}
    check_ins = CheckIn.objects.filter(on=day, measured_at__lt=until)
    add_rows(
        values,
        "checked_in",
        grouped(scope.filter(check_ins.filter(**inside)), n=Count("person", distinct=True)),
    )
    checked = Exists(check_ins.filter(person_id=OuterRef("person_id")))
    watched = watched_on(scope, region, day)
    due = values_by_path()
    add_rows(due, "watched", grouped(watched, n=Count("person", distinct=True)))
    add_rows(
        due, "watched_reported", grouped(watched.filter(checked), n=Count("person", distinct=True))
    )
    rules = universal_rules()
    if universal_under(rules, region.path):
        residents = scope.filter(Person.objects.filter(created_at__lt=until, **inside))
        add_rows(due, "residents", grouped(residents, n=Count("id")))
        add_rows(
            due,
            "residents_reported",
            grouped(
                residents.filter(Exists(check_ins.filter(person_id=OuterRef("pk")))),
                n=Count("id"),
            ),
        )
    for path, counts in due.items():
        kind = "residents" if universal_at(rules, path) else "watched"
        values[path]["due"] = counts.get(kind, 0)
        values[path]["reported"] = counts.get(f"{kind}_reported", 0)
    return values


def _old_section(scope, region, day, until) -> dict:
    """The whole old section: the old reporting query and the parts this change kept."""
    from django.db.models import Count

    from fangkong.health.selectors import day_figures, watched_on

    values = _old_reporting(scope, region, day, until)
    day_figures._events(scope, region, day, until, values)
    watched = watched_on(scope, region, day)
    list(watched.values("region_path").annotate(n=Count("person", distinct=True)).order_by())
    list(
        watched.values("region_path", "kind").annotate(n=Count("person", distinct=True)).order_by()
    )
    return values


def section(requests: int) -> list[tuple[str, float, float | None]]:
    """The health section's figures, new against old, per rule; then the parts."""
    import datetime as dt

    from django.utils import timezone

    from fangkong.accounts.models import User
    from fangkong.accounts.scope import scope_of
    from fangkong.health import selectors
    from fangkong.health.models import HealthRule
    from fangkong.health.report import health_values
    from fangkong.people.selectors import residents_by_path

    today = timezone.localdate()
    users = [User.objects.get(username=u) for u in ("hq", "district")]
    out: list[tuple[str, float, float | None]] = []
    for universal in (False, True):
        HealthRule.objects.filter(region=users[0].scope_region).delete()
        if universal:
            HealthRule.objects.create(region=users[0].scope_region, universal_reporting=True)
        rule = "every resident due" if universal else "only people under watch due"
        for user in users:
            scope, region = scope_of(user), user.scope_region

            def new(s=scope, r=region):
                return health_values(s, r, today, timezone.now())

            def old(s=scope, r=region):
                return _old_section(s, r, today, timezone.now())

            a, b = new(), old()
            for key in ("checked_in", "due", "reported"):  # the same figures, both ways
                assert sum(v.get(key, 0) for v in a.values()) == sum(
                    v.get(key, 0) for v in b.values()
                ), key
            out.append(
                (
                    f"{region.name}: health section, {rule}",
                    _median_ms(new, requests),
                    _median_ms(old, max(5, requests // 3)),
                )
            )
    from fangkong.health.selectors import day_figures

    counts = residents_by_path(users[0].scope_region, timezone.now())
    real = day_figures.residents_by_path
    day_figures.residents_by_path = lambda region, until: {
        p: n for p, n in counts.items() if p.startswith(region.path)
    }
    try:  # what the section costs once residents per grid are read from counters
        for user in users:
            scope, region = scope_of(user), user.scope_region
            out.append(
                (
                    f"{region.name}: health section, every resident due, residents per grid "
                    "given (as from counters)",
                    _median_ms(
                        lambda s=scope, r=region: health_values(s, r, today, timezone.now()),
                        requests,
                    ),
                    None,
                )
            )
    finally:
        day_figures.residents_by_path = real
    for user in users:
        scope, region = scope_of(user), user.scope_region
        out.append(
            (
                f"{region.name}: residents per grid (`residents_by_path`, grouped count)",
                _median_ms(lambda r=region: residents_by_path(r, timezone.now()), requests),
                None,
            )
        )
        hour_ago = timezone.now() - dt.timedelta(hours=1)
        out.append(
            (
                f"{region.name}: health section, a round an hour ago (raw rows)",
                _median_ms(
                    lambda s=scope, r=region, h=hour_ago: health_values(s, r, today, h),
                    max(5, requests // 3),
                ),
                None,
            )
        )
        out.append(
            (
                f"{region.name}: staff view, no cache (every resident due)",
                _median_ms(lambda s=scope, r=region: selectors.staff_view(s, r, today), requests),
                None,
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=40, help="per round, 1,000 records each")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--skip-writes", action="store_true", help="leave out the check-in rates (part 1)"
    )
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
    for _ in range(0 if args.skip_writes else args.rounds):  # alternated: alike under both
        on.append(_rate("fangkong.wsgi:application", token, person_ids, args.batches))
        off.append(_rate("bench.uncounted:application", token, person_ids, args.batches))
    if not args.skip_writes:
        in_on, in_off = _in_process(person_ids, grid.path, 20)
    for model in (CheckIn, GridDay, PersonDay):
        model.objects.all().delete()
    started = time.perf_counter()
    _day_of_check_ins(seeded["residents"])
    day_seconds = time.perf_counter() - started
    started = time.perf_counter()
    recount(day=timezone.localdate())
    recount_seconds = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would after a day's writes
        cursor.execute("ANALYZE health_personday, health_gridday")
    timings = figures(args.requests)
    parts = section(args.requests)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## {stamp} — daily counters — {machine()}, PostgreSQL {pg_version}", ""]
    if not args.skip_writes:
        on_rate, off_rate = statistics.median(on), statistics.median(off)
        lines += [
            f"Check-ins partitioned by day. Batches of 1,000 through the API (granian, 2 workers "
            f"× 2 threads, two clients; {args.rounds} rounds of {args.batches} batches each, "
            f"alternated; {seeded['residents']:,} residents, seeded in "
            f"{seeded['seconds']:.0f} s): **{on_rate:,.0f} records/s with the counters**, "
            f"{off_rate:,.0f} without (ratio {on_rate / off_rate:.2f}; rounds with: "
            + ", ".join(f"{r:,.0f}" for r in on)
            + "; without: "
            + ", ".join(f"{r:,.0f}" for r in off)
            + "). "
            f"In the process, `record_check_ins` with 1,000 records (no HTTP, no JSON; median "
            f"of 10 each, alternated): {in_on:,.0f} records/s with the counters, "
            f"{in_off:,.0f} without (ratio {in_on / in_off:.2f}).",
            "",
        ]
    else:
        lines += [
            f"{seeded['residents']:,} residents (seeded in {seeded['seconds']:.0f} s); the "
            "check-in rates through the API were not measured in this run (`--skip-writes`).",
            "",
        ]
    lines += [
        f"A day of {seeded['residents']:,} check-ins (written by COPY in {day_seconds:.0f} s, "
        f"then counted by `fangkong health recount --day` in {recount_seconds:.1f} s); the "
        f"day's check-ins, persons who reported and fevers, median of {args.requests} calls "
        "(selector only, no cache):",
        "",
        "| figures | from the counters, ms | from the check-ins, ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {a:.1f} | {b:.1f} |" for k, (a, b) in timings.items()]
    lines += [
        "",
        "The daily report's health section for today, as of now (`health_values`, every "
        "figure per grid), from the counters against the old raw query; then its parts. "
        f"Median of {args.requests} calls (the old query and the earlier round: of "
        f"{max(5, args.requests // 3)}), no cache:",
        "",
        "| figures | now, ms | old raw query, ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {a:.1f} | {'' if b is None else f'{b:.1f}'} |" for k, a, b in parts]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
