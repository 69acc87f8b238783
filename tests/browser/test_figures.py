"""Headquarters reads figures that say whom they count; a community officer decides who must
report, and the missing list follows."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from fangkong.health.services import CheckInData, record_check_ins

from ..conftest import make_person, start_watch
from .conftest import log_in, shot

pytestmark = pytest.mark.browser
# screenshots to look at: FANGKONG_SCREENSHOTS=/tmp (files figures-*.png)


def _shot(page, name):
    shot(page, f"figures-{name}")


def _log_in(page, live_server, username):
    log_in(page, live_server, username)


def _no_sideways_scroll(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_headquarters_sees_no_share_over_a_hundred_percent_and_whom_each_counts(
    live_server, tree, people, phone
):
    # six reported, none of them under watch; the two under watch did not report
    reporters = [tree.person_a, tree.child_a, *(make_person(tree.grid_a) for _ in range(4))]
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), p.pk, "36.5") for p in reporters],
        persons={p.pk: p.region_path for p in reporters},
    )
    for grid in (tree.grid_a, tree.grid_b):
        person = make_person(grid, name="返乡人员")
        start_watch(person, start=dt.date.today(), end=dt.date.today() + dt.timedelta(days=6))
    _log_in(phone, live_server, "hq")
    phone.goto(live_server.url + reverse("health:staff") + f"?region={tree.city.code}")
    shares = [int(s.rstrip("%")) for s in phone.locator(".share").all_inner_texts()]
    assert shares and all(0 <= s <= 100 for s in shares), shares
    first = phone.locator("dl.figures").first
    assert first.locator("dt").first.inner_text() == "需上报：观察对象"
    assert first.locator("dd.due").inner_text() == "需上报 2 人中已报 0 人 · 0%"
    body = phone.locator("main").inner_text()
    assert "6 人次 / 6 人" in body and "登记居民" in body
    assert not re.search(r"\b[1-9]\d{2,}%", body)  # no 300%
    _no_sideways_scroll(phone)
    _shot(phone, "hq")


def test_a_community_officer_switches_on_universal_reporting_and_the_list_changes(
    live_server, tree, people, phone
):
    _log_in(phone, live_server, "community")
    phone.goto(live_server.url + reverse("health:missing", args=[tree.grid_a.code]))
    rule = phone.locator("p.rule").inner_text()
    assert rule.startswith("默认规则：仅观察对象需每日上报")
    assert "无人需要上报" in phone.locator("main").inner_text()
    assert phone.locator(".call-list").count() == 0
    _no_sideways_scroll(phone)
    _shot(phone, "missing-before")
    phone.click("p.rule a")
    phone.wait_for_url("**/health/rules/**")
    phone.check("input[value=everyone]")
    _no_sideways_scroll(phone)
    _shot(phone, "rule")
    phone.click("button.primary")
    phone.wait_for_url(f"**/health/missing/{tree.grid_a.code}/")
    assert phone.locator("p.rule").inner_text().startswith("红星社区规则：全体居民需每日上报")
    names = phone.locator(".call-list").inner_text()
    assert "张伟" in names and "张小明" in names
    assert "需上报 2 人中，2 人今天还没有上报。" in phone.locator("main").inner_text()
    _no_sideways_scroll(phone)
    _shot(phone, "missing-after")
