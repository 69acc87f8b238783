"""The demo city's supplies: a catalog, stock points from the city reserve down to the demo
street's communities (the ``warehouse`` account keeps the district point and 红星社区's), and
two weeks of movements ending now — opening stock, donations and purchases, transfers down
the tree, issues to hospitals, checkpoints and households' deliveries, a count with a
difference, a loss; today a transfer on its way to the community and one key item run out at
a community point. Written through the ledger's services with the clock at each moment, in one
transaction; the same seed gives the same ledger. A city that already has stock points is left
as it is.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.regions.choices import Level
from fangkong.regions.models import Region
from fangkong.supplies.choices import Category, MovementKind, Origin, PointKind
from fangkong.supplies.models import Item, StockPoint, Transfer
from fangkong.supplies.services import (
    Lot,
    StockInvalid,
    assign_keeper,
    check_count,
    check_issue,
    check_receive,
    check_receive_transfer,
    check_transfer,
    check_write_off,
    save_item,
    save_point,
    set_substitute,
)

from .demo import demo_plan, ensure_demo_accounts
from .donations import seed_donations, seed_output
from .outbreak.clock import clock_at, local
from .requisitions import seed_requisitions

NAMESPACE = uuid.UUID("7c0d9a3b-2e4f-4a1b-8c6d-5e4f3a2b1c0d")
# name, unit, category, pack, batches, key, daily use at a community point
CATALOG = [
    ("N95口罩", "个", Category.MEDICAL, 50, False, True, 40),
    ("KN95口罩", "个", Category.MEDICAL, 50, False, False, 20),
    ("医用外科口罩", "个", Category.MEDICAL, 50, False, False, 150),
    ("医用防护服", "套", Category.MEDICAL, 10, True, True, 12),
    ("护目镜", "副", Category.MEDICAL, 20, False, False, 3),
    ("核酸采样管", "支", Category.TESTING, 100, True, True, 60),
    ("84消毒液", "瓶", Category.DISINFECTION, 12, False, False, 8),
    ("75%酒精", "瓶", Category.DISINFECTION, 24, True, False, 6),
    ("大米", "袋", Category.DAILY, 1, False, True, 10),
    ("食用油", "桶", Category.DAILY, 4, False, False, 4),
    ("液化气罐", "罐", Category.FUEL, 1, False, True, 5),
]
UNITS = ["社区卫生服务站", "正门卡口", "核酸采样点", "志愿者服务队", "独居老人送货上门"]
SUPPLIERS = ["湖南医疗器械有限公司", "长沙防护用品厂", "市粮油储备公司"]
DONORS = ["爱心企业 湘江集团", "校友会", "长沙市慈善总会"]


@dataclass
class SuppliesResult:
    points: int = 0
    items: int = 0
    movements: int = 0
    in_transit: int = 0

    def summary(self) -> str:
        return (
            f"{self.points} stock points, {self.items} items, {self.movements} movements "
            f"({self.in_transit} in transit)"
        )


class _Ledger:
    def __init__(self, seed: int, keeper: User | None):
        self.rng = random.Random(seed)
        self.keeper = keeper
        self.n = 0
        self.moves = 0

    def cid(self) -> uuid.UUID:
        self.n += 1
        return uuid.uuid5(NAMESPACE, str(self.n))

    def receive(self, point, item, qty, origin, day, expires=None):
        batch = f"{day:%Y%m%d}{self.n % 10}" if item.tracks_batches else ""
        who = self.rng.choice(DONORS if origin == Origin.DONATION else SUPPLIERS)
        check_receive(
            point=point,
            item=item,
            qty=qty,
            client_id=self.cid(),
            origin=origin,
            supplier="" if origin == Origin.ALLOCATED else who,
            funding="疫情防控专项资金" if origin == Origin.PROCUREMENT else "",
            lot=Lot(batch, expires) if item.tracks_batches else Lot(),
            user=self.keeper,
        )
        self.moves += 1

    def send(self, src, dst, item, qty, *, receive: bool = True):
        try:
            done = check_transfer(
                point=src, to_point=dst, item=item, qty=qty, client_id=self.cid(), user=self.keeper
            )
        except StockInvalid:
            return
        self.moves += len(done.movements)
        if receive:
            for t in done.transfers:
                check_receive_transfer(transfer=t, client_id=self.cid(), user=self.keeper)
                self.moves += 1

    def issue(self, point, item, qty):
        try:
            done = check_issue(
                point=point,
                item=item,
                qty=qty,
                client_id=self.cid(),
                recipient=self.rng.choice(UNITS),
                user=self.keeper,
            )
        except StockInvalid:
            return
        self.moves += len(done.movements)


def _points(district: Region, street: Region) -> tuple[StockPoint, StockPoint, list[StockPoint]]:
    city = district.parent
    assert city is not None
    reserve, _ = save_point(
        code="CS-RESERVE",
        name=f"{city.name}应急物资储备库",
        region=city,
        kind=PointKind.CITY_RESERVE,
    )
    depot, _ = save_point(
        code=f"D{district.code}",
        name=f"{district.name}物资仓库",
        region=district,
        kind=PointKind.DISTRICT,
    )
    communities = list(Region.objects.filter(parent=street, level=Level.COMMUNITY).order_by("path"))
    local_points = []
    for c in communities[:4]:
        p, _ = save_point(code=f"C{c.code}", name=f"{c.name}物资点", region=c)
        local_points.append(p)
    save_point(
        code=f"H{district.code}",
        name=f"{district.name}人民医院",
        region=district,
        kind=PointKind.HOSPITAL,
    )
    return reserve, depot, local_points


def seed_supplies(
    *, seed: int = 1, days: int = 14, now: dt.datetime | None = None
) -> SuppliesResult:
    """Two weeks of the demo city's stock, ending at ``now``; nothing when points exist."""
    if StockPoint.objects.exists():
        return SuppliesResult()
    now = timezone.localtime(now or timezone.now())
    start = now.date() - dt.timedelta(days=days - 1)
    plan = {username: region for username, _role, region in demo_plan()}
    district, street = plan["district"], plan["street"]
    with transaction.atomic():
        accounts = {a.username: a for a in ensure_demo_accounts()}
        keeper = User.objects.get(username="warehouse") if "warehouse" in accounts else None
        with clock_at(local(start, 7)):
            items = [
                save_item(name=n, unit=u, category=c, pack_size=p, tracks_batches=b, key=k)
                for n, u, c, p, b, k, _use in CATALOG
            ]
            by_name = {i.name: i for i in items}
            set_substitute(item=by_name["N95口罩"], substitute=by_name["KN95口罩"], per_unit=1)
            reserve, depot, communities = _points(district, street)
            if keeper is not None:
                assign_keeper(point=depot, user=keeper)
                assign_keeper(point=communities[0], user=keeper)
        ledger = _Ledger(seed, keeper)
        use = {n: u for n, *_rest, u in CATALOG}
        seed_donations(reserve=reserve, community=communities[0], start=start, keeper=keeper)
        _replay(ledger, items, use, reserve, depot, communities, start, days, now)
        with clock_at(now - dt.timedelta(minutes=30)):
            # on its way to 红星社区 now; and one community point out of gas canisters
            ledger.send(depot, communities[0], by_name["N95口罩"], 400, receive=False)
            if len(communities) > 1:
                gas = by_name["液化气罐"]
                left = sum(b.qty for b in communities[1].balances.filter(item=gas))
                if left:
                    ledger.issue(communities[1], gas, left)
        seed_output(reserve=reserve, depot=depot, today=now.date())
        seed_requisitions(depot=depot, district=district, street=street, now=now)
    return SuppliesResult(
        points=StockPoint.objects.count(),
        items=Item.objects.count(),
        movements=ledger.moves,
        in_transit=Transfer.objects.filter(status="in_transit").count(),
    )


