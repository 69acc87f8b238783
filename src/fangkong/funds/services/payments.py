"""Payment files for the bank and the bank's confirmation back.

A payment file takes every approved payee not yet in a file (``sent`` from then on, so a
second file never pays anyone twice); the bank's confirmation marks each row paid or failed
(a failed row keeps the bank's reason, and ``check_pay_again`` puts it in the next file).
The file is written with openpyxl's write-only workbook: card numbers as text cells (number
format ``@``), never numbers Excel would round to 15 digits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.codes import InvalidCode, bank_card
from fangkong.common.money import InvalidAmount, parse_fen, yuan
from fangkong.common.spreadsheets import Cell, Sheet
from fangkong.common.text import too_long

from ..choices import PayeeStatus
from ..models import PayBatch, Payee, Policy
from .errors import FundsInvalid

PAY_HEADER = ["付款编号", "姓名", "银行卡号", "开户银行", "金额（元）", "用途"]
PAY_ID_PREFIX = "P"
CHUNK = 5000
_OK_WORDS = frozenset({"成功", "已支付", "支付成功", "已发放", "success", "paid", "ok"})
_FAIL_WORDS = frozenset({"失败", "支付失败", "退票", "退回", "failed", "fail", "rejected"})
CONFIRM_ALIASES = {
    "pay_id": ("付款编号", "payment id"),
    "status": ("处理结果", "状态", "支付状态", "结果", "status"),
    "reason": ("失败原因", "备注", "reason"),
    "amount": ("金额", "amount"),
    "error": (spreadsheets.REASON_HEADER,),
}


@transaction.atomic
def check_pay_batch(
    *, policy: Policy, user: User | None = None, scope_path: str | None = None
) -> PayBatch:
    """Put every approved, unpaid payee of the policy (inside ``scope_path``) into a new
    payment file; FundsInvalid when there is none. Serialised by a lock on the policy."""
    Policy.objects.select_for_update().get(pk=policy.pk)
    due = Payee.objects.filter(policy=policy, status=PayeeStatus.APPROVED, batch__isnull=True)
    path = scope_path if scope_path is not None else policy.region_path
    if scope_path is not None:
        due = due.filter(region_path__startswith=scope_path)
    if not due.exists():
        raise FundsInvalid(
            _("nothing to pay: no approved person of %(p)s is waiting for a payment file")
            % {"p": policy.code}
        )
    batch = PayBatch.objects.create(policy=policy, region_path=path, created_by=user)
    due.update(status=PayeeStatus.SENT, batch=batch)
    counts = batch.payees.aggregate(n=Count("id"), fen=Sum("amount_fen"))
    PayBatch.objects.filter(pk=batch.pk).update(rows=counts["n"], total_fen=counts["fen"] or 0)
    batch.refresh_from_db()
    return batch


def _rows(batch: PayBatch, purpose: str):
    yield [f"{batch.policy.name} 发放明细 · 批次 {batch.pk} · {batch.created_at:%Y-%m-%d}"]
    yield PAY_HEADER
    payees = batch.payees.order_by("pk").values_list(
        "pk", "name", "bank_card", "bank", "amount_fen"
    )
    n, total = 0, 0
    for pk, name, card, bank, fen in payees.iterator(chunk_size=CHUNK):
        n += 1
        total += fen
        yield [
            f"{PAY_ID_PREFIX}{pk}",
            name,
            Cell(card, number_format="@"),
            bank,
            Cell(yuan(fen), number_format="0.00"),
            purpose,
        ]
    yield ["合计", f"{n}人", "", "", Cell(yuan(total), number_format="0.00"), ""]


def write_payfile(
    *, batch: PayBatch, target: Path | io.BytesIO, user: User | None = None, request=None
) -> None:
    """The bank's payment file of a batch (one row a payee and a 合计 row); audited."""
    policy = batch.policy
    purpose = f"{policy.name}（{policy.basis}）" if policy.basis else policy.name
    spreadsheets.write_book(
        target,
        [Sheet("发放明细", _rows(batch, purpose), widths=(12, 10, 24, 20, 12, 30), bold=(0, 1))],
    )
    record_audit(
        user=user,
        action=AuditAction.EXPORT,
        object_type="allowance_payfile",
        object_id=batch.pk,
        region_path=batch.region_path,
        request=request,
        detail={"policy": policy.code, "rows": batch.rows, "total_fen": batch.total_fen},
    )


@dataclass
class ConfirmationResult:
    read: int = 0
    paid: int = 0
    failed: int = 0
    already: int = 0
    rejected: list[tuple[int, int, str]] = field(default_factory=list)

    def as_dict(self, rejects_file: str | None = None) -> dict[str, Any]:
        return {
            "read": self.read,
            "paid": self.paid,
            "failed": self.failed,
            "rejected": len(self.rejected),
            "rejects_file": rejects_file,
        }


