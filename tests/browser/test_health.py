"""A resident reports through the building's QR page; a grid worker calls who is missing."""

import os

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn
from fangkong.health.services import check_start_observation, issue_building_link, link_token
from fangkong.regions.models import Household

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FANGKONG_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _fill_building(tree):
    """Building 1栋 with 240 households: units 1-3, floors 1-20, doors 01-04 (张伟 at 1-101)."""
    grid = tree.grid_a
    Household.objects.bulk_create(
        Household(
            grid=grid, building=tree.building_a, region_path=grid.path, unit=str(u), door=door
        )
        for u in range(1, 4)
        for f in range(1, 21)
        for d in range(1, 5)
        if (door := f"{f}{d:02d}") and (str(u), door) != ("1", "101")
    )


def _fits(page):
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 390 and size[1] <= 844, size  # one phone screen, no sideways scroll


def test_a_resident_reports_a_fever_through_the_qr_page_on_a_phone(
    live_server, tree, people, phone
):
    _fill_building(tree)
    link = issue_building_link(
        user=people.grid_a, scope=scope_of(people.grid_a), building=tree.building_a
    )
    phone.goto(live_server.url + reverse("health:resident", args=[link_token(link)]))
    assert "1栋" in phone.locator("h1").inner_text()
    assert phone.locator(".picker a").all_inner_texts() == ["1单元", "2单元", "3单元"]
    _fits(phone)
    _shot(phone, "resident-units")
    phone.click("text=1单元")
    floors = phone.locator(".picker a").all_inner_texts()
    assert floors[:3] == ["1层", "2层", "3层"] and floors[-1] == "20层"  # 10层 after 9层
    _fits(phone)
    _shot(phone, "resident-floors")
    phone.click(".picker a >> text='1层'")
    assert phone.locator(".picker a").all_inner_texts() == ["101", "102", "103", "104"]
    assert "张" not in phone.locator("main").inner_text()  # doors, never people
    _fits(phone)
    phone.click("text=101")
    phone.fill("input[name=proof]", "0000")
    phone.click("button.primary")
    assert "还可以再试 4 次" in phone.locator("#proof-error").inner_text()
    phone.fill("input[name=proof]", "5678")  # the end of 张伟's phone
    phone.click("button.primary")
    legends = phone.locator("legend").all_inner_texts()
    assert legends[0] == "张* · 户主 · 80多岁" and legends[1].startswith("张*明 · ")
    assert "张伟" not in phone.locator("main").inner_text()  # names stay masked
    first = phone.locator("fieldset.member").first
    first.locator("input[type=number]").fill("38.4")
    first.locator("summary").click()
    first.locator("input[value=cough]").check()
    _shot(phone, "resident-form")
    phone.click("button.primary")
    phone.wait_for_selector("#reported")
    assert "网格员" in phone.locator("#reported").inner_text()  # told who will call
    assert "已上报" in phone.locator("fieldset.member").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "resident-done")
    assert CheckIn.objects.get().person == tree.person_a
    assert Alert.objects.get().person == tree.person_a


def test_a_grid_worker_opens_the_missing_list_and_can_call(live_server, tree, people, phone):
    check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=tree.person_a,
        kind="home_observation",
        reason="外地返乡",
    )
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "grid_a")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.wait_for_url(f"**/regions/{tree.grid_a.code}/")
    phone.click(f"a[href='{reverse('health:missing', args=[tree.grid_a.code])}']")
    phone.wait_for_url("**/health/missing/**")
    call = phone.locator("a.call")
    assert call.get_attribute("href") == f"tel:{tree.person_a.phone}"
    assert "张伟" in phone.locator(".call-list").inner_text()
    assert "张小明" not in phone.locator(".call-list").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "missing")
