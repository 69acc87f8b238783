"""Requisitions and allocation rounds as people use them: a community raises a requisition on
the phone, the street approves it, runs a round at the district warehouse, changes a quantity
and confirms; the community reads "partly met"; the next round fills the rest. A double or
concurrent confirm issues once; roles outside see nothing."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from fangkong.supplies.choices import MovementKind, RequisitionStatus, RoundStatus
from fangkong.supplies.models import AllocationRound, Balance, Movement, Requisition, RoundLine
from fangkong.supplies.services import (
    StockInvalid,
    check_adjust,
    check_cancel,
    check_confirm,
    check_decide,
    check_raise,
    propose_round,
)

from .conftest import SOON, make_point, receive

pytestmark = pytest.mark.django_db

postgres = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers)",
)


@pytest.fixture
def warehouse(tree, people, n95):
    point = make_point(tree.district, code="FR01", name="芙蓉区物资仓库", keeper=people.warehouse)
    receive(point, n95, 300, batch="B2", expires_on=SOON)
    return point


def raise_(user, region, item, qty, tier, unit="红星社区居委会"):
    req, _created = check_raise(
        user=user, region=region, unit=unit, item=item, qty=qty, tier=tier, client_id=uuid.uuid4()
    )
    return req


def approved(people, tree, item, qty, tier, unit):
    req = raise_(people.hospital, tree.district, item, qty, tier, unit=unit)
    return check_decide(requisition=req, approve=True, user=people.district)


def test_the_whole_path_from_a_phone_to_the_rest_filled_next_round(
    tree, people, login, n95, warehouse
):
    community = login(people.community)
    page = community.get(reverse("supplies:requisition_new"))
    assert page.status_code == 200
    sent = community.post(
        reverse("supplies:requisition_new"),
        {
            "client_id": str(uuid.uuid4()),
            "unit": "红星社区居委会",
            "item": n95.pk,
            "qty": "４００",
            "tier": "3",
            "reason": "居家隔离户上门服务",
        },
    )
    req = Requisition.objects.get()
    assert sent.status_code == 302 and req.status == RequisitionStatus.WAITING
    assert req.qty == 400 and req.region == tree.community_a
    # waiting for approval: no round serves it
    assert (
        not RoundLine.objects.filter(requisition=req).exists()
        and propose_round(point=warehouse).lines.count() == 0
    )

    street = login(people.street)
    assert req.number in street.get(reverse("supplies:requisitions")).content.decode()
    street.post(reverse("supplies:requisition_decide", args=[req.number]), {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == RequisitionStatus.OPEN
    approved(people, tree, n95, 200, 1, "芙蓉区人民医院")  # the medical front line comes first

    # street staff reach no point outside their street
    assert street.post(reverse("supplies:round_run"), {"point": "FR01"}).status_code == 404
    district = login(people.district)
    run = district.post(reverse("supplies:round_run"), {"point": "FR01"})
    rnd = AllocationRound.objects.get(status=RoundStatus.PROPOSED)
    assert run["Location"] == reverse("supplies:round", args=[rnd.pk])
    text = district.get(run["Location"]).content.decode()
    assert "第1级需求全部满足" in text and "第3级满足25 %" in text
    line = rnd.lines.get(requisition=req)
    assert (line.asked, line.proposed) == (400, 100)

    # the approver gives the community 60 instead of 100, then confirms
    district.post(
        reverse("supplies:round_adjust", args=[rnd.pk]), {f"line-{line.pk}": "60", "confirm": "1"}
    )
    rnd.refresh_from_db()
    req.refresh_from_db()
    assert rnd.status == RoundStatus.CONFIRMED
    assert (req.filled, req.status, req.need) == (60, RequisitionStatus.PARTLY, "partly")
    issue = Movement.objects.get(kind=MovementKind.ISSUE, reference=req.number)
    assert (issue.qty, issue.recipient, issue.batch) == (-60, "红星社区居委会", "B2")
    assert Balance.objects.get(point=warehouse).qty == 40

    community = login(people.community)  # one test client: log in again as the community
    mine = community.get(reverse("supplies:requisitions")).content.decode()
    assert 'data-need="partly"' in mine and "60" in mine
    assert "芙蓉区人民医院" not in mine  # another unit's requisition

    receive(warehouse, n95, 1000)
    check_confirm(round=propose_round(point=warehouse, user=people.district))
    req.refresh_from_db()
    assert (req.filled, req.status) == (400, RequisitionStatus.FILLED)
    assert (
        'data-need="met"'
        in community.get(reverse("supplies:requisition", args=[req.number])).content.decode()
    )
    # first expiring first: the 40 left of batch B2, then 300 of the new lot
    assert Balance.objects.get(point=warehouse, batch="B2").qty == 0
    assert Balance.objects.get(point=warehouse, batch="").qty == 1000 - 300


def test_confirming_twice_issues_once(tree, people, n95, warehouse):
    approved(people, tree, n95, 100, 1, "芙蓉区人民医院")
    rnd = propose_round(point=warehouse)
    first = check_confirm(round=rnd, user=people.district)
    again = check_confirm(round=rnd, user=people.district)
    assert first.created and first.movements == 1
    assert not again.created and again.movements == 0
    assert Movement.objects.filter(kind=MovementKind.ISSUE).count() == 1
    assert Requisition.objects.get().filled == 100
    with pytest.raises(StockInvalid, match="confirmed"):
        check_adjust(round=rnd, quantities={rnd.lines.get().pk: 5})


def test_a_superseded_proposal_cannot_be_confirmed(tree, people, n95, warehouse):
    approved(people, tree, n95, 100, 1, "芙蓉区人民医院")
    old = propose_round(point=warehouse)
    new = propose_round(point=warehouse)
    with pytest.raises(StockInvalid, match="newer round"):
        check_confirm(round=old)
    assert check_confirm(round=new).created


def test_two_points_never_fill_one_requisition_twice(tree, people, n95, warehouse):
    req = approved(people, tree, n95, 100, 1, "芙蓉区人民医院")
    city = make_point(tree.city, code="CS00", name="市级储备库")
    receive(city, n95, 500)
    at_city, at_district = propose_round(point=city), propose_round(point=warehouse)
    check_confirm(round=at_city)
    with pytest.raises(StockInvalid, match="no longer open"):
        check_confirm(round=at_district)
    req.refresh_from_db()
    assert req.filled == 100 and Balance.objects.get(point=warehouse).qty == 300


def test_adjusting_past_the_need_or_the_stock_is_refused_all_or_nothing(
    tree, people, n95, warehouse
):
    a = approved(people, tree, n95, 200, 1, "芙蓉区人民医院")
    b = approved(people, tree, n95, 200, 2, "新华街道卡口")
    rnd = propose_round(point=warehouse)
    la, lb = rnd.lines.get(requisition=a), rnd.lines.get(requisition=b)
    assert (la.qty, lb.qty) == (200, 100)
    with pytest.raises(StockInvalid, match="needs only 200"):
        check_adjust(round=rnd, quantities={la.pk: 250})
    with pytest.raises(StockInvalid, match="the point holds 300"):
        check_adjust(round=rnd, quantities={la.pk: 200, lb.pk: 150})
    la.refresh_from_db()
    lb.refresh_from_db()
    assert (la.qty, lb.qty) == (200, 100)
    check_adjust(round=rnd, quantities={la.pk: 150, lb.pk: 150})
    check_confirm(round=rnd)
    assert list(Requisition.objects.order_by("tier").values_list("filled", flat=True)) == [150, 150]


def test_stock_gone_since_the_proposal_refuses_the_confirm_with_what_is_left(
    tree, people, n95, warehouse
):
    from fangkong.supplies.services import check_issue

    approved(people, tree, n95, 300, 1, "芙蓉区人民医院")
    rnd = propose_round(point=warehouse)
    check_issue(point=warehouse, item=n95, qty=50, client_id=uuid.uuid4(), recipient="卡口")
    with pytest.raises(StockInvalid, match="the point holds 250"):
        check_confirm(round=rnd)
    assert Requisition.objects.get().filled == 0
    assert AllocationRound.objects.get().status == RoundStatus.PROPOSED


def test_a_rejection_needs_a_reason_and_a_decided_requisition_stays_decided(tree, people, n95):
    req = raise_(people.community, tree.community_a, n95, 10, 3)
    with pytest.raises(StockInvalid, match="why"):
        check_decide(requisition=req, approve=False, user=people.street)
    check_decide(requisition=req, approve=False, user=people.street, note="重复申请")
    with pytest.raises(StockInvalid, match="no longer waiting"):
        check_decide(requisition=req, approve=True, user=people.street)
    assert Requisition.objects.get().status == RequisitionStatus.REJECTED


def test_a_withdrawn_requisition_leaves_the_next_round(tree, people, n95, warehouse):
    req = approved(people, tree, n95, 10, 1, "芙蓉区人民医院")
    check_cancel(requisition=req, user=people.hospital)
    assert propose_round(point=warehouse).lines.count() == 0


def test_the_same_form_sent_twice_raises_one_requisition(tree, people, n95):
    cid = uuid.uuid4()
    kwargs = dict(
        user=people.community, region=tree.community_a, unit="红星社区", item=n95, qty=5, tier=3
    )
    first, created = check_raise(client_id=cid, **kwargs)
    again, created_again = check_raise(client_id=cid, **kwargs)
    assert created and not created_again and first.pk == again.pk


def test_a_requisition_form_brought_back_with_another_quantity_is_refused(tree, people, n95):
    cid = uuid.uuid4()
    kwargs = dict(region=tree.community_a, unit="红星社区", item=n95, tier=3, client_id=cid)
    first, _created = check_raise(user=people.community, qty=5, **kwargs)
    with pytest.raises(StockInvalid, match=f"sent already .requisition {first.number}: 5 个"):
        check_raise(user=people.community, qty=500, **kwargs)
    # another user's client id answers nothing of their requisition
    with pytest.raises(StockInvalid) as e:
        check_raise(user=people.hospital, qty=5, **kwargs)
    assert first.number not in str(e.value)
    assert Requisition.objects.get().qty == 5


def test_bad_fields_are_refused_with_what_is_allowed(tree, people, n95):
    with pytest.raises(StockInvalid) as e:
        check_raise(
            user=people.community,
            region=tree.community_a,
            unit=" ",
            item=None,
            qty=0,
            tier=7,
            client_id=uuid.uuid4(),
        )
    assert set(e.value.errors) == {"unit", "item", "qty", "tier"}
    assert "医疗一线" in e.value.errors["tier"]


def test_a_keeper_raises_for_their_own_point_and_the_round_there_skips_it(
    tree, people, n95, warehouse
):
    hx = make_point(tree.community_a, keeper=people.warehouse)
    req, _ = check_raise(
        user=people.warehouse,
        region=tree.district,
        unit="",
        unit_point=hx,
        item=n95,
        qty=30,
        tier=3,
        client_id=uuid.uuid4(),
    )
    assert (req.unit, req.region) == ("红星社区物资点", tree.community_a)
    check_decide(requisition=req, approve=True, user=people.street)
    receive(hx, n95, 100)
    assert propose_round(point=hx).lines.count() == 0  # a point never supplies itself
    assert propose_round(point=warehouse).lines.get().proposed == 30


@pytest.mark.parametrize("persona", ["grid_a", "volunteer", "lab", "outsider"])
def test_roles_without_requisitions_reach_none(persona, tree, people, login, n95, warehouse):
    req = approved(people, tree, n95, 10, 1, "芙蓉区人民医院")
    rnd = propose_round(point=warehouse)
    client = login(people[persona])
    for url in (
        reverse("supplies:requisitions"),
        reverse("supplies:requisition", args=[req.number]),
        reverse("supplies:round", args=[rnd.pk]),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("supplies:round_adjust", args=[rnd.pk]), {"confirm": "1"}).status_code
        == 403
    )
    assert client.post(reverse("api:post_confirm", args=[rnd.pk])).status_code == 403
    assert AllocationRound.objects.get().status == RoundStatus.PROPOSED


def test_a_requester_cannot_approve_or_run_rounds(tree, people, login, n95, warehouse):
    req = raise_(people.community, tree.community_a, n95, 10, 3)
    client = login(people.community)
    assert (
        client.post(
            reverse("supplies:requisition_decide", args=[req.number]), {"decision": "approve"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("api:post_decision", args=[req.number]),
        {"approve": True},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.post(reverse("supplies:round_run"), {"point": "FR01"}).status_code == 403
    assert Requisition.objects.get().status == RequisitionStatus.WAITING


def test_an_approver_of_another_district_sees_no_requisition_of_this_one(
    tree, people, login, n95, warehouse
):
    from tests.conftest import create_user

    req = approved(people, tree, n95, 10, 1, "芙蓉区人民医院")
    rnd = propose_round(point=warehouse)
    other = create_user(
        username="tianxin",
        password="x",
        role="district",
        scope_region=tree.grid_c.parent.parent.parent,
    )
    client = login(other)
    assert "芙蓉区人民医院" not in client.get(reverse("supplies:requisitions")).content.decode()
    assert client.get(reverse("supplies:requisition", args=[req.number])).status_code == 404
    assert client.get(reverse("supplies:round", args=[rnd.pk])).status_code == 404
    assert client.post(reverse("api:post_confirm", args=[rnd.pk])).status_code == 404
    assert client.post(reverse("supplies:round_run"), {"point": "FR01"}).status_code == 404


def test_the_api_raises_once_per_client_id_and_confirms_once(tree, people, login, n95, warehouse):
    hospital = login(people.hospital)
    body = {
        "client_id": str(uuid.uuid4()),
        "item": "N95口罩",
        "qty": 120,
        "tier": 1,
        "unit": "芙蓉区人民医院",
    }
    first = hospital.post(reverse("api:post_requisition"), body, content_type="application/json")
    again = hospital.post(reverse("api:post_requisition"), body, content_type="application/json")
    assert first.json()["created"] and not again.json()["created"]
    number = first.json()["requisition"]["number"]
    district = login(people.district)
    decided = district.post(
        reverse("api:post_decision", args=[number]),
        {"approve": True},
        content_type="application/json",
    )
    assert decided.json()["status"] == "open"
    proposal = district.post(reverse("api:post_round", args=["FR01"])).json()
    assert proposal["lines"][0]["proposed"] == 120 and proposal["leftover"] == {"N95口罩": 180}
    assert proposal["lines"][0]["explain"]["en"].startswith("filled completely")
    refused = district.post(
        reverse("api:post_adjust", args=[proposal["id"]]),
        {"lines": {str(proposal["lines"][0]["id"]): 500}},
        content_type="application/json",
    )
    assert refused.status_code == 422
    done = district.post(reverse("api:post_confirm", args=[proposal["id"]])).json()
    twice = district.post(reverse("api:post_confirm", args=[proposal["id"]])).json()
    assert done["created"] and done["movements"] == 1 and not twice["created"]
    assert hospital.get(reverse("api:get_requisition", args=[number])).json()["need"] == "met"


def test_the_round_page_reads_in_a_fixed_number_of_queries(
    tree, people, login, n95, warehouse, django_assert_max_num_queries
):
    for n in range(30):
        approved(people, tree, n95, 10 + n, 1 + n % 3, f"单位{n}")
    rnd = propose_round(point=warehouse)
    client = login(people.district)
    client.get(reverse("supplies:round", args=[rnd.pk]))  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get(reverse("supplies:round", args=[rnd.pk])).status_code == 200


@postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_of_one_round_issue_once(tree, people, n95):
    point = make_point(tree.district, code="FR01", name="芙蓉区物资仓库")
    receive(point, n95, 300)
    for n in range(6):
        approved(people, tree, n95, 100, 1 + n % 3, f"单位{n}")
    rnd = propose_round(point=point)
    start = threading.Barrier(6)
    results = []

    def confirm():
        start.wait()
        try:
            results.append(check_confirm(round=rnd).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    issued = Movement.objects.filter(kind=MovementKind.ISSUE)
    assert -sum(issued.values_list("qty", flat=True)) == 300
    assert sum(Requisition.objects.values_list("filled", flat=True)) == 300
    assert Balance.objects.get(point=point).qty == 0