def _outcome(cells: list[str], columns: dict[str, int]) -> tuple[str, str]:
    """(paid or failed, the bank's reason) of a confirmation row; FundsInvalid if unreadable."""
    status = cells[columns["status"]].strip().lower() if columns["status"] < len(cells) else ""
    c = columns.get("reason")
    reason = cells[c].strip()[:200] if c is not None and c < len(cells) else ""
    if status in _OK_WORDS:
        return PayeeStatus.PAID, ""
    if status in _FAIL_WORDS:
        return PayeeStatus.FAILED, reason or _("the bank gave no reason")
    raise FundsInvalid(_("处理结果 %(s)s is neither 成功 nor 失败") % {"s": status[:20] or "—"})


def _confirm_row(cells, columns, payee: Payee | None, result: ConfirmationResult):
    """What one confirmation row does to its payee: (status, reason) or None (nothing)."""
    if payee is None:
        raise FundsInvalid(_("付款编号 is not one of this payment file's"))
    status, reason = _outcome(cells, columns)
    c = columns.get("amount")
    if c is not None and c < len(cells) and cells[c].strip():
        try:
            fen = parse_fen(cells[c])
        except InvalidAmount as e:
            raise FundsInvalid(str(e)) from None
        if fen != payee.amount_fen:
            raise FundsInvalid(_("the amount is not the one in the payment file"))
    if payee.status == status:
        result.already += 1
        return None
    if payee.status != PayeeStatus.SENT:
        raise FundsInvalid(
            _("this payment was confirmed before as %(s)s") % {"s": payee.get_status_display()}
        )
    return status, reason


def _read_confirmation(data: bytes, filename: str):
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise FundsInvalid(str(e)) from None
    found = spreadsheets.find_header(table, CONFIRM_ALIASES, ("pay_id", "status"))
    if found is None:
        raise FundsInvalid(
            _("no header row found: the bank's file needs the columns 付款编号 and 处理结果")
        )
    return table, found


@transaction.atomic
def check_confirm(
    *,
    batch: PayBatch,
    data: bytes,
    filename: str,
    user: User | None = None,
    rejects: Path | None = None,
) -> ConfirmationResult:
    """Mark the batch's payees paid or failed from the bank's confirmation; the same file
    again changes nothing; rows that match no payee of the batch go to the rejects file."""
    table, (head, columns) = _read_confirmation(data, filename)
    payees = {f"{PAY_ID_PREFIX}{p.pk}": p for p in batch.payees.all()}
    result = ConfirmationResult()
    changes: dict[str, list[tuple[int, str]]] = {PayeeStatus.PAID: [], PayeeStatus.FAILED: []}
    for index in range(head + 1, len(table.rows)):
        cells = table.rows[index]
        key = cells[columns["pay_id"]].strip().upper() if columns["pay_id"] < len(cells) else ""
        if not key or key in {"合计", "总计"}:
            continue
        result.read += 1
        try:
            change = _confirm_row(cells, columns, payees.get(key), result)
        except FundsInvalid as e:
            result.rejected.append((index + 1, index, str(e)))
            continue
        if change is not None:
            changes[change[0]].append((payees[key].pk, change[1]))
    now = timezone.now()
    paid = [pk for pk, _r in changes[PayeeStatus.PAID]]
    result.paid = Payee.objects.filter(pk__in=paid, status=PayeeStatus.SENT).update(
        status=PayeeStatus.PAID, paid_at=now, failure_reason=""
    )
    for pk, reason in changes[PayeeStatus.FAILED]:
        result.failed += Payee.objects.filter(pk=pk, status=PayeeStatus.SENT).update(
            status=PayeeStatus.FAILED, failure_reason=reason
        )
    if not batch.payees.filter(status=PayeeStatus.SENT).exists():
        PayBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(confirmed_at=now)
    record_audit(
        user=user,
        action=AuditAction.IMPORT,
        object_type="allowance_confirmation",
        object_id=batch.pk,
        region_path=batch.region_path,
        detail={"file": filename, **result.as_dict()},
    )
    if result.rejected and rejects is not None:
        spreadsheets.write_rejects(
            table,
            spreadsheets.header_titles(table, head),
            [(i, r) for _n, i, r in result.rejected],
            rejects,
            reason_col=columns.get("error"),
        )
    return result


@transaction.atomic
def check_pay_again(
    *, payee: Payee, bank_card_number: str = "", bank: str = "", user: User | None = None
) -> Payee:
    """A failed payment back among the approved, for the next payment file (with a corrected
    card or bank if given); the bank's reason stays on the row until it is paid."""
    card = payee.bank_card
    if bank_card_number.strip():
        try:
            card = bank_card(bank_card_number)
        except InvalidCode as e:
            raise FundsInvalid(str(e)) from None
    bank = " ".join(bank.split())
    if len(bank) > 60:  # the payment file's column: a bank cut short pays nobody
        raise FundsInvalid(_("开户银行: %(why)s") % {"why": too_long(len(bank), 60)})
    changed = Payee.objects.filter(pk=payee.pk, status=PayeeStatus.FAILED).update(
        status=PayeeStatus.APPROVED,
        batch=None,
        bank_card=card,
        bank=bank or payee.bank,
    )
    if not changed:
        raise FundsInvalid(_("only a failed payment can be paid again"))
    payee.refresh_from_db()
    return payee
