"""Health monitoring benchmark: `python -m bench.health` (PostgreSQL from DATABASE_URL; the
database is re-created; needs wrk, which `make bench` installs).

1. Single check-ins over HTTP: `fangkong serve --workers 2` (granian) and wrk with 16
   connections, each request one check-in through the full stack (bearer token, validation,
   scope, idempotent insert, alert rule); beside it, the same single-row inserts straight into
   PostgreSQL from 16 connections.
2. Batches of 1,000 through the API, beside a COPY of the same rows.
3. With N residents (default 1,000,000) and as many check-ins that day: the missing list of a
   grid (universal reporting on) and the staff view of the district and of the city, through the
   full middleware stack; median and p99.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench.__main__ import fresh_postgres, machine, publish, seed, time_requests

PORT = 8731
LUA = """
local ids = {%s}
local token = "%s"
math.randomseed(os.time())
local function uuid4()
  return string.format("%%08x-%%04x-4%%03x-%%04x-%%012x", math.random(0, 0xffffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0x8000, 0xbfff),
    math.random(0, 0xffffffffffff))
end
request = function()
  local body = string.format(
    '{"records": [{"client_id": "%%s", "person_id": %%d, "temperature": "36.%%d"}]}',
    uuid4(), ids[math.random(#ids)], math.random(0, 9))
  return wrk.format("POST", "/api/v1/health/checkins",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"""


def _server(env: dict[str, str], port: int = PORT) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("fangkong")),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _wrk(script: str, seconds: int, connections: int = 16, port: int = PORT) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",  # a slow answer counts in the latencies (wrk's 2 s default drops it)
            "-s",
            f.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _bare_inserts(person_ids: list[int], path: str, seconds: float) -> dict[str, float]:
    """One-row INSERTs from 16 connections (autocommit), as the HTTP test does them."""
    import psycopg
    from django.db import connection

    dsn = connection.get_connection_params()
    dsn.pop("cursor_factory", None)
    dsn.pop("context", None)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        rng = random.Random()
        mine = []
        with psycopg.connect(**dsn, autocommit=True) as conn:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                conn.execute(
                    "INSERT INTO health_checkin (client_id, person_id, region_path, measured_at, "
                    '"on", temperature, symptoms, source, created_at) '
                    "VALUES (%s, %s, %s, now(), current_date, 36.5, '[]', 'import', now())",
                    [uuid.uuid4(), rng.choice(person_ids), path],
                )
                mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def _batches(token: str, person_ids: list[int], batches: int) -> float:
    """Records/s through the API, 1,000 a request, two clients."""
    bodies = [
        json.dumps(
            {
                "records": [
                    {
                        "client_id": str(uuid.uuid4()),
                        "person_id": random.choice(person_ids),
                        "temperature": f"36.{random.randint(0, 9)}",
                    }
                    for _ in range(1000)
                ]
            }
        ).encode()
        for _ in range(batches)
    ]

    failures: list[BaseException] = []

    def post(chunk):
        try:
            _post_all(chunk)
        except BaseException as e:  # reported below: a thread's error is otherwise lost
            failures.append(e)

    def _post_all(chunk):
        for body in chunk:
            req = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/v1/health/checkins",
                data=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(req, timeout=60) as r:
                assert json.loads(r.read())["created"] == 1000

    started = time.perf_counter()
    threads = [threading.Thread(target=post, args=(bodies[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return batches * 1000 / (time.perf_counter() - started)


def _copy_baseline(person_ids: list[int], path: str, n: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter
    from fangkong.health.models import CheckIn

    now, today = timezone.now(), timezone.localdate()
    writer = BulkWriter(
        CheckIn,
        [
            "client_id",
            "person",
            "region_path",
            "measured_at",
            "on",
            "temperature",
            "symptoms",
            "source",
            "created_at",
        ],
    )
    writer.rows = [
        (uuid.uuid4(), random.choice(person_ids), path, now, today, "36.5", "[]", "import", now)
        for _ in range(n)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        writer.flush()
    return n / (time.perf_counter() - started)


def _day_of_check_ins(n: int) -> None:
    """About one check-in per resident today (some twice, some missing), 2 % under watch."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.common.db import BulkWriter
    from fangkong.health.models import CheckIn, Observation
    from fangkong.people.models import Person

    now, today = timezone.now(), timezone.localdate()
    rng = random.Random(3)
    people = list(Person.objects.values_list("id", "region_path").order_by("id"))
    check_ins = BulkWriter(
        CheckIn,
        [
            "client_id",
            "person",
            "region_path",
            "measured_at",
            "on",
            "temperature",
            "symptoms",
            "source",
            "created_at",
        ],
    )
    watched = BulkWriter(
        Observation,
        [
            "person",
            "region_path",
            "kind",
            "reason",
            "start_on",
            "end_on",
            "created_at",
            "end_reason",
            "hotel",
            "room",
        ],
    )
    with transaction.atomic():
        written = 0
        while written < n:
            for pid, path in people:
                if written >= n:
                    break
                if rng.random() < 0.05:
                    continue  # not yet today
                t = "38.1" if rng.random() < 0.002 else f"36.{rng.randint(1, 9)}"
                check_ins.rows.append((uuid.uuid4(), pid, path, now, today, t, "[]", "self", now))
                written += 1
                if len(check_ins.rows) >= 50_000:
                    check_ins.flush()
        check_ins.flush()
        for pid, path in people[::50]:
            watched.rows.append(
                (
                    pid,
                    path,
                    "home_observation",
                    "外地返乡",
                    today,
                    today + dt.timedelta(days=13),
                    now,
                    "",
                    "",
                    "",
                )
            )
        watched.flush()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def views(requests: int) -> dict[str, dict[str, float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from fangkong.health.models import HealthRule
    from fangkong.ops.demo import ensure_demo_accounts

    accounts = {a.username: a for a in ensure_demo_accounts()}
    grid = accounts["grid_a"].region
    HealthRule.objects.create(region=accounts["hq"].region, universal_reporting=True)
    users = get_user_model().objects
    worker, hq, district = (Client(HTTP_HOST="127.0.0.1") for _ in range(3))
    worker.force_login(users.get(username="grid_a"))
    hq.force_login(users.get(username="hq"))
    district.force_login(users.get(username="district"))
    d = accounts["district"].region
    c = accounts["hq"].region
    staff = reverse("health:staff")
    return {
        "missing list of a grid (grid worker, universal reporting)": time_requests(
            worker, reverse("health:missing", args=[grid.code]), requests
        ),
        f"staff view of the district {d.name} (district staff), figures cached": time_requests(
            district, staff + f"?region={d.code}", requests
        ),
        f"staff view of the district {d.name}, figures recomputed": time_requests(
            district, staff + f"?region={d.code}", requests, cold=True
        ),
        f"staff view of the city {c.name} (headquarters), figures cached": time_requests(
            hq, staff + f"?region={c.code}", requests
        ),
        f"staff view of the city {c.name}, figures recomputed": time_requests(
            hq, staff + f"?region={c.code}", requests, cold=True
        ),
    }


def grid_worker_token():
    """The demo grid worker's grid, an API token for them and the ids of the grid's residents:
    who the check-in benchmarks write as."""
    from django.contrib.auth import get_user_model

    from fangkong.accounts.services import issue_token
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.people.models import Person

    accounts = {a.username: a for a in ensure_demo_accounts()}
    grid = accounts["grid_a"].region
    worker = get_user_model().objects.get(username="grid_a")
    token = issue_token(user=worker, name="bench")
    return grid, token, list(Person.objects.filter(grid=grid).values_list("id", flat=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    seeded = seed(args.residents)
    grid, token, person_ids = grid_worker_token()
    env = dict(
        os.environ,
        FANGKONG_CACHE_URL=os.environ.get("FANGKONG_CACHE_URL", "redis://127.0.0.1:6379/5"),
    )
    server = _server(env)
    try:
        _wrk(LUA % (", ".join(map(str, person_ids)), token), 3)  # warm up
        http = _wrk(LUA % (", ".join(map(str, person_ids)), token), args.seconds)
        if http["errors"]:
            raise RuntimeError(f"{http['errors']} requests failed")
        bare = _bare_inserts(person_ids, grid.path, args.seconds)
        batch_rate = _batches(token, person_ids, 60)
    finally:
        server.terminate()
        server.wait()
    copy_rate = _copy_baseline(person_ids, grid.path, 60_000)
    from django.utils import timezone

    from fangkong.health.models import CheckIn

    CheckIn.objects.all().delete()
    started = time.perf_counter()
    _day_of_check_ins(seeded["residents"])
    from fangkong.health.services.counters import recount

    recount(day=timezone.localdate())  # written by COPY, around the counters
    day_seconds = time.perf_counter() - started
    timings = views(args.requests)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — health monitoring — {machine()}, PostgreSQL {pg_version}",
        "",
        "Single check-ins over HTTP (`fangkong serve --workers 2 --threads 2`, granian; wrk, 16 "
        f"connections, {args.seconds} s; bearer token, validation, scope, idempotent insert, "
        "alert rule), beside one-row INSERTs straight into PostgreSQL from 16 connections:",
        "",
        "| path | requests/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        f"| POST /api/v1/health/checkins, one record | {http['rps']:,.0f} | {http['p50']:.1f} | "
        f"{http['p99']:.1f} |",
        f"| bare INSERT, autocommit | {bare['rps']:,.0f} | {bare['p50']:.1f} | {bare['p99']:.1f} |",
        "",
        f"Batches of 1,000 through the API (two clients): **{batch_rate:,.0f} records/s**; a "
        f"COPY of the same rows: {copy_rate:,.0f} rows/s (ratio {copy_rate / batch_rate:.1f}×). "
        f"Goals: 1,000 check-ins/s with p99 under 50 ms; 50,000 records/s in batches.",
        "",
        f"With {seeded['residents']:,} residents and as many check-ins that day (written by "
        f"COPY and counted in {day_seconds:.0f} s), full middleware stack, {args.requests} "
        "requests each (goal: median under 100 ms):",
        "",
        "| screen | median ms | p99 ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v['median_ms']:.1f} | {v['p99_ms']:.1f} |" for k, v in timings.items()]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
