"""The keeper's pages on a phone: first page, a point's balances, the movement forms (through
the same services), the stock card; the API with client ids."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.accounts.models import AuditEntry
from fangkong.supplies.models import Balance, Movement

from .conftest import make_point, receive

pytestmark = pytest.mark.django_db


def test_the_keeper_lands_on_their_points_with_balances(point, n95, people, login, tree):
    receive(point, n95, 480)
    make_point(tree.community_b, code="ZY01", name="芷园社区物资点")  # not theirs
    client = login(people.warehouse)
    response = client.get("/", follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("supplies:home")
    assert "红星社区物资点" in text and "N95口罩" in text and "480" in text
    assert "芷园社区物资点" not in text
    assert client.get(reverse("supplies:point", args=["ZY01"])).status_code == 404


def test_staff_read_every_point_of_their_region_but_record_nothing(point, people, login, tree):
    make_point(tree.grid_c.parent, code="FL01", name="枫林社区物资点")
    client = login(people.district)
    text = client.get(reverse("supplies:home")).content.decode()
    assert "红星社区物资点" in text and "枫林社区物资点" not in text
    assert client.get(reverse("supplies:issue", args=["HX01"])).status_code == 403


def test_issuing_on_the_page_goes_through_the_service_once_per_client_id(point, n95, people, login):
    receive(point, n95, 100)
    client = login(people.warehouse)
    form = {"client_id": str(uuid.uuid4()), "item": n95.pk, "qty": "３０", "recipient": "医院"}
    url = reverse("supplies:issue", args=["HX01"])
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # pressed twice
    assert Balance.objects.get(point=point, item=n95).qty == 70


def test_an_issue_beyond_the_stock_is_told_how_much_is_left(point, n95, people, login):
    receive(point, n95, 10)
    client = login(people.warehouse)
    response = client.post(
        reverse("supplies:issue", args=["HX01"]),
        {"client_id": str(uuid.uuid4()), "item": n95.pk, "qty": "11", "recipient": "医院"},
    )
    assert response.status_code == 422
    assert "仅剩10个" in response.content.decode()


def test_receiving_counting_and_transferring_on_the_page(point, n95, people, login, tree):
    make_point(tree.community_b, code="ZY01", name="芷园社区物资点", keeper=people.warehouse)
    client = login(people.warehouse)

    def post(action, **form):
        url = reverse(f"supplies:{action}", args=["HX01"])
        return client.post(url, {"client_id": str(uuid.uuid4()), "item": n95.pk, **form})

    assert post("receive", qty="5,000", origin="donation", supplier="爱心企业").status_code == 302
    assert post("count", counted="4990", reason="破损").status_code == 302
    assert post("transfer", qty="990", to="ZY01").status_code == 302
    assert Balance.objects.get(point=point, item=n95).qty == 4000
    transfer = Movement.objects.get(kind="transfer_out").transfer
    page = client.get(reverse("supplies:point", args=["ZY01"])).content.decode()
    assert "在途待接收" in page
    take = reverse("supplies:take_in", args=[transfer.pk])
    assert client.post(take, {"client_id": str(uuid.uuid4())}).status_code == 302
    assert Balance.objects.get(point__code="ZY01", item=n95).qty == 990


def test_the_stock_card_lists_every_movement_with_its_running_balance(point, n95, people, login):
    receive(point, n95, 100)
    from fangkong.supplies.services import check_issue

    check_issue(point=point, item=n95, qty=40, client_id=uuid.uuid4(), recipient="芙蓉区人民医院")
    response = login(people.warehouse).get(reverse("supplies:card", args=["HX01", n95.pk]))
    import io

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:7] == ("日期", "类型", "批次号", "有效期至", "收入", "发出", "结存")
    assert [r[4:8] for r in rows[2:]] == [
        (100, None, 100, "湖南医疗器械公司"),
        (None, 40, 60, "芙蓉区人民医院"),
    ]
    assert AuditEntry.objects.filter(action="export", object_type="stock_card").count() == 1


def test_the_api_issues_with_a_client_id_and_says_how_much_is_left(point, n95, people, login):
    receive(point, n95, 50)
    client = login(people.warehouse)
    url = reverse("api:post_issue", args=["HX01"])
    body = {"client_id": str(uuid.uuid4()), "item": "N95口罩", "qty": 20, "recipient": "医院"}
    first = client.post(url, body, content_type="application/json").json()
    again = client.post(url, body, content_type="application/json").json()
    assert first["created"] and not again["created"]
    assert first["movements"][0]["qty"] == -20
    short = client.post(
        url, {**body, "client_id": str(uuid.uuid4()), "qty": 31}, content_type="application/json"
    )
    assert short.status_code == 422 and short.json()["left"] == 30
    balances = client.get(reverse("api:point_balances", args=["HX01"])).json()
    assert balances == [
        {"item": "N95口罩", "unit": "个", "batch": "", "expires_on": None, "qty": 30}
    ]


def test_the_list_of_points_costs_the_same_queries_for_any_number_of_points(
    tree, people, login, n95, django_assert_max_num_queries
):
    for n in range(12):
        receive(make_point(tree.community_a, code=f"P{n}", name=f"物资点{n}"), n95, 10 + n)
    client = login(people.district)
    with django_assert_max_num_queries(12):
        text = client.get(reverse("supplies:home")).content.decode()
    assert "物资点11" in text and "<b>21</b>" in text


def test_the_daily_report_counts_the_days_stock_and_lists_points_out_of_a_key_item(
    tree, people, point, n95
):
    from django.utils import timezone

    from fangkong.accounts.scope import scope_of
    from fangkong.reports.sections import until_of
    from fangkong.supplies.report import supplies_figures
    from fangkong.supplies.services import check_issue

    receive(point, n95, 10)
    check_issue(point=point, item=n95, qty=10, client_id=uuid.uuid4(), recipient="医院")
    today = timezone.localdate()
    answer = supplies_figures(scope_of(people.street), tree.street, today, until_of(today))
    figures = {f.key: f.value for f in answer.figures}
    assert figures["receipts"] == 1 and figures["issues"] == 1 and figures["points"] == 1
    assert figures[f"item_{n95.pk}"] == 0 and figures["shortages"] == 1
    (item,) = answer.outstanding
    assert "红星社区物资点" in item.label and item.region_code == tree.community_a.code


def test_the_daily_report_s_drill_downs_list_the_region_s_points(tree, people, point, n95, login):
    from django.utils import timezone

    from fangkong.accounts.scope import scope_of
    from fangkong.reports.sections import until_of
    from fangkong.supplies.report import supplies_figures
    from fangkong.supplies.services import check_issue

    make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    receive(point, n95, 10)
    check_issue(point=point, item=n95, qty=10, client_id=uuid.uuid4(), recipient="医院")
    today = timezone.localdate()
    got = supplies_figures(scope_of(people.street), tree.community_b, today, until_of(today))
    link = next(f.link for f in got.figures if f.key == "points")
    client = login(people.street)
    page = client.get(link.url).content.decode()
    assert "芷园社区物资点" in page and "红星社区物资点" not in page
    assert "· 芷园社区</small>" in page  # the page says which region it lists
    street = supplies_figures(scope_of(people.district), tree.street, today, until_of(today))
    (short,) = street.outstanding  # 红星社区物资点 is out of N95
    page = login(people.district).get(short.link.url).content.decode()
    assert "红星社区物资点" in page and "芷园社区物资点" not in page
    whole = client.get(reverse("supplies:home")).content.decode()
    assert "红星社区物资点" in whole and "芷园社区物资点" in whole
    assert client.get(reverse("supplies:home") + "?region=430103").status_code == 404
