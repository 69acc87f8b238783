"""Rows for donations, days of cover and output reports: a donation (JZ000001) received at
红星社区's point HX01, kept by ``warehouse``. Staff from the community up read the donations,
cover and output reports of their region; the keeper reads those of the points they keep and
records donations and output reports there; nobody else reaches them. Days of cover for a
region is for staff (a keeper reads a point's on its page). The public donations page, with no
person named, is exempt (tests/supplies/test_donations.py)."""

from __future__ import annotations

import uuid

from django.urls import reverse

from .common import E, Endpoint
from .supplies import STOCK_VIEWERS, _item_id, _stock, keepers, keepers_then, readers, readers_list


def _donated(tree):
    from fangkong.supplies.choices import DonorKind
    from fangkong.supplies.models import Item, StockPoint
    from fangkong.supplies.services import DonorIn, LineIn, check_receive_donation

    _stock(tree)
    check_receive_donation(
        point=StockPoint.objects.get(code="HX01"),
        donor=DonorIn(DonorKind.ORGANISATION, "长沙爱心医疗器械有限公司"),
        lines=[LineIn(Item.objects.get(name="N95口罩"), 50)],
        client_id=uuid.uuid4(),
    )


def _reported(tree):
    import datetime as dt

    from fangkong.supplies.models import Item, StockPoint
    from fangkong.supplies.services import check_report_output

    _stock(tree)
    check_report_output(
        point=StockPoint.objects.get(code="HX01"),
        enterprise="长沙防护用品厂",
        item=Item.objects.get(name="N95口罩"),
        made_on=dt.date.today(),
        made=100,
        deliver_qty=50,
        deliver_on=dt.date.today(),
    )


def staff(persona: str):
    return 200 if persona in STOCK_VIEWERS else 403


def _number(t):
    from fangkong.supplies.models import Donation

    return Donation.objects.get().number


def _body(t):
    return {
        "client_id": str(uuid.uuid4()),
        "donor_kind": "organisation",
        "donor_name": "爱心企业",
        "lines": [{"item": "N95口罩", "qty": 10}],
    }


ROWS: dict[str, Endpoint] = {
    "supplies:donations": E(
        lambda t: reverse("supplies:donations"),
        readers_list,
        shown=lambda t: "长沙爱心医疗器械有限公司",
        setup=_donated,
    ),
    "supplies:donation": E(
        lambda t: reverse("supplies:donation", args=[_number(t)]), readers, setup=_donated
    ),
    "supplies:donate": E(
        lambda t: reverse("supplies:donate", args=["HX01"]), keepers, setup=_donated
    ),
    "api:list_donations": E(
        lambda t: reverse("api:list_donations"),
        readers_list,
        shown=lambda t: "长沙爱心医疗器械有限公司",
        setup=_donated,
    ),
    "api:post_donation": E(
        lambda t: reverse("api:post_donation", args=["HX01"]),
        keepers,
        method="post",
        body=_body,
        setup=_donated,
    ),
    "supplies:cover": E(lambda t: reverse("supplies:cover"), staff, setup=_stock),
    "supplies:output": E(
        lambda t: reverse("supplies:output"),
        readers_list,
        shown=lambda t: "长沙防护用品厂",
        setup=_reported,
    ),
    "supplies:output?post": E(
        lambda t: reverse("supplies:output"),
        keepers_then(302),
        method="post",
        form=True,
        body=lambda t: {
            "enterprise": "长沙防护用品厂",
            "item": _item_id(t),
            "made_on": "2026-01-01",
            "made": "10",
            "point": "HX01",
            "deliver_qty": "5",
            "deliver_on": "2026-01-02",
        },
        setup=_stock,
    ),
    "supplies:daily": E(lambda t: reverse("supplies:daily"), staff, setup=_donated),
    "supplies:daily_xlsx": E(lambda t: reverse("supplies:daily_xlsx"), staff, setup=_donated),
}
