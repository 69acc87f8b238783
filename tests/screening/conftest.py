"""Helpers for the screening tests: a campaign of 红星社区 running today, a tube, swabs."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.screening.services import (
    SwabData,
    check_add_swabs,
    check_create_campaign,
    check_open_tube,
)


def make_campaign(tree, **overrides):
    fields = {
        "user": None,
        "scope": None,
        "region": tree.community_a,
        "start_on": timezone.localdate(),
        "pool_size": 5,
    }
    fields.update(overrides)
    return check_create_campaign(**fields)


def open_tube(user, campaign, barcode="HX000001", **kw):
    tube, _created = check_open_tube(
        user=user, scope=scope_of(user), campaign=campaign, barcode=barcode, **kw
    )
    return tube


def swab(user, tube, *persons, client_id=None):
    return check_add_swabs(
        user=user,
        scope=scope_of(user),
        tube=tube,
        items=[SwabData(client_id or uuid.uuid4(), p.pk) for p in persons],
    )


@pytest.fixture
def campaign(tree):
    return make_campaign(tree)
