"""Headquarters opens its dashboard on a desktop and on a phone: the charts draw, a tile goes
one level down, a figure opens the list behind it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ..conftest import PASSWORD
from ..reports.conftest import check_in, watch
from .conftest import shot

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
PHONE = {**DESKTOP, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _seed(tree):
    for person in (tree.person_a, tree.person_b):
        watch(person, "home_observation", dt.date.today() - dt.timedelta(days=2))
    check_in(tree.person_a, timezone.now() - dt.timedelta(minutes=1))


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_dashboard_draws_its_charts_and_drills_down(screen, live_server, tree, people, browser):
    _seed(tree)
    context = browser.new_context(**(DESKTOP if screen == "desktop" else PHONE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", "hq")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/reports/dashboard/")  # headquarters' first page
    page.wait_for_selector(".chart canvas")
    boxes = page.locator(".chart")
    assert boxes.count() >= 4
    for i in range(boxes.count()):
        assert boxes.nth(i).locator("canvas").count() == 1, i
    width = 1366 if screen == "desktop" else 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"dash-{screen}")

    page.click("li.tile a:has-text('芙蓉区')")
    page.wait_for_url("**/reports/dashboard/?region=430102")
    assert page.locator("h1").inner_text().startswith("芙蓉区")
    page.wait_for_selector(".chart canvas")

    page.click("#figure-health-not_reported .value a")
    page.wait_for_url("**/health/**")  # the district's health page: who has not reported
    assert "region=430102" in page.url
    shot(page, f"dash-{screen}-drill")
    assert errors == []
    context.close()
