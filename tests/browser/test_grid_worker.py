"""A grid worker on a phone: log in, open a household, and cannot reach another grid."""

import os

import pytest
from django.urls import reverse

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FANGKONG_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_grid_worker_finds_a_household_on_a_phone(live_server, tree, people, phone):
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "grid_a")
    phone.fill("input[name=password]", PASSWORD)
    _shot(phone, "login")
    phone.click("button.primary")
    phone.wait_for_url(f"**/regions/{tree.grid_a.code}/")
    assert phone.locator("h1").inner_text().startswith("红星第1网格")
    _shot(phone, "grid")
    phone.click("text=1栋")
    phone.wait_for_url("**/buildings/*/")
    _shot(phone, "building")
    phone.click("a[href*='/households/']")
    phone.wait_for_url("**/households/*/")
    text = phone.locator("main").inner_text()
    assert "张伟" in text and "独居老人" in text
    # nothing spills past a 390-pixel screen
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shot(phone, "household")

    phone.click("text=张伟")
    phone.click("text=显示完整证件号和电话")
    phone.wait_for_selector(f"text={tree.person_a.id_number}")
    _shot(phone, "person")

    other = phone.goto(live_server.url + reverse("people:person", args=[tree.person_b.pk]))
    assert other.status == 404
    assert "李娜" not in phone.content()


def test_a_grid_worker_searches_their_grid(live_server, tree, people, phone):
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "grid_a")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.wait_for_url(f"**/regions/{tree.grid_a.code}/")
    phone.fill("input[name=q]", "张")
    phone.click("form.searchbar button")
    phone.wait_for_selector("ul.results")
    names = phone.locator("ul.results li b").all_inner_texts()
    assert sorted(names) == ["张伟", "张小明"]
    # typing narrows the list in place (htmx, served by the project)
    phone.fill("input[name=q]", "李")
    phone.wait_for_selector("text=没有找到。")
