"""The demo city's donations go down the tree to the units and households, as the public page
shows, and its makers' output reports are the expected receipts of the cover pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.ops.city import generate_city
from fangkong.ops.demo import DEMO_PASSWORD
from fangkong.ops.load import load_city
from fangkong.ops.supplies import seed_supplies
from fangkong.supplies.models import Donation, OutputReport
from fangkong.supplies.selectors import public_donations

pytestmark = pytest.mark.django_db


def test_the_demo_donations_are_traced_to_units_and_households(client):
    load_city(generate_city(residents=600, seed=1))
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(20)))
    seed_supplies(seed=1, days=14, now=now)
    assert Donation.objects.count() == 5
    _page, traced = public_donations(1)
    passed = {t.donation.donor.name: sum(x.passed_on for x in t.lines) for t in traced}
    assert passed["李秀英"] >= 16 and passed["湘江集团有限公司"] > 0
    page = client.get(reverse("supplies:public_donations")).content.decode()
    assert "湘江集团有限公司" in page and "爱心人士" in page and "陈建国" not in page
    assert "社区居民" in page and "13973100001" not in page
    assert OutputReport.objects.filter(deliver_on__gt=timezone.localdate()).exists()
    client.login(username="district", password=DEMO_PASSWORD)
    cover = client.get(reverse("supplies:cover")).content.decode()
    assert "可保障天数" in cover and "N95口罩" in cover
