"""Concurrent issues from many phones against one balance (PostgreSQL): never overdrawn, no
movement lost, a retry never doubled; and, for any sequence of writes, each balance is the sum
of its movements (hypothesis state machine, any database)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fangkong.supplies.choices import Origin
from fangkong.supplies.models import Balance, Movement, Transfer
from fangkong.supplies.services import (
    Lot,
    StockInvalid,
    StockShort,
    check_count,
    check_issue,
    check_receive,
    check_reverse,
    check_transfer,
)

from .conftest import make_point

postgres = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers)",
)

STOCK = 150
ISSUES = 200
WORKERS = 20  # connections at once: the shared server's limit is not ours alone


@postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_concurrent_issues_never_overdraw_and_lose_no_movement(tree, people, n95):
    point = make_point(tree.community_a, keeper=people.warehouse)
    check_receive(point=point, item=n95, qty=STOCK, client_id=uuid.uuid4(), origin=Origin.ALLOCATED)
    ids = [uuid.uuid4() for _ in range(ISSUES)]
    start = threading.Barrier(WORKERS)
    local = threading.local()

    def issue(cid: uuid.UUID) -> str:
        if not getattr(local, "started", False):
            local.started = True
            start.wait()
        try:
            done = check_issue(point=point, item=n95, qty=1, client_id=cid, recipient="医院")
            again = check_issue(point=point, item=n95, qty=1, client_id=cid, recipient="医院")
            assert not again.created
            return "issued" if done.created else "retry"
        except StockShort as e:  # told how much is left: nothing, by then
            assert e.left == 0
            return "short"
        finally:
            connection.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(issue, ids))
    assert outcomes.count("issued") == STOCK and outcomes.count("short") == ISSUES - STOCK
    balance = Balance.objects.get(point=point, item=n95)
    issued = Movement.objects.filter(point=point, kind="issue")
    assert balance.qty == 0
    assert issued.count() == STOCK  # every success is a movement, each client id once
    assert set(issued.values_list("client_id", flat=True)) <= set(ids)
    assert Movement.objects.filter(point=point).aggregate(n=Sum("qty"))["n"] == 0


SOON = dt.date.today() + dt.timedelta(days=20)
LOTS = [Lot(), Lot("A", SOON), Lot("B", SOON + dt.timedelta(days=60))]


class LedgerMachine(RuleBasedStateMachine):
    """Receipts, issues, counts, transfers and reversals in any order, retries included."""

    def __init__(self):
        super().__init__()
        Movement.objects.filter(reverses__isnull=False).delete()  # a reversal holds its original
        for model in (Movement, Transfer, Balance):
            model.objects.all().delete()
        self.sent: list[tuple] = []

    @rule(lot=st.sampled_from(LOTS), qty=st.integers(1, 50))
    def receive(self, lot, qty):
        cid = uuid.uuid4()
        self.sent.append(("receive", cid, lot, qty))
        check_receive(
            point=POINTS[0], item=ITEM, qty=qty, client_id=cid, origin=Origin.ALLOCATED, lot=lot
        )

    @rule(qty=st.integers(1, 60), named=st.booleans(), lot=st.sampled_from(LOTS))
    def issue(self, qty, named, lot):
        cid = uuid.uuid4()
        self.sent.append(("issue", cid, lot if named else None, qty))
        try:
            check_issue(
                point=POINTS[0],
                item=ITEM,
                qty=qty,
                client_id=cid,
                recipient="医院",
                lot=lot if named else None,
            )
        except StockInvalid:
            pass

    @rule(lot=st.sampled_from(LOTS), counted=st.integers(0, 80))
    def count(self, lot, counted):
        try:
            check_count(
                point=POINTS[0],
                item=ITEM,
                counted=counted,
                client_id=uuid.uuid4(),
                lot=lot,
                reason="盘点",
            )
        except StockInvalid:
            pass

    @rule(qty=st.integers(1, 30))
    def transfer(self, qty):
        try:
            check_transfer(
                point=POINTS[0], to_point=POINTS[1], item=ITEM, qty=qty, client_id=uuid.uuid4()
            )
        except StockInvalid:
            pass

    @rule(data=st.data())
    def reverse(self, data):
        ids = list(Movement.objects.values_list("pk", flat=True))
        if ids:
            m = Movement.objects.get(pk=data.draw(st.sampled_from(ids)))
            try:
                check_reverse(movement=m, client_id=uuid.uuid4(), reason="更正")
            except StockInvalid:
                pass

    @rule(data=st.data())
    def retry(self, data):
        if not self.sent:
            return
        kind, cid, lot, qty = data.draw(st.sampled_from(self.sent))
        before = Movement.objects.count()
        written = Movement.objects.filter(client_id=cid).exists()
        try:
            if kind == "receive":
                check_receive(
                    point=POINTS[0],
                    item=ITEM,
                    qty=qty,
                    client_id=cid,
                    origin="allocated",
                    lot=lot,
                )
            else:
                check_issue(
                    point=POINTS[0], item=ITEM, qty=qty, client_id=cid, recipient="医院", lot=lot
                )
        except StockInvalid:
            pass
        if written:
            assert Movement.objects.count() == before  # a retry of a written one writes nothing

    @invariant()
    def balances_are_sums_of_movements(self):
        sums = {
            (r["point_id"], r["lot"]): r["n"]
            for r in Movement.objects.values("point_id", "lot").annotate(n=Sum("qty"))
        }
        kept = {(b.point_id, b.lot): b.qty for b in Balance.objects.all()}
        assert {k: v for k, v in sums.items() if v} == {k: v for k, v in kept.items() if v}
        assert all(v >= 0 for v in kept.values())


POINTS: list = []
ITEM = None


@pytest.mark.django_db
def test_every_balance_is_the_sum_of_its_movements_under_any_sequence(tree, n95):
    global ITEM
    ITEM = n95
    POINTS[:] = [
        make_point(tree.community_a),
        make_point(tree.community_b, code="ZY01", name="芷园社区物资点"),
    ]
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        max_examples=30,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()
