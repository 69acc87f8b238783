"""Read-log benchmark: `python -m bench.access` (PostgreSQL from DATABASE_URL; re-created).

A grid worker opens persons' pages through the full middleware stack, in one process, with the
read log on (each view buffered, written VIEW_LOG_BATCH at a time by COPY after a response) and
with the logging call switched off, the two interleaved request by request so that drift hits
both alike. The logged requests include the flushes that fall in them. Then one flush of a full
batch, and the buffering call, each timed alone. Figures print and are appended to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.__main__ import fresh_postgres, machine, publish, seed


def person_pages(n: int) -> dict[str, list[float]]:
    from django.test import Client
    from django.urls import reverse

    import fangkong.people.views.registry as registry
    from fangkong.accounts.models import User
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.people.models import Person

    accounts = {a.username: a for a in ensure_demo_accounts()}
    grid = accounts["grid_a"].region
    ids = list(Person.objects.filter(grid=grid).order_by("id").values_list("pk", flat=True)[:200])
    urls = [reverse("people:person", args=[pk]) for pk in ids]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="grid_a"))
    modes = {"logged": registry.record_person_view, "unlogged": lambda **kw: None}
    samples: dict[str, list[float]] = {m: [] for m in modes}
    try:
        for i in range(n + 20):
            for mode in modes if i % 2 else reversed(list(modes)):
                registry.record_person_view = modes[mode]
                url = urls[i % len(urls)]
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                if i >= 20:  # the first rounds warm up
                    samples[mode].append((time.perf_counter() - started) * 1000)
    finally:
        registry.record_person_view = modes["logged"]
    return samples


def flush_batch(rounds: int = 10) -> float:
    """Milliseconds to write one full batch of views, median of ``rounds``."""
    from django.conf import settings
    from django.test import RequestFactory

    from fangkong.accounts.models import User
    from fangkong.accounts.services import flush_person_views, record_person_view

    request = RequestFactory().get("/people/1/", REMOTE_ADDR="10.1.2.3")
    request.user = User.objects.get(username="grid_a")
    path = request.user.scope_region.path
    times = []
    for _ in range(rounds):
        for pk in range(settings.VIEW_LOG_BATCH):
            record_person_view(request=request, person_id=pk + 1, region_path=path)
        started = time.perf_counter()
        flush_person_views()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def record_call(n: int = 20_000) -> float:
    """Microseconds of one ``record_person_view`` call (the part inside the request)."""
    from django.test import RequestFactory

    from fangkong.accounts.models import User
    from fangkong.accounts.services import forget_person_views, record_person_view

    request = RequestFactory().get("/people/1/", REMOTE_ADDR="10.1.2.3")
    request.user = User.objects.get(username="grid_a")
    started = time.perf_counter()
    for pk in range(n):
        record_person_view(request=request, person_id=pk + 1, region_path="430000/")
    seconds = time.perf_counter() - started
    forget_person_views()
    return seconds / n * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2_000, help="of each kind")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.conf import settings

    seed(args.residents)
    samples = person_pages(args.requests)
    batch_ms = flush_batch()
    call_us = record_call()
    med = {m: statistics.median(s) for m, s in samples.items()}
    mean = {m: statistics.fmean(s) for m, s in samples.items()}
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"## {stamp} — read log — {machine()}, PostgreSQL {pg_version}",
        "",
        f"A grid worker's person page with {args.residents:,} residents, full middleware stack, "
        f"one process, {args.requests:,} requests of each kind interleaved; the logged ones "
        f"include the flushes (a COPY of {settings.VIEW_LOG_BATCH} views after every "
        f"{settings.VIEW_LOG_BATCH}th response):",
        "",
        "| person page | median ms | mean ms |",
        "|---|---:|---:|",
        f"| read log off | {med['unlogged']:.2f} | {mean['unlogged']:.2f} |",
        f"| read log on | {med['logged']:.2f} | {mean['logged']:.2f} |",
        f"| cost per logged view | {med['logged'] - med['unlogged']:+.3f} | "
        f"{mean['logged'] - mean['unlogged']:+.3f} |",
        "",
        f"One flush of {settings.VIEW_LOG_BATCH} views alone: {batch_ms:.1f} ms "
        f"({batch_ms / settings.VIEW_LOG_BATCH * 1000:.0f} µs per view); the call inside the "
        f"request that buffers a view: {call_us:.1f} µs.",
    ]
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
