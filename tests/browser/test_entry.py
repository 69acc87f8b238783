"""Readings entered by staff on a 390×844 phone: quick entry a floor at a time, a reading
given on the phone from the call list, a checkpoint's fever, and a case's health page."""

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn, Checkpoint
from fangkong.health.services import check_report_case, check_start_observation
from fangkong.regions.models import Building, Household

from ..conftest import make_person
from .conftest import PHONE, fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


def _shot(page, name):
    shot(page, f"entry-{name}")


def _log_in(page, live_server, username):
    log_in(page, live_server, username)


def _watch(people, person, kind="home_observation"):
    check_start_observation(
        user=people.grid_a, scope=scope_of(people.grid_a), person=person, kind=kind, reason="返乡"
    )


def _building(tree):
    """3栋: unit 1 with floors 1 (1-101 孙一 and 孙二, 1-102 周三), 2 (1-201 吴四) and 10."""
    grid = tree.grid_a
    building = Building.objects.create(grid=grid, region_path=grid.path, name="3栋")
    people = {}
    for door, names in (
        ("101", ["孙一", "孙二"]),
        ("102", ["周三"]),
        ("201", ["吴四"]),
        ("1001", ["郑五"]),
    ):
        h = Household.objects.create(
            grid=grid, building=building, region_path=grid.path, unit="1", door=door
        )
        for n in names:
            people[n] = make_person(grid, name=n, household=h)
    return building, people


def test_a_grid_worker_enters_a_floor_and_one_bad_reading_keeps_the_rest(
    live_server, tree, people, phone
):
    building, residents = _building(tree)
    _log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("health:quick_entry", args=[building.pk]))
    assert phone.locator("h2").first.inner_text() == "1单元 1层"
    assert phone.locator("nav.floors a").all_inner_texts() == ["1层", "2层", "10层"]
    assert "吴四" not in phone.locator("main").inner_text()  # one floor at a time
    fits_the_phone(phone)

    def field(name):
        return phone.locator(f"input[name=t{residents[name].pk}]")

    field("孙一").fill("36.4")
    field("孙二").fill("45")  # a slip of the finger
    field("周三").fill("37.9")
    _shot(phone, "quick-typed")
    phone.click("button.primary")
    phone.wait_for_selector("#entry-error")
    wrong = phone.locator(".entry-row.wrong")
    assert wrong.count() == 1 and "孙二" in wrong.inner_text()
    assert "35.0–42.0" in wrong.inner_text()
    assert field("孙二").input_value() == "45"
    assert "已上报" in phone.locator(".entry-row", has_text="孙一").inner_text()
    assert "37.9 °C" in phone.locator(".entry-row", has_text="周三").inner_text()
    fits_the_phone(phone)
    _shot(phone, "quick-one-wrong")

    field("孙二").fill("36.5")
    phone.click("button.primary")
    phone.wait_for_selector("#saved")
    assert phone.locator("h2").first.inner_text() == "1单元 1层"  # the same floor
    assert CheckIn.objects.count() == 3
    _shot(phone, "quick-saved")
    phone.click("#saved a.button")  # the next floor, one tap away
    phone.wait_for_url("**floor=2")
    assert "吴四" in phone.locator("main").inner_text()
    fits_the_phone(phone)


def test_a_reading_given_on_the_phone_is_entered_from_the_call_list(
    live_server, tree, people, phone
):
    _watch(people, tree.person_a)
    _watch(people, tree.child_a)
    _log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("health:missing", args=[tree.grid_a.code]))
    phone.click(".call-list a >> text=张伟")
    phone.wait_for_selector("details.phone-reading[open]")
    phone.fill("details.phone-reading input[name=temperature]", "37.8")
    phone.locator("details.phone-reading details summary").click()
    phone.check("details.phone-reading input[value=cough]")
    fits_the_phone(phone)
    _shot(phone, "phone-reading")
    phone.click("details.phone-reading button.primary")
    phone.wait_for_url("**/health/missing/**")
    assert "已记录张伟：37.8 °C" in phone.locator("[role=status]").first.inner_text()
    assert phone.locator(".call-list li:target").inner_text().startswith("张小明")
    assert "张伟" not in phone.locator(".call-list").inner_text()
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.source) == (tree.person_a, "phone")
    fits_the_phone(phone)
    _shot(phone, "phone-next")


def test_a_volunteers_checkpoint_fever_reaches_the_grid_workers_alert_queue(
    live_server, tree, people, phone, browser
):
    _watch(people, tree.person_a)
    gate = Checkpoint.objects.create(region=tree.grid_a, region_path=tree.grid_a.path, name="东门")
    _log_in(phone, live_server, "volunteer")
    phone.goto(live_server.url + reverse("health:checkpoint", args=[gate.pk]))
    phone.check("input[name=direction][value=out]")
    phone.fill("input[name=temperature]", "37.6")
    phone.fill("input[name=id_number]", tree.person_a.id_number)
    phone.fill("input[name=reason]", "劝返回家")
    phone.click("button[value=turned_back]")
    phone.wait_for_selector(".notice")
    notice = phone.locator(".notice").inner_text()
    assert "居家观察中：不应外出" in notice
    text = phone.locator("main").inner_text()
    for secret in ("张伟", tree.person_a.id_number, "返乡"):
        assert secret not in text
    fits_the_phone(phone)
    _shot(phone, "checkpoint-notice")
    assert Alert.objects.get().person == tree.person_a

    context = browser.new_context(**PHONE)
    worker = context.new_page()
    try:
        _log_in(worker, live_server, "grid_a")
        worker.goto(live_server.url + reverse("health:alerts"))
        assert "张伟" in worker.locator("main").inner_text()
        assert "37.6" in worker.locator("main").inner_text()
        fits_the_phone(worker)
        _shot(worker, "alert-queue")
        worker.goto(live_server.url + reverse("health:person", args=[tree.person_a.pk]))
        assert "卡口" in worker.locator("main").inner_text()
    finally:
        context.close()


def test_a_cases_health_page_shows_the_case(live_server, tree, people, phone):
    check_report_case(
        user=people.community,
        scope=scope_of(people.community),
        person=tree.person_a,
        classification="confirmed",
    )
    _log_in(phone, live_server, "grid_a")
    phone.goto(live_server.url + reverse("health:person", args=[tree.person_a.pk]))
    text = phone.locator("main").inner_text()
    assert "确诊" in text and "作为病例跟进" in text and "未在观察中" not in text
    fits_the_phone(phone)
    _shot(phone, "case-person")
    phone.click("li.case a")
    phone.wait_for_url("**/health/cases/**")
    assert "张伟" in phone.locator("h1").inner_text()
    fits_the_phone(phone)
    _shot(phone, "case")
