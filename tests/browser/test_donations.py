"""A donor follows their gift on a phone with no account: the public page lists the donation,
its way down to the receiving units and the residents of a community (never a person), and
the donation's own page is one tap away. The keeper records a donation on a phone."""

import uuid

import pytest

from fangkong.supplies.choices import DonorKind
from fangkong.supplies.models import Donation
from fangkong.supplies.services import (
    DonorIn,
    LineIn,
    assign_keeper,
    check_issue,
    check_receive_donation,
    check_receive_transfer,
    check_transfer,
    save_item,
    save_point,
)

from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_donor_follows_their_gift_on_a_phone_without_an_account(live_server, tree, phone):
    n95 = save_item(name="N95口罩", unit="个")
    here, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    there, _ = save_point(code="ZY01", name="芷园社区物资点", region=tree.community_b)
    donation, _c = check_receive_donation(
        point=here,
        donor=DonorIn(DonorKind.PERSON, "刘德华", phone="13733334444"),
        lines=[LineIn(n95, 500)],
        client_id=uuid.uuid4(),
    )
    sent = check_transfer(point=here, to_point=there, item=n95, qty=200, client_id=uuid.uuid4())
    check_receive_transfer(transfer=sent.transfers[0], client_id=uuid.uuid4())
    check_issue(point=there, item=n95, qty=120, client_id=uuid.uuid4(), recipient="芙蓉区人民医院")
    check_issue(point=there, item=n95, qty=30, client_id=uuid.uuid4(), household=tree.household_b)
    check_issue(point=here, item=n95, qty=50, client_id=uuid.uuid4(), recipient="张伟")
    phone.goto(f"{live_server.url}/supplies/public/donations/")
    text = phone.locator("main").inner_text()
    assert donation.number in text and "爱心人士" in text
    assert "芷园社区物资点发放120给芙蓉区人民医院" in text.replace(" ", "")
    assert "芷园社区居民" in text and "其他单位（名称不公开）" in text
    for secret in ("刘德华", "张伟", "李娜", "13733334444"):
        assert secret not in phone.content()
    fits_the_phone(phone)
    shot(phone, "donations-public")
    phone.click(f"text={donation.number}")
    phone.wait_for_url(f"**/public/donations/{donation.number}/")
    assert "由红星社区物资点接收" in phone.locator("main").inner_text().replace(" ", "")
    fits_the_phone(phone)
    shot(phone, "donation-public")


@pytest.mark.django_db(transaction=True)
def test_a_keeper_records_a_donation_on_a_phone(live_server, tree, people, phone):
    save_item(name="N95口罩", unit="个")
    point, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    assign_keeper(point=point, user=people.warehouse)
    log_in(phone, live_server, "warehouse")
    phone.goto(f"{live_server.url}/supplies/points/HX01/donate/")
    phone.check("input[name=donor_kind][value=organisation]")
    phone.fill("input[name=donor_name]", "长沙爱心医疗器械有限公司")
    phone.fill("input[name=phone]", "139 1111 2222")
    phone.locator("select[name=item]").first.select_option(label="N95口罩 (个)")
    phone.locator("input[name=qty]").first.fill("５０００")
    fits_the_phone(phone)
    shot(phone, "donation-form")
    phone.click("button.primary")
    phone.wait_for_url("**/supplies/donations/JZ*/")
    body = phone.locator("main").inner_text()
    assert "已入库" in body and "139****2222" in body and "5000" in body
    assert Donation.objects.get().lines.get().qty == 5000
    fits_the_phone(phone)


@pytest.mark.django_db(transaction=True)
def test_days_of_cover_fit_the_keepers_phone(live_server, tree, people, phone):
    import datetime as dt

    from django.utils import timezone

    from fangkong.ops.outbreak.clock import clock_at, local

    today = timezone.localdate()
    n95 = save_item(name="N95口罩", unit="个")
    point, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    assign_keeper(point=point, user=people.warehouse)
    with clock_at(local(today - dt.timedelta(days=20), 8)):
        check_receive_donation(
            point=point,
            donor=DonorIn(DonorKind.ORGANISATION, "长沙爱心医疗器械有限公司"),
            lines=[LineIn(n95, 180)],
            client_id=uuid.uuid4(),
        )
    for back in range(8, 0, -1):
        with clock_at(local(today - dt.timedelta(days=back), 10)):
            check_issue(point=point, item=n95, qty=10, client_id=uuid.uuid4(), recipient="医院")
    log_in(phone, live_server, "warehouse")
    phone.goto(f"{live_server.url}/supplies/points/HX01/")
    cover = phone.locator("table.cover").inner_text()
    assert "N95口罩" in cover and "10.0" in cover
    fits_the_phone(phone)
    shot(phone, "supplies-point-cover")
