"""Rows for donations: a donation (JZ000001) received at 红星社区's point HX01, kept by
``warehouse``. Staff from the community up read the donations of their region and their trace;
the keeper reads those of the points they keep and records new ones there; nobody else reaches
them (the public page, with no person named, is exempt: tests/supplies/test_donations.py)."""

from __future__ import annotations

import uuid

from django.urls import reverse

from .common import E, Endpoint
from .supplies import _stock, keepers, readers, readers_list


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
}
