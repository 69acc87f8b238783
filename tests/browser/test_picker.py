"""A street officer on a phone picks the right one of three 李晴 as a case's contact."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Case, Contact
from fangkong.health.services import check_report_case
from fangkong.regions.services import get_or_create_building, get_or_create_household

from ..conftest import make_person
from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


def _shot(page, name):
    shot(page, f"pickers-{name}")


def _li_qing(tree):
    homes = [(tree.grid_a, "1栋", "101", 1952), (tree.grid_a, "3栋", "302", 1987)]
    homes.append((tree.grid_b, "2栋", "1001", 2009))
    trio = []
    for grid, name, door, year in homes:
        building = get_or_create_building(grid=grid, name=name)
        home = get_or_create_household(grid=grid, building=building, unit="2", door=door)
        trio.append(
            make_person(grid, name="李晴", sex="F", birth_on=dt.date(year, 6, 9), household=home)
        )
    return trio


def _log_in(page, live_server, username):
    log_in(page, live_server, username)
    page.wait_for_url("**/regions/**")


def test_a_street_officer_picks_the_right_namesake_as_a_contact(live_server, tree, people, phone):
    trio = _li_qing(tree)
    case = check_report_case(
        user=people.street,
        scope=scope_of(people.street),
        person=tree.child_a,
        classification="confirmed",
    )
    _log_in(phone, live_server, "street")
    phone.goto(live_server.url + reverse("health:case", args=[case.pk]))
    phone.get_by_label("接触者").press_sequentially("李晴", delay=50)
    rows = phone.locator(".contact-form .pick-row")
    rows.nth(2).wait_for()
    texts = rows.all_inner_texts()
    assert len(texts) == 3 and len(set(texts)) == 3
    assert "1987年生" in texts[1] and "3栋 2单元 302" in texts[1] and "红星第1网格" in texts[1]
    html = phone.content()
    for person in trio:
        assert person.birth_on.isoformat() not in html and person.id_number not in html
    fits_the_phone(phone)
    _shot(phone, "contact-rows")
    phone.keyboard.press("Enter")  # searches again; never posts a form without its choice
    phone.wait_for_timeout(300)
    assert not Contact.objects.exists()
    rows.filter(has_text="3栋").click()
    picked = phone.locator(".contact-form .picked")
    picked.wait_for()
    assert "1987年生" in picked.inner_text() and "3栋 2单元 302" in picked.inner_text()
    phone.get_by_label("类型").select_option("close")
    exposed = timezone.localdate() - dt.timedelta(days=2)
    phone.get_by_label("最后接触日期（留空为今天）").fill(exposed.isoformat())
    fits_the_phone(phone)
    _shot(phone, "contact-chosen")
    phone.click(".contact-form button.primary")
    phone.wait_for_load_state()
    contact = Contact.objects.get()
    assert contact.person == trio[1] and contact.last_exposure_on == exposed
    assert "李晴" in phone.locator("ul.cards").inner_text()
    _shot(phone, "contact-added")


def test_a_case_is_reported_for_the_person_picked_with_labelled_dates(
    live_server, tree, people, phone
):
    trio = _li_qing(tree)
    _log_in(phone, live_server, "street")
    phone.goto(live_server.url + reverse("health:cases") + f"?region={tree.street.code}")
    phone.click("summary")
    phone.get_by_label("人员").press_sequentially("李晴", delay=50)
    phone.locator(".case-form .pick-row").nth(2).wait_for()
    phone.locator(".case-form .pick-row", has_text="2009年生").click()
    phone.locator(".case-form .picked").wait_for()
    onset = timezone.localdate() - dt.timedelta(days=3)
    phone.get_by_label("发病日期").fill(onset.isoformat())
    phone.get_by_label("报告日期（留空为今天）").fill(timezone.localdate().isoformat())
    fits_the_phone(phone)
    _shot(phone, "case-form")
    phone.click(".case-form button.primary")
    phone.wait_for_url("**/health/cases/*/")
    case = Case.objects.get()
    assert case.person == trio[2] and case.onset_on == onset
