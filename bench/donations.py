"""Days of cover and the public donations page: `python -m bench.donations` (PostgreSQL from
DATABASE_URL; the database is re-created).

A city's stock points (default 100: five districts of 20) and items (default 100) with a ledger
(default 200,000 movements by COPY: a receipt of each item at each point, then issues spread
over the last four weeks), as bench/supplies.py builds it; then donations (default 2,000 of two
lines each, through ``check_receive_donation``), a quarter of them issued on to a unit.
Measured: one district's days of cover for every item (``selectors.region_cover``) — the first
call of the day, which fits the demand forecast (Holt's damped trend per item used, statsmodels),
and later calls (median of 20), which run the forecast against the live stock with that demand;
and the public page (``/supplies/public/donations/``, no login) rendered through Django's test
client, its first page and its 50th (median of 20). The issue's goal (a district's balances
and days of cover under 100 ms with 10,000,000 movements, 500 points, 200 items) is for a run
with ``--movements 10000000 --points 500 --items 200`` on an idle machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid

from bench.__main__ import fresh_postgres, machine, publish
from bench.supplies import _city, _ledger, _median_ms


def _donations(points, items, n: int) -> float:
    from fangkong.supplies.choices import DonorKind
    from fangkong.supplies.services import DonorIn, LineIn, check_issue, check_receive_donation

    rng = random.Random(3)
    started = time.perf_counter()
    for k in range(n):
        point = rng.choice(points)
        lines = [LineIn(item, rng.randint(10, 500)) for item in rng.sample(items, 2)]
        check_receive_donation(
            point=point,
            donor=DonorIn(DonorKind.ORGANISATION, f"爱心企业{k % 300}"),
            lines=lines,
            client_id=uuid.uuid4(),
        )
        if k % 4 == 0:
            check_issue(
                point=point,
                item=lines[0].item,
                qty=lines[0].qty,
                client_id=uuid.uuid4(),
                recipient=f"第{k % 40}人民医院",
            )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--movements", type=int, default=200_000)
    parser.add_argument("--donations", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fangkong.accounts.scope import Cap
    from fangkong.common.scope import Scope
    from fangkong.supplies.selectors import region_cover

    setup_test_environment()
    districts, points, items = _city(args.points, args.items)
    seconds = _ledger(points, items, args.movements)
    gift_seconds = _donations(points, items, args.donations)
    staff = Scope(user_id=None, role="", path="", caps=frozenset({Cap.STOCK_VIEW}))
    district = districts[0]
    cache.clear()
    t = time.perf_counter()
    found = region_cover(staff, district)
    cold = (time.perf_counter() - t) * 1000
    warm = _median_ms(lambda: region_cover(staff, district))
    client = Client()

    def page(n):
        response = client.get(f"/supplies/public/donations/?page={n}")
        assert response.status_code == 200

    first = _median_ms(lambda: page(1))
    deep = _median_ms(lambda: page(50))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Days of cover and donations {stamp} — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{args.movements:,} movements at {args.points} stock points of {args.items} items "
            f"(COPY in {seconds:.1f} s; issues over the last 28 days); {args.donations:,} "
            f"donations of two lines through the service, a quarter issued on ({gift_seconds:.1f}"
            f" s); one district ({len(points) // len(districts)} points, {len(found)} items):",
            "",
            "| read | median ms | p99 ms |",
            "|---|---:|---:|",
            f"| district days of cover, first of the day (demand fitted) | {cold:.0f} | — |",
            f"| district days of cover, later (cached demand, live stock) | {warm[0]:.1f} "
            f"| {warm[1]:.1f} |",
            f"| public donations page 1 (20 donations traced, rendered) | {first[0]:.1f} "
            f"| {first[1]:.1f} |",
            f"| public donations page 50 | {deep[0]:.1f} | {deep[1]:.1f} |",
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
