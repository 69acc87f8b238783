"""What the database itself holds to, whatever code writes (screening/models.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.screening.models import Campaign, Sample, Tube


def _campaign(tree, **overrides) -> Campaign:
    fields = {
        "name": "第1轮",
        "region": tree.community_a,
        "region_path": tree.community_a.path,
        "start_on": dt.date(2026, 1, 5),
        "end_on": dt.date(2026, 1, 5),
        "pool_size": 10,
    }
    fields.update(overrides)
    return Campaign.objects.create(**fields)


def _tube(campaign, barcode="T0001") -> Tube:
    return Tube.objects.create(
        campaign=campaign,
        barcode=barcode,
        pool_size=campaign.pool_size,
        region_path=campaign.region_path,
        opened_at=timezone.now(),
    )


def test_a_campaign_cannot_end_before_it_starts(tree):
    with pytest.raises(IntegrityError):
        _campaign(tree, end_on=dt.date(2026, 1, 4))


def test_a_pool_is_1_5_10_or_20_swabs(tree):
    with pytest.raises(IntegrityError):
        _campaign(tree, pool_size=7)


def test_a_tag_target_names_its_tag(tree):
    with pytest.raises(IntegrityError):
        _campaign(tree, target="tag")


def test_a_barcode_is_one_tube_across_campaigns(tree):
    _tube(_campaign(tree))
    with pytest.raises(IntegrityError):
        _tube(_campaign(tree, name="第2轮"))


def test_a_person_is_in_a_tube_once(tree):
    campaign = _campaign(tree)
    tube = _tube(campaign)

    def swab():
        Sample.objects.create(
            client_id=uuid.uuid4(),
            campaign=campaign,
            tube=tube,
            person=tree.person_a,
            region_path=tree.person_a.region_path,
            sampled_at=timezone.now(),
            source="phone",
        )

    swab()
    with pytest.raises(IntegrityError), transaction.atomic():
        swab()
