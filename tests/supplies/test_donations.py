"""A donation's life: received at a point as its own lot, sent on, issued to a hospital and to
households, and followed by the donor on the public page (no login, no person named)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.supplies.choices import DonorKind, MovementKind, Origin
from fangkong.supplies.models import Balance, Donation, Donor, Movement
from fangkong.supplies.selectors import Where, public_donation, traced_donation
from fangkong.supplies.selectors.donations import _published_unit
from fangkong.supplies.services import (
    DonorIn,
    LineIn,
    StockInvalid,
    check_issue,
    check_receive_donation,
    check_receive_transfer,
    check_reverse,
    check_transfer,
)

from .conftest import LATER, SOON, make_point, receive

pytestmark = pytest.mark.django_db

COMPANY = DonorIn(DonorKind.ORGANISATION, "长沙爱心医疗器械有限公司", phone="13911112222")
PERSON = DonorIn(DonorKind.PERSON, "刘德华", phone="13733334444")


def donate(point, lines, donor=COMPANY, **more):
    donation, _created = check_receive_donation(
        point=point, donor=donor, lines=lines, client_id=uuid.uuid4(), **more
    )
    return donation


def test_a_note_longer_than_kept_is_refused_and_nothing_recorded(point, n95):
    with pytest.raises(StockInvalid, match="at most 200"):
        donate(point, [LineIn(n95, 10)], note="捐赠" * 101)
    assert not Donation.objects.exists()


@pytest.fixture
def hub(tree, people):
    return make_point(tree.community_b, code="ZY01", name="芷园社区物资点", keeper=people.warehouse)


def test_a_donation_is_received_as_receipt_movements_of_its_own_lots(point, n95, suits):
    receive(point, n95, 100)  # bought stock of the same item stays a lot apart
    d = donate(point, [LineIn(n95, 500), LineIn(suits, 40, batch="B7", expires_on=SOON)])
    assert d.number.startswith("JZ")
    receipts = Movement.objects.filter(reference=d.number).order_by("id")
    assert [(m.kind, m.origin, m.qty) for m in receipts] == [
        (MovementKind.RECEIPT, Origin.DONATION, 500),
        (MovementKind.RECEIPT, Origin.DONATION, 40),
    ]
    assert receipts[0].batch == d.number and receipts[1].batch == f"{d.number}/B7"
    assert receipts[0].supplier == "长沙爱心医疗器械有限公司"
    assert sum(Balance.objects.filter(point=point, item=n95).values_list("qty", flat=True)) == 600


def test_the_same_form_sent_twice_records_one_donation(point, n95):
    cid = uuid.uuid4()
    first, created = check_receive_donation(
        point=point, donor=COMPANY, lines=[LineIn(n95, 10)], client_id=cid
    )
    again, created_again = check_receive_donation(
        point=point, donor=COMPANY, lines=[LineIn(n95, 10)], client_id=cid
    )
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert Balance.objects.get(point=point, item=n95).qty == 10


def test_a_donation_form_brought_back_with_other_lines_is_refused(tree, point, n95, suits):
    cid = uuid.uuid4()
    check_receive_donation(point=point, donor=COMPANY, lines=[LineIn(n95, 10)], client_id=cid)
    for lines in ([LineIn(n95, 1000)], [LineIn(n95, 10), LineIn(suits, 5, "B1", LATER)]):
        with pytest.raises(StockInvalid, match="sent already .donation JZ"):
            check_receive_donation(point=point, donor=COMPANY, lines=lines, client_id=cid)
    other = DonorIn(DonorKind.ORGANISATION, "另一家企业")
    with pytest.raises(StockInvalid, match="sent already"):
        check_receive_donation(point=point, donor=other, lines=[LineIn(n95, 10)], client_id=cid)
    elsewhere = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    with pytest.raises(StockInvalid) as e:
        check_receive_donation(
            point=elsewhere, donor=COMPANY, lines=[LineIn(n95, 10)], client_id=cid
        )
    assert "JZ" not in str(e.value)  # nothing of another point's donation is told
    assert Donation.objects.count() == 1 and Balance.objects.get(point=point).qty == 10


def test_a_donor_who_gives_again_is_the_same_donor(point, n95):
    donate(point, [LineIn(n95, 10)])
    donate(point, [LineIn(n95, 20)])
    assert Donor.objects.count() == 1 and Donation.objects.count() == 2


def test_it_says_what_is_wrong_with_a_donation_and_writes_nothing(point, n95, suits):
    bad = DonorIn("", " ", phone="12345", credit_code="x")
    with pytest.raises(StockInvalid) as e:
        donate(point, [LineIn(n95, 0), LineIn(n95, 3), LineIn(suits, 5)], donor=bad)
    errors = e.value.errors
    assert set(errors) >= {"donor_kind", "donor_name", "phone", "line1_qty", "line2_item"}
    assert "line3_expires_on" in errors  # suits are kept by batch and expiry
    assert "11" in errors["phone"]
    assert not Movement.objects.exists() and not Donor.objects.exists()
    with pytest.raises(StockInvalid) as e:
        donate(point, [])
    assert "lines" in e.value.errors


def test_a_person_is_not_named_in_public_unless_they_agree(point, n95):
    d = donate(point, [LineIn(n95, 5)], donor=PERSON)
    assert d.donor.public_name == "" and d.donor.shown_as == "a caring member of the public"
    d = donate(
        point,
        [LineIn(n95, 5)],
        donor=DonorIn(DonorKind.PERSON, "刘德华", "13733334444", named_in_public=True),
    )
    assert d.donor.public_name == "刘德华"


def _life(point, hub, n95, tree, people):
    """500 masks: 200 sent to 芷园 (taken in), 120 of them issued to a hospital and 30 to
    a household there; 100 issued from 红星 to a person typed by name; 50 sent on, still in
    transit; the rest in stock."""
    d = donate(point, [LineIn(n95, 500)], donor=PERSON)
    w = check_transfer(point=point, to_point=hub, item=n95, qty=200, client_id=uuid.uuid4())
    check_receive_transfer(transfer=w.transfers[0], client_id=uuid.uuid4())
    check_issue(point=hub, item=n95, qty=120, client_id=uuid.uuid4(), recipient="芙蓉区人民医院")
    check_issue(point=hub, item=n95, qty=30, client_id=uuid.uuid4(), household=tree.household_b)
    check_issue(
        point=point, item=n95, qty=100, client_id=uuid.uuid4(), recipient="张伟 13812345678"
    )
    check_transfer(point=point, to_point=hub, item=n95, qty=50, client_id=uuid.uuid4())
    return d


def test_each_unit_is_traced_to_where_it_went(point, hub, n95, tree, people):
    d = _life(point, hub, n95, tree, people)
    line = public_donation(d.number).lines[0]
    got = {(x.where, x.point, x.unit): x.qty for x in line.destinations}
    assert got == {
        (Where.ISSUED, "芷园社区物资点", "芙蓉区人民医院"): 120,
        (Where.RESIDENTS, "芷园社区物资点", "residents of 芷园社区"): 30,
        (Where.ISSUED, "红星社区物资点", "another unit (name not published)"): 100,
        (Where.IN_TRANSIT, "红星社区物资点", "芷园社区物资点"): 50,
        (Where.IN_STOCK, "红星社区物资点", ""): 150,
        (Where.IN_STOCK, "芷园社区物资点", ""): 50,
    }
    assert sum(got.values()) == 500 and line.passed_on == 250
    staff = traced_donation(scope_of(people.district), d.number).lines[0]
    assert any(x.unit == "张伟 13812345678" for x in staff.destinations)  # staff see the record


def test_a_reversed_issue_goes_back_into_stock_on_the_trace(point, n95):
    d = donate(point, [LineIn(n95, 50)])
    w = check_issue(point=point, item=n95, qty=20, client_id=uuid.uuid4(), recipient="红星社区")
    check_reverse(movement=w.movements[0], client_id=uuid.uuid4(), reason="录错")
    (only,) = public_donation(d.number).lines[0].destinations
    assert (only.where, only.qty) == (Where.IN_STOCK, 50)


def test_bought_stock_issued_first_is_not_counted_as_the_donation(point, n95):
    receive(point, n95, 100, expires_on=SOON)  # expires first: FEFO takes it
    d = donate(point, [LineIn(n95, 50)])
    check_issue(point=point, item=n95, qty=100, client_id=uuid.uuid4(), recipient="芙蓉区人民医院")
    (only,) = public_donation(d.number).lines[0].destinations
    assert (only.where, only.qty) == (Where.IN_STOCK, 50)


def test_the_public_page_needs_no_login_and_names_no_person(client, point, hub, n95, tree, people):
    d = _life(point, hub, n95, tree, people)
    response = client.get(reverse("supplies:public_donations"))
    assert response.status_code == 200
    text = response.content.decode()
    assert d.number in text and "芙蓉区人民医院" in text and "芷园社区居民" in text
    for secret in (
        "刘德华",
        "13733334444",
        "3334444",
        "张伟",
        "13812345678",
        "李娜",
        "2栋",
        "202室",
    ):
        assert secret not in text, secret
    assert "爱心人士" in text
    one = client.get(reverse("supplies:public_donation", args=[d.number])).content.decode()
    assert "芙蓉区人民医院" in one and "张伟" not in one and "刘德华" not in one
    assert client.get(reverse("supplies:public_donation", args=["JZ999999"])).status_code == 404
    assert client.post(reverse("supplies:public_donations")).status_code == 405


def test_the_public_page_is_paged_and_its_queries_do_not_grow(
    client, point, n95, django_assert_max_num_queries
):
    for n in range(25):
        d = donate(point, [LineIn(n95, 10 + n)])
        check_issue(point=point, item=n95, qty=1, client_id=uuid.uuid4(), recipient="红星社区")
    with django_assert_max_num_queries(8):
        first = client.get(reverse("supplies:public_donations")).content.decode()
    assert d.number in first and "page=2" in first
    second = client.get(reverse("supplies:public_donations") + "?page=2").content.decode()
    assert "JZ" in second and d.number not in second and "page=2" not in second
    assert client.get(reverse("supplies:public_donations") + "?page=x").status_code == 200


@given(
    st.text(
        alphabet=st.sampled_from(list("张王李刘伟芳娜明红星社区医院卡口站队 0123456789（）")),
        max_size=20,
    )
)
@settings(max_examples=200, deadline=None)
def test_a_recipient_shown_in_public_holds_no_digits_or_spaces_and_names_a_unit(text):
    shown = _published_unit(text, known=set())
    if shown is not None:
        assert not any(c.isdigit() or c.isspace() for c in shown)
        assert shown.endswith(("医院", "社区", "卡口", "站", "队", "区", "院"))


def test_a_recipient_typed_as_a_name_or_a_phone_is_not_published():
    for typed in ("张伟", "李娜家", "13812345678", "王芳 红星社区", "刘德华送医院 13812345678"):
        assert _published_unit(typed, known=set()) is None
    # a person addressed by their post (captain Li, section chief Zhang), or named so
    for typed in ("李队", "张科", "王所", "刘局", "陈院", "李文科", "周建站"):
        assert _published_unit(typed, known=set()) is None, typed
    for unit in ("湘雅二院", "城南派出所", "红星社区", "疾控中心", "芙蓉区采样队"):
        assert _published_unit(unit, known=set()) == unit
    assert _published_unit("芙蓉区人民医院", known=set()) == "芙蓉区人民医院"
    assert _published_unit("红星1号", known={"红星1号"}) == "红星1号"


def test_the_keeper_records_a_donation_on_the_page(point, n95, people, login):
    client = login(people.warehouse)
    url = reverse("supplies:donate", args=["HX01"])
    assert client.get(url).status_code == 200
    form = {
        "client_id": str(uuid.uuid4()),
        "donor_kind": "organisation",
        "donor_name": "长沙爱心医疗器械有限公司",
        "phone": "139 1111 2222",
        "item": [str(n95.pk), "", ""],
        "qty": ["５,０００", "", ""],
        "batch": ["", "", ""],
        "expires_on": ["", "", ""],
    }
    response = client.post(url, form)
    assert response.status_code == 302
    assert client.post(url, form).status_code == 302  # pressed twice
    d = Donation.objects.get()
    assert d.lines.get().qty == 5000 and d.donor.phone == "13911112222"
    detail = client.get(response["Location"]).content.decode()
    assert "139****2222" in detail and "13911112222" not in detail
    bad = client.post(url, {**form, "client_id": str(uuid.uuid4()), "qty": ["若干", "", ""]})
    assert bad.status_code == 422 and "若干" in bad.content.decode()
    assert 'value="若干"' in bad.content.decode()  # kept as typed, to correct
    assert Donation.objects.count() == 1


def test_staff_list_donations_of_their_region_only(point, n95, tree, people, login):
    other = make_point(tree.grid_c.parent, code="FL01", name="枫林社区物资点")
    donate(point, [LineIn(n95, 10)])
    far = donate(other, [LineIn(n95, 10)])
    text = login(people.district).get(reverse("supplies:donations")).content.decode()
    assert "红星社区物资点" in text and far.number not in text
    client = login(people.district)
    assert client.get(reverse("supplies:donation", args=[far.number])).status_code == 404
    assert login(people.grid_a).get(reverse("supplies:donations")).status_code == 403


def test_a_phone_records_a_donation_through_the_api_once(point, n95, people, login):
    client = login(people.warehouse)
    url = reverse("api:post_donation", args=["HX01"])
    body = {
        "client_id": str(uuid.uuid4()),
        "donor_kind": "person",
        "donor_name": "刘德华",
        "phone": "13733334444",
        "lines": [{"item": "N95口罩", "qty": 300}],
    }
    first = client.post(url, body, content_type="application/json").json()
    again = client.post(url, body, content_type="application/json").json()
    assert first["created"] and not again["created"] and first["number"] == again["number"]
    assert first["lines"][0]["destinations"] == [
        {"where": "in_stock", "point": "红星社区物资点", "unit": "", "qty": 300}
    ]
    unknown = client.post(
        url,
        {**body, "client_id": str(uuid.uuid4()), "lines": [{"item": "金条", "qty": 1}]},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and "金条" in unknown.json()["detail"]["line1_item"]
    listed = client.get(reverse("api:list_donations")).json()
    assert [d["number"] for d in listed] == [first["number"]]
    assert "13733334444" not in str(listed)
