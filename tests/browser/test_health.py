"""A resident reports through the building's QR page; a grid worker calls who is missing."""

import os

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn
from fangkong.health.services import check_start_observation, issue_building_link, link_token

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FANGKONG_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_resident_reports_a_fever_through_the_qr_page_on_a_phone(
    live_server, tree, people, phone
):
    link = issue_building_link(
        user=people.grid_a, scope=scope_of(people.grid_a), building=tree.building_a
    )
    phone.goto(live_server.url + reverse("health:resident", args=[link_token(link)]))
    assert "1栋" in phone.locator("h1").inner_text()
    text = phone.locator("main").inner_text()
    assert "张*" in text and "张伟" not in text  # names partly masked
    phone.check(f"input[name=person][value='{tree.person_a.pk}']")
    phone.fill("input[name=temperature]", "38.4")
    phone.check("input[name=symptoms][value=cough]")
    _shot(phone, "resident-form")
    phone.click("button.primary")
    phone.wait_for_selector("#reported")
    assert "网格员" in phone.locator("#reported").inner_text()  # told who will call
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
