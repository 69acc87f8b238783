"""The demo city's requisitions: headquarters' list of yesterday (the district hospital, the
street's checkpoints and sampling team, the communities) asks the district warehouse for more
N95 masks and suits than it holds; an allocation round an hour ago served the medical front
line first and shared the rest, so some requisitions are filled and some partly, open for the
next round; and today the ``community`` account has raised two that wait for the ``street``
approver. Written through the services, with the clock at each moment."""

from __future__ import annotations

import datetime as dt
import uuid

from fangkong.accounts.models import User
from fangkong.regions.models import Region
from fangkong.supplies.choices import RequisitionSource, RequisitionStatus, Tier
from fangkong.supplies.models import Item, Requisition, StockPoint
from fangkong.supplies.services import check_confirm, check_raise, point_stock, propose_round
from fangkong.supplies.services.requisitions import unit_key

from .outbreak.clock import clock_at

NAMESPACE = uuid.UUID("3d5b7f19-8a2c-4e6d-9b0f-1c2e3a4b5c6d")
# unit, where (district / street / community), tier, item, share of the point's stock
LIST = [
    ("{district}人民医院 发热门诊", "district", Tier.MEDICAL, "N95口罩", 0.45),
    ("{district}人民医院 隔离病区", "district", Tier.MEDICAL, "医用防护服", 0.5),
    ("{street}核酸采样队", "street", Tier.FRONT_LINE, "医用防护服", 0.4),
    ("{street}高速路口卡口", "street", Tier.FRONT_LINE, "N95口罩", 0.35),
    ("{street}火车站卡口", "street", Tier.FRONT_LINE, "N95口罩", 0.3),
    ("{community}居委会", "community", Tier.COMMUNITY, "N95口罩", 0.25),
    ("{community}居委会", "community", Tier.COMMUNITY, "84消毒液", 0.3),
    ("{community}志愿者服务队", "community", Tier.COMMUNITY, "液化气罐", 0.4),
]


def seed_requisitions(
    *, depot: StockPoint, district: Region, street: Region, now: dt.datetime
) -> int:
    """Headquarters' list and a confirmed round at ``depot``, then two waiting requisitions;
    the number of requisitions made."""
    community = Region.objects.filter(parent=street).order_by("path").first() or street
    where = {"district": district, "street": street, "community": community}
    names = {"district": district.name, "street": street.name, "community": community.name}
    items = {i.name: i for i in Item.objects.filter(name__in={row[3] for row in LIST})}
    stock = point_stock(depot)
    yesterday = now - dt.timedelta(days=1)
    hq = User.objects.filter(username="hq").first()
    rows = []
    for n, (unit, at, tier, name, share) in enumerate(LIST, start=1):
        item = items.get(name)
        if item is None:
            continue
        region, label = where[at], unit.format(**names)
        rows.append(
            Requisition(
                number=f"ZH{yesterday:%Y%m%d}-{n:03d}",
                client_id=uuid.uuid5(NAMESPACE, str(n)),
                unit=label,
                unit_key=unit_key(region.path, label),
                region=region,
                region_path=region.path,
                tier=tier,
                item=item,
                qty=max(1, round(stock.get(item.pk, 10) * share * 1.6)),
                needed_on=now.date() + dt.timedelta(days=1 + n % 3),
                reason="指挥部物资需求汇总",
                status=RequisitionStatus.OPEN,
                source=RequisitionSource.FILE,
                raised_by=hq,
                decided_by=hq,
                decided_at=yesterday,
                approved_at=yesterday,
            )
        )
    with clock_at(yesterday):
        Requisition.objects.bulk_create(rows)
    district_staff = User.objects.filter(username="district").first()
    with clock_at(now - dt.timedelta(hours=1)):
        rnd = propose_round(
            point=depot, user=district_staff, client_id=uuid.uuid5(NAMESPACE, "round")
        )
        check_confirm(round=rnd, user=district_staff)
    made = len(rows)
    requester = User.objects.filter(username="community").first()
    if requester is not None and requester.scope_region is not None:
        with clock_at(now - dt.timedelta(minutes=20)):
            for n, (name, qty, tier) in enumerate(
                (("医用外科口罩", 500, Tier.COMMUNITY), ("医用防护服", 20, Tier.FRONT_LINE))
            ):
                if name in items or Item.objects.filter(name=name).exists():
                    check_raise(
                        user=requester,
                        region=requester.scope_region,
                        unit=f"{requester.scope_region.name}居委会",
                        item=items.get(name) or Item.objects.get(name=name),
                        qty=qty,
                        tier=tier,
                        client_id=uuid.uuid5(NAMESPACE, f"page-{n}"),
                        reason="居家隔离户上门服务" if n == 0 else "协助核酸采样",
                    )
                    made += 1
    return made
