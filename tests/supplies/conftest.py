"""Supplies fixtures: a point in 红星社区 kept by ``warehouse``, and a few items."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from fangkong.supplies.choices import Category, Origin, PointKind
from fangkong.supplies.services import Lot, assign_keeper, check_receive, save_item, save_point


def make_point(region, code="HX01", name="红星社区物资点", kind=PointKind.COMMUNITY, keeper=None):
    point, _created = save_point(code=code, name=name, region=region, kind=kind)
    if keeper is not None:
        assign_keeper(point=point, user=keeper)
    return point


def receive(point, item, qty, *, batch="", expires_on=None, user=None):
    return check_receive(
        point=point,
        item=item,
        qty=qty,
        client_id=uuid.uuid4(),
        origin=Origin.PROCUREMENT,
        supplier="湖南医疗器械公司",
        lot=Lot(batch, expires_on),
        user=user,
    )


@pytest.fixture
def n95(db):
    return save_item(name="N95口罩", unit="个", category=Category.MEDICAL, key=True)


@pytest.fixture
def suits(db):
    return save_item(
        name="医用防护服", unit="套", category=Category.MEDICAL, tracks_batches=True, key=True
    )


@pytest.fixture
def point(tree, people):
    return make_point(tree.community_a, keeper=people.warehouse)


SOON = dt.date.today() + dt.timedelta(days=30)
LATER = dt.date.today() + dt.timedelta(days=300)
