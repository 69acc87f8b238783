"""A warehouse keeper issues stock on a phone: first page, the point, the issue form (first
expiring first proposed), told how much is left when asking for more than there is."""

import datetime as dt
import uuid

import pytest

from fangkong.supplies.choices import Origin
from fangkong.supplies.models import Balance
from fangkong.supplies.services import Lot, assign_keeper, check_receive, save_item, save_point

from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_keeper_issues_stock_on_a_phone(live_server, tree, people, phone):
    suits = save_item(name="医用防护服", unit="套", tracks_batches=True, key=True)
    point, _ = save_point(code="HX01", name="红星社区物资点", region=tree.community_a)
    assign_keeper(point=point, user=people.warehouse)
    soon = dt.date.today() + dt.timedelta(days=20)
    for batch, qty, expires in (("B-LATE", 50, soon + dt.timedelta(days=200)), ("B-SOON", 8, soon)):
        check_receive(
            point=point,
            item=suits,
            qty=qty,
            client_id=uuid.uuid4(),
            origin=Origin.ALLOCATED,
            lot=Lot(batch, expires),
        )
    log_in(phone, live_server, "warehouse")
    assert "红星社区物资点" in phone.content() and "58" in phone.content()  # the first page
    fits_the_phone(phone)
    shot(phone, "supplies-home")
    phone.click("text=红星社区物资点")
    phone.click(".units >> text=发放")
    phone.select_option("select[name=item]", label="医用防护服 (套)")
    phone.fill("input[name=qty]", "１０")  # typed with a Chinese input method
    phone.fill("input[name=recipient]", "芙蓉区人民医院")
    fits_the_phone(phone)
    shot(phone, "supplies-issue")
    phone.click("button.primary")
    phone.wait_for_load_state()
    assert "已登记" in phone.content()
    left = {b.batch: b.qty for b in Balance.objects.filter(point=point)}
    assert left == {"B-SOON": 0, "B-LATE": 48}  # the first-expiring batch went first
    phone.click(".units >> text=发放")
    phone.select_option("select[name=item]", label="医用防护服 (套)")
    phone.fill("input[name=qty]", "100")
    phone.fill("input[name=recipient]", "芙蓉区人民医院")
    phone.click("button.primary")
    assert "仅剩48套" in phone.locator(".error").inner_text()
    fits_the_phone(phone)
