"""The frame on a 390×844 phone: error pages, the header in both languages, the favicon, and
the first page of each role that has little to do yet."""

import datetime as dt

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.services import check_create_checkpoint

from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


def _shot(page, name):
    shot(page, f"frame-{name}")


def _log_in(page, live_server, username):
    log_in(page, live_server, username)


def _inside_the_screen(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box


def _dead_links(page):
    """Every link on the page fetched with the page's own session: those answering 4xx/5xx."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    dead = []
    for href in sorted(set(hrefs)):
        if href.startswith(("http://", "https://")):
            status = page.request.get(href).status
            if status >= 400:
                dead.append((href, status))
    return dead


def test_a_forbidden_page_is_chinese_in_the_frame_with_a_way_back(live_server, people, phone):
    _log_in(phone, live_server, "hospital")
    phone.goto(live_server.url + reverse("people:search"))  # what the old header offered
    assert phone.locator("h1").inner_text() == "您不能打开这个页面"
    assert phone.locator("header.top .brand").inner_text() == "防控"
    fits_the_phone(phone)
    _inside_the_screen(phone, "text=回到首页")
    _shot(phone, "403")
    phone.click("text=回到首页")
    phone.wait_for_url(live_server.url + reverse("beds:home"))  # a hospital's first page
    assert phone.locator("h1").inner_text().startswith("床位")  # and the region it shows


def test_a_missing_page_offers_back_and_home(live_server, tree, people, phone):
    _log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + "/no-such-page/")
    assert phone.locator("h1").inner_text() == "找不到这个页面"
    fits_the_phone(phone)
    _shot(phone, "404")
    phone.click("text=返回上一页")  # the browser's own back: to the grid
    phone.wait_for_url(f"**/regions/{tree.grid_a.code}/")


@pytest.mark.parametrize("username", ["hq", "grid_a", "volunteer"])
def test_the_header_fits_a_phone_in_english_and_chinese(live_server, people, phone, username):
    _log_in(phone, live_server, username)
    logout = "header.top form.logout button"
    _inside_the_screen(phone, logout)
    fits_the_phone(phone)
    phone.click("header.top form.lang button")  # English
    phone.wait_for_selector("text=Log out")
    assert phone.locator(logout).inner_text() == "Log out"
    _inside_the_screen(phone, logout)
    fits_the_phone(phone)
    _shot(phone, f"header-en-{username}")


def test_the_favicon_loads_on_every_page(live_server, tree, people, phone):
    failed = []
    phone.on("response", lambda r: r.status >= 400 and failed.append((r.url, r.status)))
    phone.goto(live_server.url + reverse("accounts:login"))
    icon = phone.locator("link[rel=icon]").get_attribute("href")
    response = phone.request.get(live_server.url + icon)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg")
    old = phone.request.get(live_server.url + "/favicon.ico")  # browsers that ask anyway
    assert old.status == 200 and old.headers["content-type"].startswith("image/svg")
    _log_in(phone, live_server, "grid_a")
    phone.click("text=1栋")
    phone.wait_for_load_state()
    assert failed == []


@pytest.mark.parametrize(
    ("username", "heading", "words"),
    [
        ("warehouse", "物资点", ["您还没有保管的物资点"]),  # their points (none in this tree)
        ("lab", "欢迎，lab", ["试管", "检测结果"]),
        ("hospital", "床位", ["尚未归属收治机构", "指挥部"]),  # no facility in this tree yet
        ("volunteer", "卡口", ["芙蓉路卡口", "07:00–22:00"]),
    ],
)
def test_each_role_lands_on_a_page_with_content_and_no_dead_link(
    live_server, tree, people, phone, username, heading, words
):
    check_create_checkpoint(
        scope=scope_of(people.community),
        region=tree.community_a,
        name="芙蓉路卡口",
        opens_at=dt.time(7),
        closes_at=dt.time(22),
    )
    _log_in(phone, live_server, username)
    assert phone.locator("h1").inner_text().startswith(heading)
    main = phone.locator("main").inner_text()
    assert "不能查看居民登记信息" not in main
    assert all(w in main for w in words), main
    fits_the_phone(phone)
    _shot(phone, f"home-{username}")
    assert _dead_links(phone) == []
