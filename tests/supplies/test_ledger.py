"""The stock ledger: receipts, issues first-expiring-first-out, counts, losses, transfers in
transit, reversals; balances as sums of movements that never go negative; retries write once."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from fangkong.supplies.choices import MovementKind, Origin, TransferStatus
from fangkong.supplies.models import Balance, Movement
from fangkong.supplies.selectors import balance_by_name
from fangkong.supplies.services import (
    Lot,
    StockInvalid,
    StockShort,
    check_count,
    check_issue,
    check_receive,
    check_receive_transfer,
    check_reverse,
    check_transfer,
    check_write_off,
    propose_lots,
)

from .conftest import LATER, SOON, make_point, receive

pytestmark = pytest.mark.django_db


def qty(point, item):
    return Balance.objects.filter(point=point, item=item).aggregate(n=Sum("qty"))["n"] or 0


def ledger(point, item):
    return Movement.objects.filter(point=point, item=item).aggregate(n=Sum("qty"))["n"] or 0


def test_a_receipt_adds_to_the_balance_and_the_balance_is_the_sum(point, n95):
    receive(point, n95, 500)
    receive(point, n95, 250)
    assert qty(point, n95) == ledger(point, n95) == 750


def test_a_purchase_names_its_supplier_and_a_donation_its_donor(point, n95):
    for origin in (Origin.PROCUREMENT, Origin.DONATION):
        with pytest.raises(StockInvalid) as e:
            check_receive(
                point=point, item=n95, qty=10, client_id=uuid.uuid4(), origin=origin, supplier=""
            )
        assert "supplier" in e.value.errors
    done = check_receive(
        point=point, item=n95, qty=10, client_id=uuid.uuid4(), origin=Origin.ALLOCATED
    )
    assert done.created and qty(point, n95) == 10


def test_text_longer_than_the_ledger_keeps_is_refused_never_cut(point, n95):
    receive(point, n95, 10)
    with pytest.raises(StockInvalid) as e:
        check_receive(
            point=point,
            item=n95,
            qty=10,
            client_id=uuid.uuid4(),
            origin=Origin.PROCUREMENT,
            supplier="长沙医药" * 30,
            reference="x" * 65,
        )
    assert e.value.errors["supplier"] == "120 characters is too long: at most 100"
    assert "at most 64" in e.value.errors["reference"]
    for field, text in (("recipient", "医" * 10_000), ("note", "备注" * 101)):
        with pytest.raises(StockInvalid) as e:
            check_issue(
                point=point,
                item=n95,
                qty=1,
                client_id=uuid.uuid4(),
                **{"recipient": "医院", field: text},
            )
        assert "too long" in e.value.errors[field]
    with pytest.raises(StockInvalid, match="too long"):
        check_write_off(
            point=point, item=n95, qty=1, client_id=uuid.uuid4(), kind="loss", reason="破" * 201
        )
    assert qty(point, n95) == ledger(point, n95) == 10  # nothing written


def test_an_item_kept_by_batch_needs_its_batch_and_expiry(point, suits):
    with pytest.raises(StockInvalid) as e:
        receive(point, suits, 10)
    assert {"batch", "expires_on"} <= e.value.errors.keys()
    receive(point, suits, 10, batch="B1", expires_on=SOON)
    assert qty(point, suits) == 10


def test_a_retry_with_the_same_client_id_writes_nothing(point, n95):
    cid = uuid.uuid4()
    kw = dict(point=point, item=n95, qty=100, origin=Origin.ALLOCATED)
    first = check_receive(client_id=cid, **kw)
    again = check_receive(client_id=cid, **kw)
    assert first.created and not again.created
    assert qty(point, n95) == 100
    issue = uuid.uuid4()
    check_issue(point=point, item=n95, qty=30, client_id=issue, recipient="芙蓉区人民医院")
    check_issue(point=point, item=n95, qty=30, client_id=issue, recipient="芙蓉区人民医院")
    assert qty(point, n95) == 70 and Movement.objects.filter(kind=MovementKind.ISSUE).count() == 1


def test_a_form_brought_back_with_other_values_is_refused_not_taken_for_the_first(
    tree, point, n95, people
):
    # the browser's back button keeps the form's client id: the second issue, receipt, count,
    # write-off or transfer is another movement, which "recorded" must not swallow
    other = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    receive(point, n95, 100)
    cid = uuid.uuid4()
    check_issue(point=point, item=n95, qty=5, client_id=cid, recipient="芙蓉区人民医院")
    for changed in (
        dict(qty=50, recipient="芙蓉区人民医院"),
        dict(qty=5, recipient="新华街道卡口"),
        dict(qty=5, household=tree.household_a),
    ):
        with pytest.raises(StockInvalid, match="sent already .Issue of 5 个 of N95口罩"):
            check_issue(point=point, item=n95, client_id=cid, **changed)
    with pytest.raises(StockInvalid, match="sent already"):
        check_write_off(point=point, item=n95, qty=5, client_id=cid, kind="loss", reason="丢失")
    receipt = uuid.uuid4()
    check_receive(point=point, item=n95, qty=10, client_id=receipt, origin=Origin.ALLOCATED)
    with pytest.raises(StockInvalid, match="sent already"):
        check_receive(point=point, item=n95, qty=500, client_id=receipt, origin=Origin.ALLOCATED)
    count = uuid.uuid4()
    check_count(point=point, item=n95, counted=105, client_id=count)
    with pytest.raises(StockInvalid, match="sent already"):
        check_count(point=point, item=n95, counted=90, client_id=count, reason="破损")
    sent = uuid.uuid4()
    check_transfer(point=point, to_point=other, item=n95, qty=5, client_id=sent)
    third = make_point(tree.grid_a, code="HX02", name="红星第1网格物资点")
    with pytest.raises(StockInvalid, match="sent already"):
        check_transfer(point=point, to_point=third, item=n95, qty=5, client_id=sent)
    assert qty(point, n95) == 100 and Movement.objects.count() == 5  # nothing else written
    assert ledger(point, n95) == 100
    # the same movement again is still a retry
    again = check_issue(point=point, item=n95, qty=5, client_id=cid, recipient="芙蓉区人民医院")
    assert not again.created


def test_a_client_id_of_another_points_movement_tells_nothing_of_it(
    tree, point, n95, people, login
):
    other = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    receive(other, n95, 100)
    receive(point, n95, 100)
    cid = uuid.uuid4()
    check_issue(point=other, item=n95, qty=7, client_id=cid, recipient="芷园社区")
    answer = login(people.warehouse).post(
        f"/api/v1/supplies/points/{point.code}/issues",
        {"client_id": str(cid), "item": "N95口罩", "qty": 7, "recipient": "芷园社区"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "client_id" in answer.json()["detail"] and "芷园" not in body and "-7" not in body
    assert qty(point, n95) == 100 and qty(other, n95) == 93


def test_a_reversal_or_take_in_sent_again_for_another_movement_is_refused(tree, point, n95):
    other = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    receive(point, n95, 100)
    first = check_issue(point=point, item=n95, qty=3, client_id=uuid.uuid4(), recipient="医院")
    second = check_issue(point=point, item=n95, qty=4, client_id=uuid.uuid4(), recipient="医院")
    cid = uuid.uuid4()
    check_reverse(movement=first.movements[0], client_id=cid, reason="录错")
    assert not check_reverse(movement=first.movements[0], client_id=cid, reason="录错").created
    with pytest.raises(StockInvalid, match="sent already"):
        check_reverse(movement=second.movements[0], client_id=cid, reason="录错")
    receive(other, n95, 10)
    one = check_transfer(point=other, to_point=point, item=n95, qty=1, client_id=uuid.uuid4())
    two = check_transfer(point=other, to_point=point, item=n95, qty=2, client_id=uuid.uuid4())
    take = uuid.uuid4()
    check_receive_transfer(transfer=one.transfers[0], client_id=take)
    with pytest.raises(StockInvalid, match="sent already"):
        check_receive_transfer(transfer=two.transfers[0], client_id=take)
    assert two.transfers[0].status == TransferStatus.IN_TRANSIT
    assert qty(point, n95) == 100 - 3 + 3 - 4 + 1


def test_an_issue_beyond_the_stock_says_how_much_is_left_and_writes_nothing(point, n95):
    receive(point, n95, 40)
    with pytest.raises(StockShort) as e:
        check_issue(point=point, item=n95, qty=41, client_id=uuid.uuid4(), recipient="医院")
    assert e.value.left == 40 and "40" in str(e.value) and "N95口罩" in str(e.value)
    assert qty(point, n95) == 40 and not Movement.objects.filter(kind="issue").exists()


def test_an_issue_takes_the_first_expiring_lot_first(point, suits):
    receive(point, suits, 10, batch="LATE", expires_on=LATER)
    receive(point, suits, 6, batch="SOON", expires_on=SOON)
    assert [(b.batch, n) for b, n in propose_lots(point, suits, 8)] == [("SOON", 6), ("LATE", 2)]
    done = check_issue(point=point, item=suits, qty=8, client_id=uuid.uuid4(), recipient="医院")
    assert sorted((m.batch, m.qty) for m in done.movements) == [("LATE", -2), ("SOON", -6)]
    left = {b.batch: b.qty for b in Balance.objects.filter(point=point, item=suits)}
    assert left == {"SOON": 0, "LATE": 8}


def test_an_issue_from_a_named_lot_takes_only_that_lot(point, suits):
    receive(point, suits, 10, batch="LATE", expires_on=LATER)
    receive(point, suits, 6, batch="SOON", expires_on=SOON)
    with pytest.raises(StockShort) as e:
        check_issue(
            point=point,
            item=suits,
            qty=8,
            client_id=uuid.uuid4(),
            recipient="医院",
            lot=Lot("SOON", SOON),
        )
    assert e.value.left == 6


def test_an_issue_needs_a_receiving_unit_or_household_of_the_area(tree, point, n95):
    receive(point, n95, 10)
    with pytest.raises(StockInvalid) as e:
        check_issue(point=point, item=n95, qty=1, client_id=uuid.uuid4())
    assert "recipient" in e.value.errors
    with pytest.raises(StockInvalid) as e:
        check_issue(
            point=point, item=n95, qty=1, client_id=uuid.uuid4(), household=tree.household_b
        )
    assert "household" in e.value.errors
    done = check_issue(
        point=point, item=n95, qty=1, client_id=uuid.uuid4(), household=tree.household_a
    )
    assert done.movements[0].household == tree.household_a


def test_a_count_records_the_difference_with_its_reason(point, n95):
    receive(point, n95, 100)
    with pytest.raises(StockInvalid) as e:
        check_count(point=point, item=n95, counted=97, client_id=uuid.uuid4())
    assert "reason" in e.value.errors
    done = check_count(point=point, item=n95, counted=97, client_id=uuid.uuid4(), reason="破损")
    assert done.movements[0].qty == -3 and done.movements[0].counted == 97
    matched = check_count(point=point, item=n95, counted=97, client_id=uuid.uuid4())
    assert matched.movements[0].qty == 0
    check_count(point=point, item=n95, counted=99, client_id=uuid.uuid4(), reason="漏记")
    assert qty(point, n95) == ledger(point, n95) == 99


def test_losses_and_expiries_go_out_with_their_reason(point, suits):
    receive(point, suits, 10, batch="B", expires_on=SOON)
    with pytest.raises(StockInvalid):
        check_write_off(
            point=point, item=suits, qty=2, client_id=uuid.uuid4(), kind="loss", reason=""
        )
    check_write_off(
        point=point, item=suits, qty=2, client_id=uuid.uuid4(), kind="loss", reason="受潮"
    )
    check_write_off(
        point=point, item=suits, qty=3, client_id=uuid.uuid4(), kind="expiry", reason="过期"
    )
    assert qty(point, suits) == 5


def test_a_transfer_is_in_transit_until_received_then_at_the_other_point(tree, point, n95, people):
    other = make_point(
        tree.community_b, code="ZY01", name="芷园社区物资点", keeper=people.warehouse
    )
    receive(point, n95, 100)
    sent = check_transfer(point=point, to_point=other, item=n95, qty=60, client_id=uuid.uuid4())
    (transfer,) = sent.transfers
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert qty(point, n95) == 40 and qty(other, n95) == 0
    cid = uuid.uuid4()
    check_receive_transfer(transfer=transfer, client_id=cid)
    check_receive_transfer(transfer=transfer, client_id=cid)  # a retry
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED and qty(other, n95) == 60
    with pytest.raises(StockInvalid):
        check_receive_transfer(transfer=transfer, client_id=uuid.uuid4())


def test_a_reversal_corrects_a_movement_once_and_never_edits_it(point, n95):
    receive(point, n95, 100)
    issued = check_issue(point=point, item=n95, qty=30, client_id=uuid.uuid4(), recipient="医院")
    (line,) = issued.movements
    check_reverse(movement=line, client_id=uuid.uuid4(), reason="录错单位")
    assert qty(point, n95) == 100
    line.refresh_from_db()
    assert line.qty == -30  # the issue itself is untouched
    with pytest.raises(StockInvalid):
        check_reverse(movement=line, client_id=uuid.uuid4(), reason="again")


def test_a_receipt_already_issued_cannot_be_reversed_below_zero(point, n95):
    got = receive(point, n95, 10)
    check_issue(point=point, item=n95, qty=8, client_id=uuid.uuid4(), recipient="医院")
    with pytest.raises(StockShort) as e:
        check_reverse(movement=got.movements[0], client_id=uuid.uuid4(), reason="错")
    assert e.value.left == 2


def test_reversing_a_transfer_in_transit_cancels_it(tree, point, n95):
    other = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    receive(point, n95, 10)
    sent = check_transfer(point=point, to_point=other, item=n95, qty=10, client_id=uuid.uuid4())
    check_reverse(movement=sent.movements[0], client_id=uuid.uuid4(), reason="车辆未到")
    sent.transfers[0].refresh_from_db()
    assert sent.transfers[0].status == TransferStatus.CANCELLED and qty(point, n95) == 10


def test_the_database_refuses_a_negative_balance_whatever_code_runs(point, n95):
    receive(point, n95, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(point=point, item=n95).update(qty=-1)


def test_the_balance_by_name_lists_each_item_with_stock(point, n95, suits):
    from fangkong.accounts.scope import scope_of

    receive(point, n95, 5)
    receive(point, suits, 2, batch="B", expires_on=SOON)
    receive(point, suits, 3, batch="C", expires_on=LATER)
    assert balance_by_name(scope_of(point.keepers.get().user), point) == {
        "N95口罩": 5,
        "医用防护服": 5,
    }


def test_the_lengths_kept_are_the_ledger_s_columns():
    from fangkong.supplies.services.ledger import _KEPT

    assert _KEPT == {name: Movement._meta.get_field(name).max_length for name in _KEPT}
