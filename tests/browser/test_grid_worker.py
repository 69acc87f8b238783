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
    phone.click("text=显示完整证件号、电话和出生日期")
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


def test_a_grid_worker_registers_a_newcomer_on_a_phone(live_server, tree, people, phone):
    import datetime as dt

    from fangkong.common.idnumbers import make

    number = make("430102", dt.date(1995, 5, 5), 21)
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "grid_a")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.goto(live_server.url + reverse("people:household", args=[tree.household_a.pk]))
    phone.click("text=登记居民")
    phone.fill("input[name=name]", "赵新来")
    phone.fill("input[name=id_number]", number[:-1] + ("0" if number[-1] != "0" else "1"))
    phone.fill("input[name=phone]", "139 1234 0000")
    phone.check("text=风险地区返乡")
    phone.fill("input[name=returned_from]", "武汉")
    phone.click("button.primary")
    assert phone.locator(".error").first.inner_text().startswith("身份证号校验位错误")
    _shot(phone, "register-error")
    phone.fill("input[name=id_number]", number)
    phone.click("button.primary")
    phone.wait_for_url("**/people/*/")
    text = phone.locator("main").inner_text()
    assert "赵新来" in text and "风险地区返乡 · 武汉" in text
    _shot(phone, "registered")