def _replay(ledger, items, use, reserve, depot, communities, start, days, now) -> None:
    for d in range(days):
        day = start + dt.timedelta(days=d)
        _receipts(ledger, items, use, reserve, depot, day, d)
        _day(ledger, items, use, reserve, depot, communities, day)
        if d == days // 2:
            with clock_at(local(day, 17)):
                _count_and_loss(ledger, items, depot, communities[0])


def _receipts(ledger, items, use, reserve, depot, day, d) -> None:
    rng = ledger.rng
    with clock_at(local(day, 8, rng.randrange(60))):
        if d == 0:
            for item in items:
                expires = day + dt.timedelta(days=rng.choice([40, 200, 400]))
                ledger.receive(reserve, item, use[item.name] * 400, Origin.ALLOCATED, day, expires)
                ledger.receive(depot, item, use[item.name] * 60, Origin.ALLOCATED, day, expires)
        elif d % 3 == 0:
            item = rng.choice(items)
            origin = rng.choice([Origin.PROCUREMENT, Origin.DONATION])
            expires = day + dt.timedelta(days=300)
            ledger.receive(reserve, item, use[item.name] * 100, origin, day, expires)


def _day(ledger, items, use, reserve, depot, communities, day) -> None:
    """Down the tree in the morning, out to the units twice a day."""
    rng = ledger.rng
    with clock_at(local(day, 9, rng.randrange(60))):
        for item in rng.sample(items, 3):
            ledger.send(reserve, depot, item, use[item.name] * rng.randint(8, 15))
    with clock_at(local(day, 10, rng.randrange(60))):
        for point in communities:
            for item in rng.sample(items, 4):
                ledger.send(depot, point, item, use[item.name] * rng.randint(2, 4))
    for hour in (11, 15):
        with clock_at(local(day, hour, rng.randrange(60))):
            for point in communities:
                for item in rng.sample(items, 3):
                    ledger.issue(point, item, max(1, use[item.name] * rng.randint(5, 12) // 10))


def _count_and_loss(ledger, items, depot, community) -> None:
    item = items[0]
    held = sum(b.qty for b in community.balances.filter(item=item))
    if held > 5:
        check_count(
            point=community,
            item=item,
            counted=held - 3,
            client_id=ledger.cid(),
            reason="盘点发现破损3个",
            user=ledger.keeper,
        )
        ledger.moves += 1
    try:
        check_write_off(
            point=depot,
            item=items[6],
            qty=2,
            client_id=ledger.cid(),
            kind=MovementKind.LOSS,
            reason="运输途中破损",
            user=ledger.keeper,
        )
        ledger.moves += 1
    except StockInvalid:
        pass
