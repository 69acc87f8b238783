"""The demo city's donations and enterprises' output reports (part of ``seed_supplies``).

Donations arrive at the city reserve on the first morning, each line a lot of its own that
expires before the reserve's opening stock, so the two weeks' transfers and issues (first
expiring first out) carry them down the tree to the units; a person's gift of gas canisters
reaches 红星社区's point on the third day and goes to households there. Three makers report
their output each day, part of it promised to the district depot or the reserve in the days to
come: the expected receipts of the cover pages.
"""

from __future__ import annotations

import datetime as dt
import uuid

from fangkong.accounts.models import User
from fangkong.regions.models import Household
from fangkong.supplies.choices import DonorKind
from fangkong.supplies.models import Item, StockPoint
from fangkong.supplies.services import (
    DonorIn,
    LineIn,
    StockInvalid,
    check_issue,
    check_receive_donation,
    check_report_output,
)

from .outbreak.clock import clock_at, local

NAMESPACE = uuid.UUID("3f1e2d4c-5b6a-4789-9a0b-1c2d3e4f5a6b")
GIFTS = [
    (DonorKind.ORGANISATION, "湘江集团有限公司", "", [("N95口罩", 3000), ("医用防护服", 400)]),
    (DonorKind.ORGANISATION, "长沙市慈善总会", "", [("大米", 300), ("食用油", 120)]),
    (DonorKind.ORGANISATION, "湖南大学长沙校友会", "", [("医用外科口罩", 8000), ("84消毒液", 200)]),
    (DonorKind.PERSON, "陈建国", "13973100001", [("核酸采样管", 2000), ("护目镜", 60)]),
]  # fmt: skip
OUTPUT = [  # enterprise, item, made a day, delivered share, to (reserve/depot), days later
    ("长沙防护用品厂", "N95口罩", 6000, 0.3, "depot", 2),
    ("湘江医疗器械有限公司", "医用防护服", 800, 0.25, "depot", 3),
    ("市粮油储备公司", "大米", 500, 0.4, "reserve", 1),
]


def _cid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(map(str, parts)))


def seed_donations(
    *, reserve: StockPoint, community: StockPoint, start: dt.date, keeper: User | None
) -> int:
    """The first morning's donations at the reserve and a gift of gas canisters to 红星社区's
    point; the donations recorded."""
    items = {i.name: i for i in Item.objects.all()}
    n = 0
    with clock_at(local(start, 7, 40)):
        for kind, name, phone, lines in GIFTS:
            check_receive_donation(
                point=reserve,
                donor=DonorIn(kind, name, phone=phone),
                lines=[
                    LineIn(items[item], qty, expires_on=start + dt.timedelta(days=30))
                    for item, qty in lines
                    if item in items
                ],
                client_id=_cid("gift", name),
                note="首批捐赠物资",
            )
            n += 1
    day = start + dt.timedelta(days=2)
    gas = items.get("液化气罐")
    if gas is None:
        return n
    with clock_at(local(day, 16)):
        check_receive_donation(
            point=community,
            donor=DonorIn(DonorKind.PERSON, "李秀英", phone="13973100002", named_in_public=True),
            lines=[LineIn(gas, 30, expires_on=start + dt.timedelta(days=20))],
            client_id=_cid("gift", "gas"),
            note="捐给社区独居老人",
            user=keeper,
        )
        n += 1
    homes = Household.objects.filter(region_path__startswith=community.region_path).order_by("id")
    for h, home in enumerate(homes[:8]):
        with clock_at(local(day + dt.timedelta(days=1), 9, h)):
            try:
                check_issue(
                    point=community,
                    item=gas,
                    qty=2,
                    client_id=_cid("gas", home.pk),
                    household=home,
                    reference="志愿者送气上门",
                    user=keeper,
                )
            except StockInvalid:
                break
    return n


def seed_output(*, reserve: StockPoint, depot: StockPoint, today: dt.date, days: int = 5) -> int:
    """Each maker's output on the last ``days`` days, part of it promised in the days to come."""
    items = {i.name: i for i in Item.objects.all()}
    n = 0
    for enterprise, item, made, share, to, later in OUTPUT:
        if item not in items:
            continue
        for back in range(days, -1, -1):
            made_on = today - dt.timedelta(days=back)
            check_report_output(
                point=depot if to == "depot" else reserve,
                enterprise=enterprise,
                item=items[item],
                made_on=made_on,
                made=made + 100 * back,
                deliver_qty=int(made * share),
                deliver_on=made_on + dt.timedelta(days=later),
            )
            n += 1
    return n
