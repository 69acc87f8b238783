"""An allocation round end to end: `python -m bench.allocation` (PostgreSQL from DATABASE_URL;
the database is re-created).

A city reserve holding 50 items (each in two lots, a few with a substitute) short of what
5,000 open approved requisitions (default) of units across five districts ask for, in three
tiers. Measured (median of 3 rounds): the round proposed (``propose_round``: load the
balances and requisitions, solve with the solvers' allocation model, store the proposal with
each line's explanation), the round shown (the approver's round page, every line with its
quantity field and explanation, as the phone asks for it; and the command line's summary),
then once the round confirmed (every line an issue movement, first expiring first out, and the
requisitions filled). The issue's goal: load, solve and show in under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import uuid

from bench.__main__ import fresh_postgres, machine, publish


def _city(requisitions: int, items: int):
    from django.utils import timezone

    from fangkong.accounts.choices import Role
    from fangkong.accounts.services import create_user
    from fangkong.regions.services import create_region
    from fangkong.supplies.choices import Origin, RequisitionSource, RequisitionStatus
    from fangkong.supplies.models import Item, Requisition
    from fangkong.supplies.services import Lot, check_receive, save_point, set_substitute
    from fangkong.supplies.services.requisitions import unit_key

    province = create_region(code="430000", name="湖南省", level="province")
    city = create_region(code="430100", name="长沙市", level="city", parent=province)
    districts = [
        create_region(code=f"4301{i:02d}", name=f"第{i}区", level="district", parent=city)
        for i in range(2, 7)
    ]
    hq = create_user(
        username="hq", password="bench-only", role=Role.HEADQUARTERS, scope_region=city
    )
    reserve, _ = save_point(code="CS-RESERVE", name="市应急物资储备库", region=city)
    Item.objects.bulk_create(Item(name=f"物资{n:03d}", unit="个") for n in range(items))
    catalog = list(Item.objects.order_by("name"))
    rng = random.Random(1)
    asked = {i.pk: 0 for i in catalog}
    rows = []
    now = timezone.now()
    for n in range(requisitions):
        item = rng.choice(catalog)
        district = districts[n % len(districts)]
        unit = f"{district.name}单位{n % 400:03d}"
        qty = rng.randint(10, 500)
        asked[item.pk] += qty
        rows.append(
            Requisition(
                number=f"B{n:06d}",
                client_id=uuid.uuid4(),
                unit=unit,
                unit_key=unit_key(district.path, unit),
                region=district,
                region_path=district.path,
                tier=rng.choice((1, 2, 2, 3, 3, 3)),
                item=item,
                qty=qty,
                status=RequisitionStatus.OPEN,
                source=RequisitionSource.FILE,
                decided_at=now,
                approved_at=now,
            )
        )
    Requisition.objects.bulk_create(rows, batch_size=1000)
    soon = timezone.localdate() + dt.timedelta(days=30)
    for item in catalog:  # about 60 % of what is asked for, in two lots
        held = max(2, int(asked[item.pk] * rng.uniform(0.4, 0.8)))
        for lot, qty in ((Lot("A", soon), held // 2), (Lot(), held - held // 2)):
            check_receive(
                point=reserve,
                item=item,
                qty=qty,
                client_id=uuid.uuid4(),
                origin=Origin.ALLOCATED,
                lot=lot,
            )
    for a, b in zip(catalog[0:10:2], catalog[1:10:2], strict=True):
        set_substitute(item=a, substitute=b, per_unit=1)
    return hq, reserve


def _median(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requisitions", type=int, default=5000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.test import Client
    from django.urls import reverse

    from fangkong.common.scope import Scope
    from fangkong.supplies.selectors import round_summary
    from fangkong.supplies.services import check_confirm, propose_round
    from fangkong.supplies.views.requisitions import ROUND_PAGE

    hq, reserve = _city(args.requisitions, args.items)
    everywhere = Scope(user_id=None, role="", path="", caps=frozenset())
    client = Client(HTTP_HOST="127.0.0.1")  # a host the default ALLOWED_HOSTS accepts
    client.force_login(hq)
    proposed, shown, summed, total = [], [], [], []
    size = 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        rnd = propose_round(point=reserve, user=hq)
        t1 = time.perf_counter()
        page = client.get(reverse("supplies:round", args=[rnd.pk]))
        assert page.status_code == 200, page.status_code
        size = len(page.content)
        t2 = time.perf_counter()
        summary = round_summary(everywhere, rnd)
        t3 = time.perf_counter()
        proposed.append(t1 - t0)
        shown.append(t2 - t1)
        summed.append(t3 - t2)
        total.append(t2 - t0)
    lines = rnd.lines.count()
    t0 = time.perf_counter()
    done = check_confirm(round=rnd, user=hq)
    confirmed = time.perf_counter() - t0
    filled = sum(r["filled"] for r in summary["requests"])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Allocation round {stamp} — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{args.requisitions:,} open approved requisitions of {args.items} items in three "
            f"tiers at the city reserve ({lines:,} lines, {filled:,.0f} units given); median of "
            f"{args.rounds} rounds:",
            "",
            "| step | ms |",
            "|---|---:|",
            f"| propose: load balances and requisitions, solve, store with explanations | "
            f"{_median(proposed):.0f} |",
            f"| show: the approver's round page (its first {ROUND_PAGE} lines, {size / 1e3:.0f} kB)"
            " | "
            f"{_median(shown):.0f} |",
            f"| **load, solve and show** (goal: under 5,000) | **{_median(total):.0f}** |",
            f"| the command line's summary (`supplies allocate` JSON) | {_median(summed):.0f} |",
            f"| confirm once: {done.movements:,} issue movements (first expiring first out), "
            f"requisitions filled | {confirmed * 1000:.0f} |",
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
