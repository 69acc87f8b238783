"""An approver runs an allocation round on a phone: approves the requisition waiting, proposes a
round at the district warehouse, reads why each unit gets what it gets, gives one unit less
and confirms; the community then reads "partly met" on its own phone."""

import uuid

import pytest

from fangkong.supplies.choices import Origin, RequisitionStatus
from fangkong.supplies.models import Balance, Requisition
from fangkong.supplies.services import (
    check_decide,
    check_raise,
    check_receive,
    save_item,
    save_point,
)

from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_approver_runs_a_round_on_a_phone(live_server, tree, people, phone):
    n95 = save_item(name="N95口罩", unit="个", key=True)
    depot, _ = save_point(code="FR01", name="芙蓉区物资仓库", region=tree.district)
    check_receive(point=depot, item=n95, qty=500, client_id=uuid.uuid4(), origin=Origin.ALLOCATED)
    hospital, _ = check_raise(
        user=people.hospital,
        region=tree.district,
        unit="芙蓉区人民医院",
        item=n95,
        qty=300,
        tier=1,
        client_id=uuid.uuid4(),
    )
    check_decide(requisition=hospital, approve=True, user=people.district)
    community, _ = check_raise(
        user=people.community,
        region=tree.community_a,
        unit="红星社区居委会",
        item=n95,
        qty=400,
        tier=3,
        client_id=uuid.uuid4(),
        reason="居家隔离户上门服务",
    )

    log_in(phone, live_server, "district")
    phone.goto(live_server.url + "/supplies/requisitions/")
    assert "待您审批" in phone.content() and "红星社区居委会" in phone.content()
    fits_the_phone(phone)
    shot(phone, "requisitions-approver")
    with phone.expect_navigation():
        phone.click("form.units >> text=批准")
    assert "已批准" in phone.locator("[role=status]").inner_text()

    phone.click(".units >> text=分配轮次")
    phone.select_option("select[name=point]", label="芙蓉区物资仓库 (芙蓉区)")
    with phone.expect_navigation():
        phone.click("text=生成分配方案")
    text = phone.content()
    assert "第1级需求全部满足" in text and "第3级满足50 %" in text
    fits_the_phone(phone)
    shot(phone, "requisitions-round")
    field = phone.locator(f"[data-line='{community.number}'] input")
    assert field.input_value() == "200"
    field.fill("１５０")  # typed with a Chinese input method
    with phone.expect_navigation():
        phone.click("text=确认并发放")
    assert "已确认" in phone.locator("[role=status]").inner_text()
    assert "建议200" in phone.content() or "150" in phone.content()

    community.refresh_from_db()
    assert (community.filled, community.status) == (150, RequisitionStatus.PARTLY)
    assert Requisition.objects.get(pk=hospital.pk).filled == 300
    assert Balance.objects.get(point=depot).qty == 50

    phone.context.clear_cookies()  # the community's own phone
    log_in(phone, live_server, "community")
    phone.goto(live_server.url + "/supplies/requisitions/")
    mine = phone.locator(f"li:has(a[href*='{community.number}'])")
    assert "部分满足" in mine.inner_text() and "150/400" in mine.inner_text()
    assert "芙蓉区人民医院" not in phone.content()
    fits_the_phone(phone)
    shot(phone, "requisitions-requester")
