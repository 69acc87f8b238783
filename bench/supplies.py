"""Stock balances: `python -m bench.supplies` (PostgreSQL from DATABASE_URL; the database is
re-created; needs wrk, which `make bench` installs).

A city's stock points (default 100: five districts of 20) and items (default 100), with a
ledger of movements (default 500,000: a receipt of each item at each point, then issues spread
over the last four weeks) written by COPY, and the balance rows they sum to. Measured (median
of 20 calls): one district's balance of every item from the ``Balance`` rows
(``selectors.region_balances``) against the same figures summed from the movements; the
district's days of cover (``selectors.region_cover``, the day's demand already fitted, as
``fangkong supplies forecast`` leaves it each morning); 200 issues one after another through
the service (``check_issue``, first expiring first out); then issues from phones over HTTP
(``POST /api/v1/supplies/points/{code}/issues``, bearer token, `fangkong serve --workers 2
--threads 2`): 100 keepers at once, each at their own point on their own connection, starting
at a random moment and issuing every 2 s or every 0.5 s ±50 %. The issue's goal (10,000,000
movements, 500 points, 200 items: a district's balances and cover under 100 ms, an issue under
50 ms p99 at 100 clients) is for a run with ``--movements 10000000 --points 500 --items 200``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid

from bench.__main__ import fresh_postgres, machine, paced_clients, publish

CLIENTS = 100
PORT = 8742  # not bench.health's nor bench.sampling's


def _city(points: int, items: int):
    from fangkong.regions.services import create_region
    from fangkong.supplies.models import Item, StockPoint

    province = create_region(code="430000", name="湖南省", level="province")
    city = create_region(code="430100", name="长沙市", level="city", parent=province)
    districts = [
        create_region(code=f"4301{i:02d}", name=f"第{i}区", level="district", parent=city)
        for i in range(2, 7)
    ]
    StockPoint.objects.bulk_create(
        StockPoint(
            code=f"P{n:04d}",
            name=f"物资点{n}",
            region=districts[n % len(districts)],
            region_path=districts[n % len(districts)].path,
        )
        for n in range(points)
    )
    Item.objects.bulk_create(Item(name=f"物资{n:03d}", unit="个") for n in range(items))
    return districts, list(StockPoint.objects.all()), list(Item.objects.all())


def _ledger(points, items, movements: int) -> float:
    """Receipts (40 days ago) then issues (spread over the 28 days before today, as days of
    cover read them), by COPY; the balances as their sums. Seconds taken."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from fangkong.common.db import BulkWriter
    from fangkong.supplies.models import Movement, lot_key

    rng = random.Random(1)
    started = time.perf_counter()
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    received = now - dt.timedelta(days=40)
    issued_at = [midnight - dt.timedelta(days=d + 1) + dt.timedelta(hours=10) for d in range(28)]
    writer = BulkWriter(
        Movement,
        ["client_id", "line", "kind", "point", "item", "lot", "batch", "region_path", "qty", "at"]
        + ["origin", "supplier", "funding", "recipient", "reason", "reference", "recorded_at"],
    )
    lot = lot_key("", None)
    pairs = [(p, i) for p in points for i in items]  # a receipt of each item at each point first
    for n in range(max(movements, len(pairs))):
        receipt = n < len(pairs)
        p, i = pairs[n] if receipt else (rng.choice(points), rng.choice(items))
        writer.rows.append(
            (
                uuid.uuid4(),
                0,
                "receipt" if receipt else "issue",
                p.pk,
                i.pk,
                lot,
                "",
                p.region_path,
                1_000_000 if receipt else -1,
                received if receipt else issued_at[n % 28],
                "allocated" if receipt else "",
                "",
                "",
                "" if receipt else "医院",
                "",
                "",
                now,
            )
        )
        if len(writer.rows) >= 50_000:
            writer.flush()
    writer.flush()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO supplies_balance (point_id, item_id, lot, batch, region_path, qty, "
            "updated_at) SELECT point_id, item_id, lot, '', region_path, GREATEST(SUM(qty), 0), "
            "now() FROM supplies_movement GROUP BY point_id, item_id, lot, region_path"
        )
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def _keepers(points) -> list[tuple[str, str]]:
    """A warehouse keeper with an API token at each of the first CLIENTS points: (code, token)."""
    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User
    from fangkong.accounts.services import issue_token
    from fangkong.supplies.models import Keeper

    out = []
    for point in points[:CLIENTS]:
        user = User.objects.create(
            username=f"keeper-{point.code}", role=Role.WAREHOUSE, scope_region=point.region
        )
        Keeper.objects.create(user=user, point=point)
        out.append((point.code, issue_token(user=user, name="bench")))
    return out


