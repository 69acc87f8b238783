"""Headquarters reads the city's daily report on a desktop and on a phone, follows a figure to
its list, issues the report twice (version 2 says what changed) and downloads it as Excel."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.health.services.checkins import CheckInData, record_check_ins

from ..reports.conftest import check_in, watch
from .conftest import log_in, shot

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
PHONE = {**DESKTOP, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _seed(tree):
    """Two people under watch since two days ago; today 张伟 checked in, 李娜 not yet."""
    for person in (tree.person_a, tree.person_b):
        watch(person, "home_observation", dt.date.today() - dt.timedelta(days=2))
    check_in(tree.person_a, timezone.now() - dt.timedelta(minutes=1))


def _open(browser, screen):
    context = browser.new_context(**(DESKTOP if screen == "desktop" else PHONE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _figure(page, section: str, label: str):
    """The row of a section's figure table whose label is LABEL."""
    return page.locator(f"#{section} table.report:not(.rows) tbody tr").filter(
        has=page.locator(f"th:text-matches('^{label}')")
    )


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_daily_report_shows_each_section_by_region_and_drills_down(
    screen, live_server, tree, people, browser
):
    _seed(tree)
    context, page, errors = _open(browser, screen)
    log_in(page, live_server, "hq")
    page.goto(live_server.url + reverse("reports:daily") + f"?region={tree.city.code}")
    assert page.locator("h1").inner_text().startswith("长沙市")
    assert page.locator("#registry h2").inner_text() == "人口登记"
    assert page.locator("#health h2").inner_text() == "健康监测"
    head = page.locator("#health table.report:not(.rows) thead th").all_inner_texts()
    assert head[1:3] == ["今天", "昨日"], head
    # today 1 of the 2 under watch has not reported; yesterday neither had
    cells = _figure(page, "health", "未报").locator("td.n").all_inner_texts()
    assert [c.strip() for c in cells[:2]] == ["1", "2"], cells
    for section in ("registry", "health"):
        regions = page.locator(f"#{section} table.rows tbody th").all_inner_texts()
        assert regions == ["芙蓉区", "天心区"], (section, regions)
    if screen == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    shot(page, f"report-{screen}")

    with page.expect_navigation() as landed:
        _figure(page, "health", "未报").locator("td.n a").first.click()
    assert landed.value is not None and landed.value.status == 200
    assert "/health/" in page.url and f"region={tree.city.code}" in page.url, page.url
    shot(page, f"report-{screen}-drill")
    assert errors == []
    context.close()


def test_issuing_the_report_makes_versions_and_it_downloads_as_excel(
    live_server, tree, people, browser
):
    _seed(tree)
    context, page, errors = _open(browser, "desktop")
    log_in(page, live_server, "hq")
    live = live_server.url + reverse("reports:daily") + f"?region={tree.city.code}"
    page.goto(live)
    page.click("form.issue button:has-text('签发本报告')")
    page.wait_for_url("**version=1**")
    assert "第 1 版" in page.locator("h1").inner_text()
    assert "hq" in page.locator("p.issued").inner_text()
    assert page.locator("section.changes").count() == 0  # nothing before version 1

    record_check_ins(  # 李娜 reports after all
        items=[CheckInData(uuid.uuid4(), tree.person_b.pk, "36.6")],
        persons={tree.person_b.pk: tree.person_b.region_path},
    )
    page.goto(live)
    assert page.locator("section.changes").count() == 1  # the live page: since version 1
    page.click("form.issue button")
    page.wait_for_url("**version=2**")
    assert "第 2 版" in page.locator("h1").inner_text()
    assert "hq" in page.locator("p.issued").inner_text()
    changes = page.locator("section.changes")
    assert changes.locator("h2").inner_text() == "与第 1 版相比的变化"
    rows = [r.split("\t") for r in changes.locator("tbody tr").all_inner_texts()]
    not_reported = [r for r in rows if r[2].strip() == "未报" and r[1].strip() == "长沙市"]
    assert [(r[3].strip(), r[4].strip()) for r in not_reported] == [("1", "0")], rows
    shot(page, "report-v2")

    with page.expect_download() as download:
        page.click("a:has-text('下载 Excel')")
    assert download.value.suggested_filename.endswith("-v2.xlsx")
    with open(download.value.path(), "rb") as f:
        assert f.read(4) == b"PK\x03\x04"  # a zip: the .xlsx container
    href = page.locator("a:has-text('下载 Excel')").get_attribute("href")
    answer = context.request.get(live_server.url + href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert errors == []
    context.close()
