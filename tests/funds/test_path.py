"""The whole allowance path: a policy, units' rosters, mistakes back with reasons, approval,
the payment file to the fen, the bank's confirmation, a failed payment paid again."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from stdnum import luhn

from fangkong.funds.choices import PayeeStatus, RosterStatus
from fangkong.funds.models import Payee
from fangkong.funds.services import (
    FundsInvalid,
    check_approve,
    check_confirm,
    check_pay_again,
    check_pay_batch,
    check_return,
    import_roster,
    write_payfile,
)

from .helpers import HEADER, card, id_number, roster_xlsx, row

pytestmark = pytest.mark.django_db


def _import(policy, data, tmp_path, name="roster.xlsx", **kw):
    return import_roster(
        data=data, filename=name, policy=policy, rejects=tmp_path / f"rej-{name}", **kw
    )


def _confirmation(rows):
    book = Workbook()
    ws = book.active
    ws.append(["付款编号", "姓名", "金额", "处理结果", "失败原因"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_roster_goes_from_upload_to_paid(policy, tmp_path):
    good = roster_xlsx(
        [row(1), row(2), row(3, category="援鄂医疗队员", amount="5,000.00")], total="9000"
    )
    result = _import(policy, good, tmp_path)
    assert result.as_dict() == {
        "read": 3,
        "accepted": 3,
        "rejected": 0,
        "total": 9000,
        "rejects_file": None,
    }
    other = roster_xlsx([row(10, unit="市中心医院"), row(11, unit="市中心医院")])
    assert _import(policy, other, tmp_path, "other.xlsx").accepted == 2

    approved = check_approve(policy=policy, unit="市第一人民医院")
    assert (approved.approved, approved.total_fen) == (3, 900000)
    assert Payee.objects.filter(status=PayeeStatus.SUBMITTED).count() == 2  # the other unit

    batch = check_pay_batch(policy=policy)
    out = tmp_path / "pay.xlsx"
    write_payfile(batch=batch, target=out)
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("付款编号", "姓名", "银行卡号", "开户银行", "金额（元）", "用途")
    payees = rows[2:-1]
    assert len(payees) == 3
    assert sum(Decimal(str(r[4])) for r in payees) == Decimal("9000.00") == Decimal(rows[-1][4])
    cards = [c for c in sheet["C"] if c.row > 2 and c.row < sheet.max_row]
    assert all(c.data_type == "s" and c.number_format == "@" for c in cards)
    assert {r[2] for r in payees} == {card(1), card(2), card(3)}

    first, second, third = payees
    data = _confirmation(
        [
            [first[0], first[1], first[4], "成功", ""],
            [second[0], second[1], second[4], "失败", "户名与账号不符"],
            [third[0], third[1], third[4], "成功", ""],
        ]
    )
    confirmed = check_confirm(batch=batch, data=data, filename="back.xlsx")
    assert (confirmed.paid, confirmed.failed, confirmed.rejected) == (2, 1, [])
    again = check_confirm(batch=batch, data=data, filename="back.xlsx")
    assert (again.paid, again.failed, again.already) == (0, 0, 3)

    failed = Payee.objects.get(status=PayeeStatus.FAILED)
    assert failed.failure_reason == "户名与账号不符"
    with pytest.raises(FundsInvalid, match="at most 60"):  # refused, never cut
        check_pay_again(payee=failed, bank_card_number=card(99), bank="中国工商银行" * 11)
    check_pay_again(payee=failed, bank_card_number=card(99))
    failed.refresh_from_db()
    assert (failed.status, failed.failure_reason) == (PayeeStatus.APPROVED, "户名与账号不符")
    retry = check_pay_batch(policy=policy)
    assert (retry.rows, retry.total_fen) == (1, 200000)
    check_confirm(
        batch=retry,
        data=_confirmation([[f"P{failed.pk}", "", "2000", "成功", ""]]),
        filename="back2.xlsx",
    )
    paid = Payee.objects.filter(status=PayeeStatus.PAID)
    assert sum(p.amount_fen for p in paid) == 900000


def test_mistakes_come_back_with_their_reasons(policy, tmp_path):
    bad_id = id_number(5)[:-1] + ("0" if id_number(5)[-1] != "0" else "1")
    data = roster_xlsx(
        [
            row(1),
            row(2, id=bad_id),
            row(3, card=card(3)[:-1] + str((int(card(3)[-1]) + 1) % 10)),
            row(4, category="行政人员"),
            row(5, amount="3000"),
            row(6, id=id_number(1)),
            row(7, id=id_number(7).lower().replace("x", "x")),
        ],
        total="10000",
    )
    result = _import(policy, data, tmp_path)
    reasons = {n: why for n, _i, why in result.rejected}
    assert result.accepted == 2 and len(reasons) == 5
    assert "check digit" in reasons[5]  # row 2 of the data is line 5 of the sheet
    assert "bank card number has a wrong check digit" in reasons[6]
    assert "is not one of the policy's" in reasons[7] and "本地医务人员" in reasons[7]
    assert "is not the rate of 本地医务人员" in reasons[8]
    assert "row 4 of this file" in reasons[9]
    assert any("合计" in n and "¥6,000.00" in n for n in result.notes)
    rejects = load_workbook(tmp_path / "rej-roster.xlsx").active
    head = [c.value for c in rejects[1]]
    assert head[-1] == "错误原因" and rejects.max_row == 6


def test_the_same_roster_again_adds_nothing(policy, tmp_path):
    data = roster_xlsx([row(1), row(2)])
    assert _import(policy, data, tmp_path).accepted == 2
    again = _import(policy, data, tmp_path)
    assert again.as_dict()["accepted"] == 0 and again.as_dict()["total"] == 0
    assert (again.already, again.roster) == (2, None)
    assert Payee.objects.count() == 2


def test_a_person_is_paid_once_across_units(policy, tmp_path):
    _import(policy, roster_xlsx([row(1)]), tmp_path)
    result = _import(policy, roster_xlsx([row(1, unit="市中心医院")]), tmp_path, "b.xlsx")
    assert (
        result.accepted == 0
        and "already on this policy from 市第一人民医院" in (result.rejected[0][2])
    )


def test_the_database_holds_a_person_once_per_one_off_policy(policy, tmp_path):
    from django.db import IntegrityError, transaction

    _import(policy, roster_xlsx([row(1)]), tmp_path)
    payee = Payee.objects.get()
    payee.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        payee.save()


def test_a_returned_roster_frees_its_persons_for_a_corrected_one(policy, tmp_path):
    result = _import(policy, roster_xlsx([row(1), row(2)]), tmp_path)
    check_return(roster=result.roster, reason="缺少单位盖章")
    result.roster.refresh_from_db()
    assert result.roster.status == RosterStatus.RETURNED
    assert check_approve(policy=policy).approved == 0
    again = _import(policy, roster_xlsx([row(1), row(2)]), tmp_path)
    assert again.accepted == 2


def test_full_width_digits_and_a_lowercase_x_are_read(policy, tmp_path):
    number = next(id_number(n) for n in range(1, 5000) if id_number(n).endswith("X"))
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "2000")
    result = _import(policy, roster_xlsx([row(1, id=number.lower(), amount=wide)]), tmp_path)
    assert result.accepted == 1
    assert Payee.objects.get().id_number == number


def _numbers_book(cells_of_row):
    """A roster whose rows are written as given: numbers stay numbers, as Excel keeps them."""
    book = Workbook()
    ws = book.active
    ws.append(["一次性慰问金发放花名册"])
    ws.append(HEADER)
    for r in cells_of_row:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_card_number_excel_kept_as_a_number_is_refused_even_when_its_check_digit_fits(
    policy, tmp_path
):
    # Excel keeps 15 significant digits: the card 6228 4800 0000 0000 018 typed into a number
    # cell is saved as 6228480000000000000, which passes the Luhn check too; only the cell's
    # type tells the card was mangled, and paying it would pay a stranger's account.
    typed = "6228480000000000018"
    rounded = int(float(f"{int(typed):.15g}"))
    assert rounded == 6228480000000000000 and luhn.is_valid(str(rounded)) and luhn.is_valid(typed)
    data = _numbers_book(
        [[1, "甲", id_number(1), "市一医院", "本地医务人员", 2000, rounded, "工行"]]
    )
    result = _import(policy, data, tmp_path)
    assert result.accepted == 0 and Payee.objects.count() == 0
    (why,) = [r for _n, _i, r in result.rejected]
    assert "bank card number was stored as a number" in why and "text" in why


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("name", "张" * 10_000, "姓名 has 10000 characters; at most 60"),
        ("bank", "中国工商银行" * 20, "开户银行 has 120 characters; at most 60"),
    ],
)
def test_a_name_or_bank_too_long_for_the_bank_is_refused_never_cut(
    policy, tmp_path, column, value, said
):
    result = _import(policy, roster_xlsx([row(1, **{column: value}), row(2)]), tmp_path)
    assert result.accepted == 1
    assert said in result.rejected[0][2]
    assert list(Payee.objects.values_list("name", flat=True)) == ["员工2"]
