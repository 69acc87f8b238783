"""The pages, the API, the command line and the demo: what each role may do, masked numbers,
audited exports."""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.accounts.choices import AuditAction, Role
from fangkong.accounts.models import AuditEntry
from fangkong.accounts.services import create_user
from fangkong.funds.choices import PayeeStatus, RosterStatus
from fangkong.funds.models import PayBatch, Payee, Roster

from .helpers import card, id_number, roster_xlsx, row

pytestmark = pytest.mark.django_db


def _upload(client, code="YCX2020", rows=None, name="r.xlsx"):
    data = roster_xlsx(rows or [row(1), row(2, category="行政人员")])
    return client.post(
        reverse("funds:upload", args=[code]), {"file": SimpleUploadedFile(name, data)}
    )


def test_a_hospital_uploads_and_sees_its_mistakes_and_masked_numbers(policy, people, login):
    client = login(people.hospital)
    response = _upload(client)
    roster = Roster.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{roster.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "人员类别“行政人员”不在本政策之列" in page
    assert id_number(1) not in page and card(1) not in page
    assert card(1)[-4:] in page
    rejects = client.get(reverse("funds:roster_rejects", args=[roster.pk]))
    assert rejects.status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="allowance_rejects"
    ).exists()


def test_one_hospital_never_sees_another_units_roster(policy, people, login, tree):
    _upload(login(people.hospital))
    roster = Roster.objects.get()
    other = create_user(
        username="hospital2",
        password="x-pw-long-enough",
        role=Role.HOSPITAL,
        scope_region=tree.district,
    )
    client = login(other)
    assert client.get(reverse("funds:roster", args=[roster.pk])).status_code == 404
    assert client.get(reverse("funds:roster_rejects", args=[roster.pk])).status_code == 404
    totals = client.get(reverse("api:funds_policy_totals", args=["YCX2020"])).json()
    assert totals == []


def test_the_finance_officer_approves_and_downloads_an_audited_payment_file(policy, people, login):
    _upload(login(people.hospital), rows=[row(1), row(2, category="援鄂医疗队员", amount="5000")])
    roster = Roster.objects.get()
    client = login(people.finance)
    client.post(reverse("funds:approve", args=[roster.pk]))
    roster.refresh_from_db()
    assert roster.status == RosterStatus.APPROVED
    client.post(reverse("funds:payfile", args=["YCX2020"]))
    batch = PayBatch.objects.get()
    response = client.get(reverse("funds:batch_file", args=[batch.pk]))
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(3, 3).value == card(1) and sheet.cell(3, 3).number_format == "@"
    assert str(sheet.cell(sheet.max_row, 5).value) in ("7000", "7000.0", "7000.00")
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="allowance_payfile", username="finance"
    ).exists()


@pytest.mark.parametrize("who", ["hq", "district", "hospital", "grid_a", "community"])
def test_no_one_but_finance_pays_or_approves(policy, people, login, who):
    _upload(login(people.hospital), rows=[row(1)])
    roster = Roster.objects.get()
    client = login(people[who])
    assert client.post(reverse("funds:approve", args=[roster.pk])).status_code == 403
    assert client.post(reverse("funds:payfile", args=["YCX2020"])).status_code == 403
    assert Payee.objects.get().status == PayeeStatus.SUBMITTED


def test_the_return_needs_a_reason_and_reaches_the_unit(policy, people, login):
    _upload(login(people.hospital), rows=[row(1)])
    roster = Roster.objects.get()
    client = login(people.finance)
    client.post(reverse("funds:return", args=[roster.pk]), {"reason": " "})
    roster.refresh_from_db()
    assert roster.status == RosterStatus.SUBMITTED
    client.post(reverse("funds:return", args=[roster.pk]), {"reason": "缺少单位盖章"})
    page = login(people.hospital).get(reverse("funds:roster", args=[roster.pk])).content.decode()
    assert "缺少单位盖章" in page


def test_the_api_takes_a_roster_like_the_page(policy, people, login):
    client = login(people.hospital)
    data = roster_xlsx([row(1), row(2, amount="abc")], total="2000")
    url = reverse("api:funds_roster_upload", args=["YCX2020"])
    body = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data)}).json()
    assert (body["accepted"], body["rejected"], body["total"]) == (1, 1, 2000)
    assert "不是元数" in body["rejects"][0]["reason"]
    again = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data)}).json()
    assert (again["accepted"], again["already"]) == (0, 1)


