"""A grid worker uploads the community's Excel ledger on a phone and gets back the rejects."""

import os

import pytest
from django.urls import reverse

from fangkong.people.models import Person

from ..conftest import PASSWORD
from ..people.ledgers import HEADER, ident, read_xlsx, xlsx

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FANGKONG_SCREENSHOTS")


def test_a_grid_worker_uploads_a_ledger_and_downloads_the_rejected_rows(
    live_server, tree, people, phone, tmp_path
):
    ledger = tmp_path / "红星台账.xlsx"
    ledger.write_bytes(
        xlsx(
            [
                ["红星社区第1网格居民台账"],
                HEADER,
                [1, "赵一", "男", ident(1), "13911112222", "3栋", "1", "201", "武汉返乡", ""],
                [2, "钱二", "女", ident(2)[:-1] + "0", "", "3栋", "1", "202", "", ""],
                [3, "孙三", "男", ident(3), "", "3栋", "1", "202", "快递员", ""],
            ],
            merges=("A1:J1",),
        )
    )
    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", "grid_a")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.wait_for_url(f"**/regions/{tree.grid_a.code}/")
    phone.click("a[href*='/ledger/import/']")
    phone.wait_for_url("**/ledger/import/**")
    assert "导入台账" in phone.locator("h1").inner_text()
    phone.set_input_files("input[type=file]", str(ledger))
    phone.click("button[type=submit].primary")
    summary = phone.locator("#ledger-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "新增 2" in text.replace("\n", " ") and "未通过 1" in text.replace("\n", " ")
    assert "第 4 行" in text and "校验位" in text  # Excel row 4: title, header, 赵一, 钱二
    assert "快递员" in text  # a category not known before, kept and reported
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        phone.screenshot(path=os.path.join(SHOTS, "ledger-summary.png"), full_page=True)
    with phone.expect_download() as info:
        summary.locator("a.button").click()
    download = info.value
    assert download.suggested_filename == "红星台账-rejects.xlsx"
    rows = read_xlsx(open(download.path(), "rb").read())
    assert rows[0][-1] == "错误原因"
    assert [r[1] for r in rows[1:]] == ["钱二"]
    assert Person.objects.filter(name__in=["赵一", "孙三"]).count() == 2
