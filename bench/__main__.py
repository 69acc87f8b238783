"""Benchmarks: `make bench` (PostgreSQL from DATABASE_URL; the database is re-created).

1. Seeding N residents (default 1,000,000) through the project's loader, against a raw COPY of
   narrow rows in the same session as the baseline.
2. With those residents in the database, the screens through the full middleware stack
   (session, auth, CSRF, locale, scope, audit): a grid worker's "my grid" page, a building page,
   and the person search for a grid worker and for the city headquarters; median and p99.

Figures print and are appended, with machine and date, to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_postgres() -> str | None:
    """Re-create DATABASE_URL's database, set Django up and migrate; PostgreSQL's version, or
    None (with a message) when DATABASE_URL is not PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("benchmarks run on PostgreSQL: set DATABASE_URL (make bench does)", file=sys.stderr)
        return None
    recreate_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def publish(text: str, *, write: bool) -> None:
    """Print the figures and append them to docs/benchmarks.md."""
    print(text)
    if not write:
        return
    DOCS.parent.mkdir(exist_ok=True)
    if not DOCS.exists():
        DOCS.write_text(
            "# Benchmarks\n\nFigures from `make bench` (bench/__main__.py), newest last. "
            "Machines are shared and noisy: compare medians and ratios within one run.\n\n"
        )
    with DOCS.open("a") as f:
        f.write("\n" + text)


def raw_copy_baseline(rows: int) -> float:
    """Rows/s of a plain COPY of narrow rows (id, name, code) into a table with a primary key."""
    from django.db import connection, transaction

    data = "".join(f"{i}\t张三{i % 1000}\t430102{i % 999:03d}\n" for i in range(rows))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TABLE copy_probe (id bigint PRIMARY KEY, name text, code text)")
        started = time.perf_counter()
        with cur.cursor.copy("COPY copy_probe FROM STDIN") as copy:
            copy.write(data)
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE copy_probe")
    return rows / seconds


def seed(residents: int) -> dict[str, float]:
    from django.db import connection

    from fangkong.ops.city import generate_city
    from fangkong.ops.load import load_city

    started = time.perf_counter()
    result = load_city(generate_city(residents=residents, seed=1))
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "residents": result.persons,
        "households": result.households,
        "tags": result.tags,
        "grids": len(result.grid_codes),
        "seconds": seconds,
        "rows_per_s": result.persons / seconds,
    }


def time_requests(client, url: str, n: int, *, cold: bool = False) -> dict[str, float]:
    """Median and p99 of ``n`` requests; ``cold`` empties the cache before each (untimed)."""
    from django.core.cache import cache

    for _ in range(5):  # warm up
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(n):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
    }


def screens(n: int) -> dict[str, dict[str, float]]:
    from django.test import Client
    from django.urls import reverse

    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.people.models import Person
    from fangkong.regions.models import Building

    accounts = {a.username: a for a in ensure_demo_accounts()}
    grid = accounts["grid_a"].region
    building = Building.objects.filter(grid=grid).first()
    sample = Person.objects.filter(grid=grid).order_by("id")[7]
    tail = sample.id_number[-6:]
    surname = sample.name[0]
    from fangkong.accounts.models import User

    # a host the default ALLOWED_HOSTS accepts (the test runner's "testserver" is not)
    worker, street, hq = (Client(HTTP_HOST="127.0.0.1") for _ in range(3))
    worker.force_login(User.objects.get(username="grid_a"))
    street.force_login(User.objects.get(username="street"))
    hq.force_login(User.objects.get(username="hq"))
    search = reverse("people:search")
    return {
        "my grid page (grid worker)": time_requests(
            worker, reverse("people:region", args=[grid.code]), n
        ),
        "building page (grid worker)": time_requests(
            worker, reverse("people:building", args=[building.pk]), n
        ),
        f"search by surname '{surname}' (grid worker)": time_requests(
            worker, f"{search}?q={surname}", n
        ),
        "search by ID tail, 6 digits (grid worker)": time_requests(worker, f"{search}?q={tail}", n),
        f"search by surname '{surname}' (headquarters, whole city)": time_requests(
            hq, f"{search}?q={surname}", n
        ),
        "search by full name (headquarters, whole city)": time_requests(
            hq, f"{search}?q={sample.name}", n
        ),
        "search by the commonest surname '王' (headquarters, whole city)": time_requests(
            hq, f"{search}?q=王", n
        ),
        "search by ID tail, 6 digits (headquarters)": time_requests(hq, f"{search}?q={tail}", n),
        "region page (street staff), counts cached": time_requests(
            street, reverse("people:region", args=[accounts["street"].region.code]), n
        ),
        "region page (street staff), counts recomputed": time_requests(
            street,
            reverse("people:region", args=[accounts["street"].region.code]),
            n // 4,
            cold=True,
        ),
        "region page (headquarters, whole city), counts cached": time_requests(
            hq, reverse("people:region", args=[accounts["hq"].region.code]), n
        ),
        "region page (headquarters, whole city), counts recomputed": time_requests(
            hq,
            reverse("people:region", args=[accounts["hq"].region.code]),
            max(20, n // 10),
            cold=True,
        ),
        "search by full phone (headquarters)": time_requests(
            hq, f"{search}?q={sample.phone or '13800000000'}", n
        ),
    }


def paced_clients(n: int, port: int, seconds: float, pause: float, request) -> dict[str, float]:
    """``n`` clients at once (phones), each a thread on its own keep-alive connection, starting at
    a random moment within the first ``pause`` and then sending ``request(i, k, rng)`` →
    ``(method, path, body, headers)`` (client ``i``'s ``k``-th) every ``pause`` s ±50 % until
    ``seconds`` are up. Requests, requests/s, p50 and p99 ms, and answers other than 200."""
    import http.client
    import random
    import threading

    latencies: list[float] = []
    failed: list[int] = []
    lock = threading.Lock()
    started = time.perf_counter()
    stop = started + seconds

    def client(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, k = [], 0, 0
        time.sleep(rng.uniform(0, pause))
        while time.perf_counter() < stop:
            method, path, body, headers = request(i, k, rng)
            t = time.perf_counter()
            conn.request(method, path, body, headers)
            answer = conn.getresponse()
            answer.read()
            mine.append((time.perf_counter() - t) * 1000)
            bad += answer.status != 200
            k += 1
            time.sleep(pause * rng.uniform(0.5, 1.5))
        conn.close()
        with lock:
            latencies.extend(mine)
            failed.append(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / (time.perf_counter() - started),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": sum(failed),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    copy_rate = raw_copy_baseline(1_000_000)
    seeded = seed(args.residents)
    timings = screens(args.requests)

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — {machine()}, PostgreSQL {pg_version}",
        "",
        f"Seeding {seeded['residents']:,} residents ({seeded['households']:,} households, "
        f"{seeded['grids']} grids, {seeded['tags']:,} tags), one transaction with indexes: "
        f"**{seeded['seconds']:.1f} s, {seeded['rows_per_s']:,.0f} residents/s** "
        f"(raw COPY of narrow rows in the same session: {copy_rate:,.0f} rows/s; "
        f"ratio {copy_rate / seeded['rows_per_s']:.1f}×; goal: under 120 s).",
        "",
        f"Screens with {seeded['residents']:,} residents, full middleware stack, "
        f"{args.requests} requests each (goal: median under 50 ms):",
        "",
        "| screen | median ms | p99 ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v['median_ms']:.1f} | {v['p99_ms']:.1f} |" for k, v in timings.items()]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
