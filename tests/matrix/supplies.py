"""Rows for supplies: a point of 红星社区 (HX01) kept by ``warehouse`` holds N95 masks; a
transfer from 芷园社区's point is on its way to it. Staff from the community up read every point
of their region; the keeper reads and writes only the points they keep; nobody else reaches
stock (docs/scope.md, "Stock points")."""

from __future__ import annotations

import uuid

from django.urls import reverse

from .common import E, Endpoint

STOCK_VIEWERS = {"hq", "district", "street", "community"}
KEEPERS = {"warehouse"}


def readers(persona: str):
    return 200 if persona in STOCK_VIEWERS | KEEPERS else 403


def readers_list(persona: str):
    return "shown" if persona in STOCK_VIEWERS | KEEPERS else 403


def keepers(persona: str, ok: int = 200):
    return ok if persona in KEEPERS else 403


def keepers_then(ok: int):
    return lambda persona: keepers(persona, ok)


def _stock(tree):
    from fangkong.accounts.models import User
    from fangkong.supplies.choices import Origin
    from fangkong.supplies.services import (
        assign_keeper,
        check_receive,
        check_transfer,
        save_item,
        save_point,
    )

    n95 = save_item(name="N95口罩", unit="个")
    point, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    other, _ = save_point(code="ZY01", name="芷园社区物资点", region=tree.community_b)
    assign_keeper(point=point, user=User.objects.get(username="warehouse"))
    for p in (point, other):
        check_receive(point=p, item=n95, qty=100, client_id=uuid.uuid4(), origin=Origin.ALLOCATED)
    check_transfer(point=other, to_point=point, item=n95, qty=10, client_id=uuid.uuid4())


def _item_id(t):
    from fangkong.supplies.models import Item

    return Item.objects.get(name="N95口罩").pk


def _transfer_id(t):
    from fangkong.supplies.models import Transfer

    return Transfer.objects.get().pk


def _receipt_id(t):
    from fangkong.supplies.models import Movement

    return Movement.objects.get(point__code="HX01", kind="receipt").pk


def _page(name):
    return lambda t: reverse(f"supplies:{name}", args=["HX01"])


def _lot(**more):
    return lambda t: {"client_id": str(uuid.uuid4()), "item": "N95口罩", **more}


ROWS: dict[str, Endpoint] = {
    "supplies:home": E(
        lambda t: reverse("supplies:home"),
        readers_list,
        shown=lambda t: "红星社区物资点",
        setup=_stock,
    ),
    "supplies:point": E(_page("point"), readers, setup=_stock),
    "supplies:card": E(
        lambda t: reverse("supplies:card", args=["HX01", _item_id(t)]), readers, setup=_stock
    ),
    "supplies:receive": E(_page("receive"), keepers, setup=_stock),
    "supplies:issue": E(_page("issue"), keepers, setup=_stock),
    "supplies:issue?post": E(
        _page("issue"),
        keepers_then(302),
        method="post",
        form=True,
        body=lambda t: {
            "client_id": str(uuid.uuid4()),
            "item": _item_id(t),
            "qty": "5",
            "recipient": "芙蓉区人民医院",
        },
        setup=_stock,
    ),
    "supplies:count": E(_page("count"), keepers, setup=_stock),
    "supplies:transfer": E(_page("transfer"), keepers, setup=_stock),
    "supplies:write_off": E(_page("write_off"), keepers, setup=_stock),
    "supplies:take_in": E(
        lambda t: reverse("supplies:take_in", args=[_transfer_id(t)]),
        keepers_then(302),
        method="post",
        form=True,
        body=lambda t: {"client_id": str(uuid.uuid4())},
        setup=_stock,
    ),
    "supplies:reverse": E(
        lambda t: reverse("supplies:reverse", args=[_receipt_id(t)]),
        keepers_then(302),
        method="post",
        form=True,
        body=lambda t: {"client_id": str(uuid.uuid4()), "reason": "录错"},
        setup=_stock,
    ),
    "api:list_points": E(
        lambda t: reverse("api:list_points"),
        readers_list,
        shown=lambda t: "红星社区物资点",
        setup=_stock,
    ),
    "api:point_balances": E(
        lambda t: reverse("api:point_balances", args=["HX01"]), readers, setup=_stock
    ),
    "api:post_receipt": E(
        lambda t: reverse("api:post_receipt", args=["HX01"]),
        keepers,
        method="post",
        body=_lot(qty=10, origin="donation", supplier="爱心企业"),
        setup=_stock,
    ),
    "api:post_issue": E(
        lambda t: reverse("api:post_issue", args=["HX01"]),
        keepers,
        method="post",
        body=_lot(qty=10, recipient="芙蓉区人民医院"),
        setup=_stock,
    ),
    "api:post_count": E(
        lambda t: reverse("api:post_count", args=["HX01"]),
        keepers,
        method="post",
        body=_lot(counted=98, reason="破损"),
        setup=_stock,
    ),
    "api:post_transfer": E(
        lambda t: reverse("api:post_transfer", args=["HX01"]),
        keepers,
        method="post",
        body=_lot(qty=10, to="ZY01"),
        setup=_stock,
    ),
    "api:post_write_off": E(
        lambda t: reverse("api:post_write_off", args=["HX01"]),
        keepers,
        method="post",
        body=_lot(qty=1, kind="loss", reason="受潮"),
        setup=_stock,
    ),
    "api:post_take_in": E(
        lambda t: reverse("api:post_take_in", args=[_transfer_id(t)]),
        keepers,
        method="post",
        body=lambda t: {"client_id": str(uuid.uuid4())},
        setup=_stock,
    ),
    "api:post_reverse": E(
        lambda t: reverse("api:post_reverse", args=[_receipt_id(t)]),
        keepers,
        method="post",
        body=lambda t: {"client_id": str(uuid.uuid4()), "reason": "录错"},
        setup=_stock,
    ),
}
