"""Days of cover and what to order, per item at a point and across a region, from the issues
of the last weeks (the solvers' forecast), testing campaigns' planned use and the receipts
enterprises have promised."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.ops.outbreak.clock import clock_at, local
from fangkong.reports.sections import registered, until_of
from fangkong.screening.services import check_create_campaign
from fangkong.supplies.choices import Category
from fangkong.supplies.daily import daily_report
from fangkong.supplies.models import OutputReport
from fangkong.supplies.selectors import point_cover, region_cover
from fangkong.supplies.services import StockInvalid, check_issue, check_report_output, save_item

from .conftest import make_point, receive

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def issue_daily(point, item, per_day, days, recipient="芙蓉区人民医院"):
    """``per_day`` issued on each of the last ``days`` days."""
    for d in range(days, 0, -1):
        with clock_at(local(TODAY - dt.timedelta(days=d), 10)):
            check_issue(
                point=point, item=item, qty=per_day, client_id=uuid.uuid4(), recipient=recipient
            )


def of(cover, item):
    return next(c for c in cover if c.item == item)


def test_a_steady_use_gives_days_of_cover_a_stockout_day_and_an_order(point, n95, people):
    with clock_at(local(TODAY - dt.timedelta(days=20), 8)):
        receive(point, n95, 180)
    issue_daily(point, n95, 10, 8)  # 100 left, 10 a day
    c = of(point_cover(scope_of(people.warehouse), point), n95)
    assert (c.stock, c.method, c.daily_use) == (100, "mean_7_days", 10.0)
    assert c.days_of_cover == 10.0 and c.stockout_on == TODAY + dt.timedelta(days=10)
    assert c.order_qty == 30 * 10 - 100
    assert "10.0" in c.explain


def test_a_lot_past_its_expiry_covers_no_day(point, suits, tree, people):
    # 90 suits whose lot expired a month ago: the page said "more than 30 days" and ordered
    # none, the daily report listed no shortage
    old = TODAY - dt.timedelta(days=40)
    with clock_at(local(old, 9)):
        receive(point, suits, 100, batch="OLD", expires_on=old + dt.timedelta(days=10))
    issue_daily(point, suits, 1, 10)
    c = of(point_cover(scope_of(people.warehouse), point), suits)
    assert (c.stock, c.days_of_cover, c.stockout_on) == (0, 0.0, TODAY)
    assert c.order_qty == 30
    report = daily_report(scope_of(people.hq), tree.city, TODAY - dt.timedelta(days=1))
    assert [d.item for d in report.short] == [suits]
    assert report.items[0].closing == 90  # still on the books, to be written off
    # on a day it was still good, it covered
    report = daily_report(scope_of(people.hq), tree.city, old + dt.timedelta(days=5))
    assert report.items[0].cover.stock == 100 and report.short == []
    # the daily report's section says the same of the key item, and so does its trend
    section = next(s for s in registered() if s.key == "supplies")
    hq, days = scope_of(people.hq), [old + dt.timedelta(days=5), TODAY - dt.timedelta(days=1)]
    moments = [(d, until_of(d)) for d in days]
    low = [
        {f.key: f.value for f in section.figures(hq, tree.city, d, u).figures}["low_cover"]
        for d, u in moments
    ]
    assert low == [0, 1]
    assert [t["low_cover"] for t in section.trend(hq, tree.city, moments)] == low


def test_a_region_with_weeks_of_history_is_forecast_with_a_trend_a_point_by_its_week(
    point, n95, tree, people
):
    with clock_at(local(TODAY - dt.timedelta(days=30), 8)):
        receive(point, n95, 5000)
    for d, qty in zip(range(20, 0, -1), [10 + 3 * n for n in range(20)], strict=True):
        with clock_at(local(TODAY - dt.timedelta(days=d), 10)):
            check_issue(point=point, item=n95, qty=qty, client_id=uuid.uuid4(), recipient="医院")
    region = of(region_cover(scope_of(people.district), tree.district), n95)
    assert region.method == "holt_damped" and region.daily_use > 60  # rising, above the week's
    here = of(point_cover(scope_of(people.warehouse), point), n95)
    assert here.method == "mean_7_days" and here.daily_use == 58.0  # 49..67, the last 7 days


def test_an_item_nobody_uses_lasts_beyond_the_horizon(point, n95, people):
    receive(point, n95, 10)
    c = of(point_cover(scope_of(people.warehouse), point), n95)
    assert c.days_of_cover is None and c.order_qty == 0 and not c.short


def test_a_planned_testing_round_counts_its_swabs_tubes_and_suits(point, tree, people):
    swabs = save_item(name="核酸采样拭子", unit="支", category=Category.TESTING)
    tubes = save_item(name="核酸采样管", unit="支", category=Category.TESTING)
    receive(point, swabs, 1)
    check_create_campaign(
        user=None, scope=None, region=tree.community_a, start_on=TODAY, end_on=TODAY, pool_size=1
    )
    cover = point_cover(scope_of(people.warehouse), point)
    swab, tube = of(cover, swabs), of(cover, tubes)
    assert swab.planned == 2 and tube.planned == 2  # 张伟 and 张小明, one a tube
    assert swab.days_of_cover == 0.5 and swab.short  # one swab for two people today
    assert tube.stock == 0 and tube.days_of_cover == 0.0 and tube.order_qty == 2


def test_a_campaign_elsewhere_plans_nothing_here(point, tree, people):
    swabs = save_item(name="核酸采样拭子", unit="支", category=Category.TESTING)
    receive(point, swabs, 5)
    check_create_campaign(
        user=None, scope=None, region=tree.community_b, start_on=TODAY, end_on=TODAY, pool_size=1
    )
    assert of(point_cover(scope_of(people.warehouse), point), swabs).planned == 0


def test_receipts_enterprises_promised_lengthen_the_cover_and_shorten_the_order(point, n95, people):
    with clock_at(local(TODAY - dt.timedelta(days=20), 8)):
        receive(point, n95, 130)
    issue_daily(point, n95, 10, 8)  # 50 left
    check_report_output(
        point=point,
        enterprise="长沙防护用品厂",
        item=n95,
        made_on=TODAY,
        made=1000,
        deliver_qty=100,
        deliver_on=TODAY + dt.timedelta(days=3),
    )
    c = of(point_cover(scope_of(people.warehouse), point), n95)
    assert c.days_of_cover == 5.0 and c.expected == 100 and c.cover_with_expected == 15.0
    assert c.order_qty == 300 - 50 - 100


def test_an_output_report_again_replaces_the_first_and_wrong_ones_say_why(point, n95):
    fields = {
        "point": point,
        "enterprise": "长沙防护用品厂",
        "item": n95,
        "made_on": TODAY,
        "deliver_on": TODAY,
    }
    _r, created = check_report_output(made=100, deliver_qty=50, **fields)
    _r, again = check_report_output(made=120, deliver_qty=60, **fields)
    assert (created, again) == (True, False)
    assert OutputReport.objects.get().deliver_qty == 60
    with pytest.raises(StockInvalid) as e:
        check_report_output(
            point=point,
            enterprise=" ",
            item=n95,
            made_on=TODAY + dt.timedelta(days=1),
            made=10,
            deliver_qty=11,
            deliver_on=TODAY,
        )
    assert set(e.value.errors) == {"enterprise", "made_on", "deliver_qty", "deliver_on"}
    assert "10" in e.value.errors["deliver_qty"]


def test_a_region_adds_up_its_points_stock_and_use(point, n95, tree, people):
    other = make_point(tree.community_b, code="ZY01", name="芷园社区物资点")
    with clock_at(local(TODAY - dt.timedelta(days=20), 8)):
        receive(point, n95, 100)
        receive(other, n95, 100)
    issue_daily(point, n95, 5, 7)
    issue_daily(other, n95, 5, 7)
    c = of(region_cover(scope_of(people.district), tree.district), n95)
    assert (c.stock, c.daily_use, c.days_of_cover) == (130, 10.0, 13.0)


def test_the_pages_show_cover_to_those_who_reach_it(point, n95, tree, people, login):
    with clock_at(local(TODAY - dt.timedelta(days=20), 8)):
        receive(point, n95, 180)
    issue_daily(point, n95, 10, 8)
    keeper = login(people.warehouse)
    text = keeper.get(reverse("supplies:point", args=["HX01"])).content.decode()
    assert "可保障天数" in text and "<b>10.0</b>" in text
    assert keeper.get(reverse("supplies:cover")).status_code == 403
    staff = login(people.district)
    text = staff.get(reverse("supplies:cover")).content.decode()
    assert "芙蓉区" in text and "<b>10.0</b>" in text and "新华街道" in text
    assert staff.get(reverse("supplies:cover") + "?region=430103").status_code == 404
    assert staff.get(reverse("supplies:cover") + "?region=430102001001").status_code == 200


def test_the_keeper_records_an_output_report_on_the_page(point, n95, people, login):
    client = login(people.warehouse)
    form = {
        "enterprise": "长沙防护用品厂",
        "item": n95.pk,
        "made_on": TODAY.isoformat(),
        "made": "2,000",
        "point": "HX01",
        "deliver_qty": "５００",
        "deliver_on": (TODAY + dt.timedelta(days=2)).isoformat(),
    }
    assert client.post(reverse("supplies:output"), form).status_code == 302
    assert OutputReport.objects.get().deliver_qty == 500
    bad = client.post(reverse("supplies:output"), {**form, "deliver_qty": "3000"})
    assert bad.status_code == 422
    staff = login(people.district)
    assert "长沙防护用品厂" in staff.get(reverse("supplies:output")).content.decode()
    assert staff.post(reverse("supplies:output"), form).status_code == 403


def test_the_morning_job_works_out_each_regions_demand_once(point, n95, tree, capsys):
    import json

    from django.core.cache import cache
    from django.core.management import call_command

    with clock_at(local(TODAY - dt.timedelta(days=20), 8)):
        receive(point, n95, 180)
    issue_daily(point, n95, 10, 3)
    call_command("supplies", "forecast", "--region", tree.district.code, "--json")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == {"regions": 3, "items": 3}  # HX01's district, street and community
    key = f"supplies:demand:r{tree.district.path}:{TODAY.isoformat()}"
    assert cache.get(key)["N95口罩"][0] == "mean_7_days"
