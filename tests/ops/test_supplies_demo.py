"""The demo city's supplies: deterministic for a seed, seeded once, and the warehouse account's
first page shows its points with real stock and a transfer on its way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fangkong.ops.city import generate_city
from fangkong.ops.demo import DEMO_PASSWORD
from fangkong.ops.load import load_city
from fangkong.ops.supplies import seed_supplies
from fangkong.supplies.models import Balance, Movement, Transfer

pytestmark = pytest.mark.django_db


def _ledger():
    return sorted(
        Movement.objects.values_list("client_id", "kind", "point__code", "item__name", "qty")
    )


def test_the_same_seed_gives_the_same_ledger_and_a_second_run_adds_nothing(client):
    load_city(generate_city(residents=600, seed=1))
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(20)))
    runs = []
    for _ in range(2):
        with transaction.atomic():
            seed_supplies(seed=1, days=5, now=now)
            runs.append(_ledger())
            transaction.set_rollback(True)
    assert runs[0] == runs[1] and len(runs[0]) > 50
    result = seed_supplies(seed=1, days=14, now=now)
    assert result.movements > 100 and result.in_transit == 1
    assert seed_supplies(seed=1, days=14, now=now).points == 0  # once
    kinds = set(Movement.objects.values_list("kind", flat=True))
    assert {"receipt", "transfer_out", "transfer_in", "issue", "count", "loss"} <= kinds
    for b in Balance.objects.all():  # every balance is its movements' sum
        moved = Movement.objects.filter(point=b.point, item=b.item, lot=b.lot)
        assert moved.aggregate(n=Sum("qty"))["n"] == b.qty >= 0
    client.login(username="warehouse", password=DEMO_PASSWORD)
    page = client.get("/", follow=True).content.decode()
    transfer = Transfer.objects.get(status="in_transit")
    assert transfer.to_point.name in page and "N95口罩" in page
    point = client.get(f"/supplies/points/{transfer.to_point.code}/").content.decode()
    assert "在途待接收" in point


def test_the_demo_city_has_requisitions_some_filled_by_a_round_some_open_some_waiting(client):
    from fangkong.supplies.models import AllocationRound, Requisition

    load_city(generate_city(residents=600, seed=1))
    seed_supplies(seed=1, days=14)
    statuses = set(Requisition.objects.values_list("status", flat=True))
    assert {"filled", "partly", "waiting"} <= statuses
    assert AllocationRound.objects.filter(status="confirmed").count() == 1
    issued = Movement.objects.filter(kind="issue", reference__startswith="ZH")
    assert issued.exists()
    for r in Requisition.objects.exclude(status="waiting"):  # what was issued is what is filled
        assert -sum(issued.filter(reference=r.number).values_list("qty", flat=True)) == r.filled
    client.login(username="street", password=DEMO_PASSWORD)
    page = client.get("/supplies/requisitions/").content.decode()
    assert "居家隔离户上门服务" in page  # waiting for the street's approval
    client.login(username="community", password=DEMO_PASSWORD)
    mine = client.get("/supplies/requisitions/").content.decode()
    assert 'data-need="' in mine