def _phones(keepers, items, seconds: float, pause: float) -> dict:
    """Each keeper a phone at their own point: an issue of one unit of a random item every
    ``pause`` s ±50 % (``paced_clients``)."""
    names = [i.name for i in items]

    def issue(i: int, _k: int, rng) -> tuple:
        code, token = keepers[i]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        body = {"item": rng.choice(names), "qty": 1, "client_id": str(uuid.uuid4())}
        body["recipient"] = "医院"
        return "POST", f"/api/v1/supplies/points/{code}/issues", json.dumps(body), headers

    found = paced_clients(len(keepers), PORT, seconds, pause, issue)
    if found["errors"]:
        raise RuntimeError(f"{found['errors']} issues failed")
    return found


def _over_http(points, items, seconds: float) -> dict[float, dict]:
    from bench.health import _server

    keepers = _keepers(points)
    env = dict(
        os.environ,
        FANGKONG_CACHE_URL=os.environ.get("FANGKONG_CACHE_URL", "redis://127.0.0.1:6379/6"),
    )
    server = _server(env, PORT)
    try:
        _phones(keepers, items, 3, 0.5)  # warm up
        return {pause: _phones(keepers, items, seconds, pause) for pause in (2.0, 0.5)}
    finally:
        server.terminate()
        server.wait()


def _median_ms(fn, n: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1 if len(times) > 1 else 0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--movements", type=int, default=500_000)
    parser.add_argument("--seconds", type=float, default=20, help="of each HTTP run")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.core.cache import cache
    from django.db.models import Sum

    from fangkong.accounts.scope import Cap
    from fangkong.common.scope import Scope
    from fangkong.supplies.models import Movement
    from fangkong.supplies.selectors import region_balances, region_cover
    from fangkong.supplies.services import check_issue

    districts, points, items = _city(args.points, args.items)
    seconds = _ledger(points, items, args.movements)
    everywhere = Scope(user_id=None, role="", path="", caps=frozenset())
    staff = Scope(user_id=None, role="", path="", caps=frozenset({Cap.STOCK_VIEW}))
    district = districts[0]
    cache.clear()
    t = time.perf_counter()
    region_cover(staff, district)  # the morning's fit of the day's demand
    fitted = time.perf_counter() - t
    cover = _median_ms(lambda: region_cover(staff, district))

    def from_movements():
        rows = (
            Movement.objects.filter(region_path__startswith=district.path)
            .values("item__name")
            .annotate(n=Sum("qty"))
            .order_by("item__name")
        )
        return {r["item__name"]: r["n"] for r in rows}

    kept = _median_ms(lambda: region_balances(everywhere, district.path))
    summed = _median_ms(from_movements)
    rng = random.Random(2)

    def issue():
        check_issue(
            point=rng.choice(points),
            item=rng.choice(items),
            qty=1,
            client_id=uuid.uuid4(),
            recipient="医院",
        )

    issued = _median_ms(issue, 200)
    phones = _over_http(points, items, args.seconds)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Supplies {stamp} — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{args.movements:,} movements at {args.points} stock points of {args.items} items "
            f"(COPY, and the balances summed from them, in {seconds:.1f} s); one district "
            f"({len(points) // len(districts)} points):",
            "",
            "| read | median ms | p99 ms |",
            "|---|---:|---:|",
            f"| district balances from the Balance rows | {kept[0]:.1f} | {kept[1]:.1f} |",
            f"| district balances summed from the movements | {summed[0]:.1f} | {summed[1]:.1f} |",
            f"| district days of cover (demand fitted in {fitted:.1f} s before) | {cover[0]:.1f} "
            f"| {cover[1]:.1f} |",
            f"| one issue (check_issue, first expiring first out; 200 in a row) | {issued[0]:.1f} "
            f"| {issued[1]:.1f} |",
            "",
            f"Issues from {CLIENTS} phones at once over HTTP, {args.seconds:.0f} s each (goal: "
            "under 50 ms p99):",
            "",
            "| each phone issuing | issues/s | p50 ms | p99 ms | issues |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| every {pause:g} s ±50 % | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
                f"| {r['requests']:,} |"
                for pause, r in phones.items()
            ),
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
