"""Rows for requisitions and allocation rounds: ``community`` raised a requisition for
红星社区居委会 (waiting for approval); ``hospital`` one for 芙蓉区人民医院 (approved); HX01,
the point of 红星社区 kept by ``warehouse``, holds N95 masks and has a proposed round.
Approvers (street staff and above) read and decide every requisition of their region and run
rounds at its points; a requester reads only their own unit's; nobody else reaches
requisitions (docs/scope.md, "Requisitions")."""

from __future__ import annotations

import uuid

from django.urls import reverse

from .common import E, Endpoint

APPROVERS = {"hq", "district", "street"}
REQUESTERS = {"community", "hospital", "warehouse"}
# the subject: the requisition ``community`` raised; its unit's requisitions are theirs alone
OWNERS = APPROVERS | {"community"}


def raisers(persona: str, ok: int = 200):
    return ok if persona in APPROVERS | REQUESTERS else 403


def subject_list(persona: str):
    if persona in OWNERS:
        return "shown"
    return "hidden" if persona in REQUESTERS else 403


def subject(persona: str, ok: int = 200):
    if persona in OWNERS:
        return ok
    return 404 if persona in REQUESTERS else 403


def approvers(persona: str, ok: int = 200):
    return ok if persona in APPROVERS else 403


def _setup(tree):
    from fangkong.accounts.models import User
    from fangkong.supplies.choices import Origin
    from fangkong.supplies.services import (
        assign_keeper,
        check_decide,
        check_raise,
        check_receive,
        propose_round,
        save_item,
        save_point,
    )

    n95 = save_item(name="N95口罩", unit="个")
    point, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    assign_keeper(point=point, user=User.objects.get(username="warehouse"))
    check_receive(point=point, item=n95, qty=100, client_id=uuid.uuid4(), origin=Origin.ALLOCATED)
    check_raise(
        user=User.objects.get(username="community"),
        region=tree.community_a,
        unit="红星社区居委会",
        item=n95,
        qty=50,
        tier=3,
        client_id=uuid.uuid4(),
    )
    hospital, _ = check_raise(
        user=User.objects.get(username="hospital"),
        region=tree.district,
        unit="芙蓉区人民医院",
        item=n95,
        qty=80,
        tier=1,
        client_id=uuid.uuid4(),
    )
    check_decide(requisition=hospital, approve=True, user=User.objects.get(username="district"))
    propose_round(point=point)


def _number(t):
    from fangkong.supplies.models import Requisition

    return Requisition.objects.get(unit="红星社区居委会").number


def _round(t):
    from fangkong.supplies.models import AllocationRound

    return AllocationRound.objects.get(status="proposed").pk


def _req(name):
    return lambda t: reverse(f"supplies:{name}", args=[_number(t)])


def _rnd(name):
    return lambda t: reverse(name, args=[_round(t)])


ROWS: dict[str, Endpoint] = {
    "supplies:requisitions": E(
        lambda t: reverse("supplies:requisitions"),
        subject_list,
        shown=lambda t: "红星社区居委会",
        setup=_setup,
    ),
    "supplies:requisition_new": E(
        lambda t: reverse("supplies:requisition_new"), raisers, setup=_setup
    ),
    "supplies:requisition_new?post": E(
        lambda t: reverse("supplies:requisition_new"),
        lambda p: raisers(p, 302),
        method="post",
        form=True,
        body=lambda t: {
            "client_id": str(uuid.uuid4()),
            "unit": "新华街道卡口",
            "item": _item_id(),
            "qty": "20",
            "tier": "2",
        },
        setup=_setup,
    ),
    "supplies:requisition": E(_req("requisition"), subject, setup=_setup),
    "supplies:requisition_decide": E(
        _req("requisition_decide"),
        lambda p: approvers(p, 302),
        method="post",
        form=True,
        body=lambda t: {"decision": "approve"},
        setup=_setup,
    ),
    "supplies:requisition_cancel": E(
        _req("requisition_cancel"),
        lambda p: subject(p, 302),
        method="post",
        form=True,
        body=lambda t: {},
        setup=_setup,
    ),
    "supplies:rounds": E(lambda t: reverse("supplies:rounds"), approvers, setup=_setup),
    "supplies:round_run": E(
        lambda t: reverse("supplies:round_run"),
        lambda p: approvers(p, 302),
        method="post",
        form=True,
        body=lambda t: {"point": "HX01"},
        setup=_setup,
    ),
    "supplies:round": E(_rnd("supplies:round"), approvers, setup=_setup),
    "supplies:round_adjust": E(
        _rnd("supplies:round_adjust"),
        lambda p: approvers(p, 302),
        method="post",
        form=True,
        body=lambda t: {"confirm": "1"},
        setup=_setup,
    ),
    "api:list_requisitions": E(
        lambda t: reverse("api:list_requisitions"),
        subject_list,
        shown=lambda t: "红星社区居委会",
        setup=_setup,
    ),
    "api:post_requisition": E(
        lambda t: reverse("api:post_requisition"),
        raisers,
        method="post",
        body=lambda t: {
            "client_id": str(uuid.uuid4()),
            "item": "N95口罩",
            "qty": 10,
            "tier": 2,
            "unit": "新华街道卡口",
        },
        setup=_setup,
    ),
    "api:get_requisition": E(
        lambda t: reverse("api:get_requisition", args=[_number(t)]), subject, setup=_setup
    ),
    "api:post_decision": E(
        lambda t: reverse("api:post_decision", args=[_number(t)]),
        approvers,
        method="post",
        body=lambda t: {"approve": True},
        setup=_setup,
    ),
    "api:post_round": E(
        lambda t: reverse("api:post_round", args=["HX01"]),
        approvers,
        method="post",
        setup=_setup,
    ),
    "api:get_round": E(_rnd("api:get_round"), approvers, setup=_setup),
    "api:post_adjust": E(
        _rnd("api:post_adjust"),
        approvers,
        method="post",
        body=lambda t: {"lines": {}},
        setup=_setup,
    ),
    "api:post_confirm": E(_rnd("api:post_confirm"), approvers, method="post", setup=_setup),
}


def _item_id():
    from fangkong.supplies.models import Item

    return Item.objects.get(name="N95口罩").pk
