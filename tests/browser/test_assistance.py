"""A resident asks for medicine from the QR page on a phone; the community gives it to a
volunteer; the volunteer accepts and delivers it on their phone; the resident sees it delivered."""

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.assistance.models import HelpRequest, Task
from fangkong.health.services import issue_building_link, link_token

from ..assistance.conftest import helper
from .conftest import PHONE, fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser
__all__ = ["helper"]  # the volunteer persona as a Volunteer, 1 km from 1栋


def test_medicine_asked_on_the_qr_page_is_dispatched_accepted_and_delivered(
    live_server, tree, people, browser, phone, helper
):
    link = issue_building_link(
        user=people.grid_a, scope=scope_of(people.grid_a), building=tree.building_a
    )
    # the resident: door, proof, "ask for help", the form
    phone.goto(live_server.url + reverse("health:resident", args=[link_token(link)]))
    phone.click(".picker a >> text='101'")
    phone.fill("input[name=proof]", "5678")  # the end of 张伟's phone
    phone.click("button.primary")
    phone.click("#ask-help")
    phone.wait_for_selector("textarea[name=needed]")
    fits_the_phone(phone)
    phone.check("input[name=kind][value=medicine]")
    phone.check("input[name=urgency][value=urgent]")
    phone.fill("textarea[name=needed]", "硝苯地平缓释片 两盒")
    shot(phone, "help-resident-form")
    phone.click("button.primary")
    phone.wait_for_selector("#asked")
    status_url = phone.url
    assert "待派单" in phone.locator("#status").inner_text()
    assert "张" not in phone.locator("main").inner_text()
    fits_the_phone(phone)
    shot(phone, "help-resident-asked")
    made = HelpRequest.objects.get()
    assert (made.due_at - made.raised_at).total_seconds() == 2 * 3600

    # the community: the triage list, the request, "offer" to the nearest volunteer
    staff = browser.new_context(**PHONE).new_page()
    log_in(staff, live_server, "community")
    staff.goto(live_server.url + reverse("assistance:home"))
    staff.click(f"#req-{made.pk} a")
    staff.wait_for_selector("text=赵志愿")
    fits_the_phone(staff)
    shot(staff, "help-community-request")
    staff.click("form[action$='/dispatch/'] button")
    staff.wait_for_selector("#status >> text=已派给志愿者，待接单")
    assert Task.objects.get().volunteer == helper

    # the volunteer: my tasks, accept (door and phone appear), delivered
    mine = browser.new_context(**PHONE).new_page()
    log_in(mine, live_server, "volunteer")
    mine.goto(live_server.url + reverse("assistance:tasks"))
    mine.click("ul.tasks a")
    assert mine.locator("#call").count() == 0  # no phone before accepting
    mine.click("#accept")
    mine.wait_for_selector("#call")
    assert mine.locator("#call").get_attribute("href") == "tel:13812345678"
    assert "101" in mine.locator("#place").inner_text()
    fits_the_phone(mine)
    shot(mine, "help-volunteer-task")
    mine.click("#delivered")
    mine.wait_for_selector("#task-status >> text=已送达")
    assert mine.locator("#call").count() == 0  # over: the phone is gone

    # the resident sees it delivered
    phone.goto(status_url)
    assert "已送达" in phone.locator("#status").inner_text()
    shot(phone, "help-resident-delivered")