def test_the_command_line_contracts(tree, tmp_path, capsys):
    call_command(
        "funds",
        "policy",
        "YCX",
        "--name",
        "慰问金",
        "--rate",
        "援鄂医疗队员=5000",
        "--rate",
        "本地医务人员=2,000.00",
        "--json",
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["created"] is True
    path = tmp_path / "r.xlsx"
    path.write_bytes(
        roster_xlsx([row(1), row(2, category="援鄂医疗队员", amount="5000"), row(3, card="123")])
    )
    call_command("import", "allowances", str(path), "--policy", "YCX", "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out == {
        "read": 3,
        "accepted": 2,
        "rejected": 1,
        "total": 7000,
        "rejects_file": str(tmp_path / "r-rejects.xlsx"),
    }
    call_command("import", "allowances", str(path), "--policy", "YCX", "--json")
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (again["accepted"], again["total"]) == (0, 0)
    call_command("funds", "approve", "--policy", "YCX", "--unit", "别的医院", "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "approved": 0,
        "total": 0,
    }
    call_command("funds", "approve", "--policy", "YCX", "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "approved": 2,
        "total": 7000,
    }
    out_file = tmp_path / "pay.xlsx"
    call_command("funds", "payfile", "--policy", "YCX", "-o", str(out_file))
    rows = list(load_workbook(out_file).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[2:-1]] == ["员工1", "员工2"]
    assert rows[-1][0] == "合计" and float(rows[-1][4]) == 7000


def test_the_demo_has_a_policy_two_rosters_and_a_fund(tree):
    from fangkong.funds.models import Fund
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.ops.funds import demo_funds

    ensure_demo_accounts()
    demo_funds()
    demo_funds()  # once
    assert Roster.objects.count() == 2 and Fund.objects.count() == 2
    mistakes = Roster.objects.get(unit="市中心医院")
    assert mistakes.rejected == 4 and mistakes.status == RosterStatus.SUBMITTED
    assert Payee.objects.filter(status=PayeeStatus.FAILED).count() == 1
    assert re.match(r".*-rejects\.xlsx$", mistakes.rejects_file)


def test_the_demo_village_has_its_returnees_at_a_glance(tree):
    from fangkong.funds.models import Enterprise, Returnee
    from fangkong.ops.demo import ensure_demo_accounts
    from fangkong.ops.funds import demo_funds
    from fangkong.people.models import PersonTag

    ensure_demo_accounts()
    PersonTag.objects.create(person=tree.person_a, kind="returnee", region_path=tree.grid_a.path)
    demo_funds()
    assert Returnee.objects.get().person == tree.person_a
    assert Enterprise.objects.count() == 2


def test_a_district_cannot_rewrite_the_citys_policy_nor_take_another_districts_code(
    policy, people, login, tree
):
    """Policy codes are one namespace for the whole installation: saving a code that belongs to
    a policy above or beside the officer's region must not change that policy."""
    client = login(people.finance)  # the finance officer of 芙蓉区; the policy is the city's
    body = {"code": "YCX2020", "name": "改了", "rates": "本地医务人员=2000\n行政人员=500"}
    response = client.post(reverse("funds:save_policy"), body, follow=True)
    assert "YCX2020" in response.content.decode() and "另选" in response.content.decode()
    policy.refresh_from_db()
    assert policy.name == "一线医务人员一次性慰问金"
    assert set(policy.rates.values_list("category", flat=True)) == {"援鄂医疗队员", "本地医务人员"}

    from fangkong.funds.models import Policy
    from fangkong.funds.services import FundsInvalid, check_save_policy

    own, _ = check_save_policy(
        code="FR2020", name="芙蓉区补助", rates={"a": 100}, region=tree.district
    )
    with pytest.raises(FundsInvalid):
        check_save_policy(code="FR2020", name="天心区补助", rates={"b": 1}, region=tree.grid_c)
    assert Policy.objects.get(code="FR2020").name == "芙蓉区补助"
    # the district's own policy, and one of a street below it, it may still update
    check_save_policy(
        code="FR2020", name="芙蓉区补助（修订）", rates={"a": 100}, region=tree.district
    )
    check_save_policy(code="JD2020", name="街道补助", rates={"a": 100}, region=tree.street)
    assert (
        check_save_policy(code="JD2020", name="改", rates={"a": 1}, region=tree.district)[1]
        is False
    )


def test_a_roster_whose_every_row_is_refused_still_gives_the_unit_its_rejects_file(
    policy, people, login
):
    """300 rows with a category the policy does not have: the page can show 20 reasons, the
    rest only the rejects file holds; it must be reachable, and nothing is there to review."""
    client = login(people.hospital)
    rows = [row(n, category="行政人员") for n in range(1, 301)]
    response = _upload(client, rows=rows)
    roster = Roster.objects.get()
    assert response["Location"].endswith(f"/{roster.pk}/")
    assert (roster.rows, roster.rejected, roster.status) == (0, 300, RosterStatus.RETURNED)
    assert Payee.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert reverse("funds:roster_rejects", args=[roster.pk]) in page
    rejects = client.get(reverse("funds:roster_rejects", args=[roster.pk]))
    book = load_workbook(io.BytesIO(b"".join(rejects.streaming_content))).active
    assert book.max_row == 301 and "人员类别" in str(book.cell(301, 9).value)


def _fund(tree):
    from fangkong.funds.services import check_add_fund

    return check_add_fund(
        code="KY01",
        name="芙蓉区防控资金",
        source="district",
        purpose="防控",
        document="芙财〔2020〕1号",
        amount_fen=100_000,
        region=tree.district,
    )


def test_a_payment_posted_twice_is_recorded_once_and_a_resent_form_with_other_values_is_refused(
    tree, people, login
):
    """The form again (a double tap) is the same payment; the browser's back button brings the
    same form (and its client id) back, and a second payment typed into it must not be lost
    under a 'recorded' message."""
    from fangkong.funds.models import FundPayment

    _fund(tree)
    client = login(people.finance)
    url = reverse("funds:add_payment", args=["KY01"])
    body = {
        "client_id": str(uuid.uuid4()),
        "amount": "３００",
        "payee": "市一医院",
        "purpose": "口罩",
        "document": "芙财〔2020〕2号",
    }
    client.post(url, body)
    client.post(url, body)
    assert list(FundPayment.objects.values_list("amount_fen", flat=True)) == [30000]
    page = client.post(url, body | {"amount": "500", "payee": "市二医院"}, follow=True)
    assert "已提交过" in page.content.decode()
    assert FundPayment.objects.count() == 1
    over = client.post(url, body | {"client_id": str(uuid.uuid4()), "amount": "800"}, follow=True)
    assert "¥700.00" in over.content.decode() and FundPayment.objects.count() == 1
