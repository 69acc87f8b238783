"""A hospital's clerk uploads the staff's allowance roster on a phone: the mistakes come back
row by row with their reasons, the numbers masked, the page within the screen."""

import pytest
from django.urls import reverse

from fangkong.funds.models import Payee
from fangkong.funds.services import check_save_policy

from ..funds.helpers import card, roster_xlsx, row
from .conftest import fits_the_phone, log_in, shot

pytestmark = pytest.mark.browser


def test_a_hospital_uploads_its_roster_on_a_phone(live_server, tree, people, phone, tmp_path):
    check_save_policy(
        code="YCX2020",
        name="一线医务人员一次性慰问金",
        basis="市人社发〔2020〕12号",
        rates={"援鄂医疗队员": 500000, "本地医务人员": 200000},
        region=tree.city,
    )
    roster = tmp_path / "市第一人民医院花名册.xlsx"
    roster.write_bytes(
        roster_xlsx(
            [row(1), row(2, category="援鄂医疗队员", amount="5,000.00"), row(3, amount="3000")],
            total="10000",
        )
    )
    log_in(phone, live_server, "hospital")
    phone.goto(live_server.url + reverse("funds:home"))
    phone.click("text=一线医务人员一次性慰问金")
    phone.wait_for_url("**/funds/policies/YCX2020/")
    fits_the_phone(phone)
    phone.set_input_files("#roster-upload input[type=file]", str(roster))
    phone.click("#roster-upload button[type=submit]")
    phone.wait_for_url("**/funds/rosters/*/")
    status = phone.locator("[role=status]")
    status.wait_for()
    text = status.inner_text()
    assert "新增 2 人" in text and "退回 1 行" in text
    assert "第 6 行" in text and "与“本地医务人员”的标准 ¥2,000.00 不符" in text
    assert "相差" in text  # the file's 合计 against the rows that passed
    body = phone.locator("main").inner_text()
    assert card(1) not in body and card(1)[-4:] in body
    fits_the_phone(phone)
    shot(phone, "funds-roster-upload")
    with phone.expect_download() as info:
        phone.click("text=被退回的行（含错误原因）")
    assert info.value.suggested_filename == "市第一人民医院花名册-rejects.xlsx"
    assert Payee.objects.count() == 2
