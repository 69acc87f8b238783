"""Money a volunteer advanced (垫付): the amount with a photo of the receipt, and its repayment
when the resident pays (cash at the door, a transfer) or the community does."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.money import InvalidAmount, parse_fen, yuan

from ..choices import TaskStatus
from ..models import Advance, Task
from .errors import HelpInvalid

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
MAX_AMOUNT = Decimal("10000")
# what a phone's camera gives, told by the file's first bytes (not its name or its header)
RECEIPT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
}


def receipt_type(head: bytes) -> str | None:
    """The image type of a file from its first bytes; None when it is none we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim", b"heis"):
        return "image/heic"
    return None


def receipts_dir() -> Path:
    return Path(settings.VAR_DIR) / "receipts"


def parse_amount(raw: str) -> Decimal:
    """The amount in yuan as people type it (the shared money parser: 1,000.50, １２．５, ¥46.80元),
    more than 0 and at most MAX_AMOUNT, to the fen."""
    try:
        fen = parse_fen(raw)
    except InvalidAmount as e:
        raise HelpInvalid({"amount": str(e)}) from None
    amount = yuan(fen)
    if amount > MAX_AMOUNT:
        raise HelpInvalid(
            {
                "amount": _("the amount in yuan, more than 0 and at most %(max)s, to the fen")
                % {"max": MAX_AMOUNT}
            }
        )
    return amount


def _same_advance(made: Advance, *, task: Task, amount: str) -> Advance:
    """The advance a form made, when the same form comes again; HelpInvalid when the form was
    brought back (the browser's back button) with another amount or for another task."""
    try:
        again = parse_amount(amount)
    except HelpInvalid:
        again = None
    if made.task_id != task.pk or again != made.amount:
        raise HelpInvalid(
            {
                "amount": _(
                    "this form was sent already (%(amount)s yuan); open the task again to "
                    "record another advance"
                )
                % {"amount": made.amount}
            }
        )
    return made


def check_record_advance(
    *, user: User, task: Task, amount: str, receipt, client_id: uuid.UUID
) -> Advance:
    """The volunteer of a task they hold (or have delivered) records what they paid, with the
    receipt's photo (JPEG, PNG, WebP or HEIC, at most 5 MB). The same ``client_id`` again
    returns the record it made."""
    made = Advance.objects.filter(client_id=client_id).first()
    if made is not None:
        return _same_advance(made, task=task, amount=amount)
    if task.volunteer.user_id != user.pk:
        raise HelpInvalid({"task": _("this is not your task")})
    if task.status not in (TaskStatus.ACCEPTED, TaskStatus.PICKED_UP, TaskStatus.DELIVERED):
        raise HelpInvalid({"task": _("money is recorded for a task you took")})
    value = parse_amount(amount)
    if receipt is None:
        raise HelpInvalid({"receipt": _("add a photo of the receipt")})
    if receipt.size > MAX_RECEIPT_BYTES:
        raise HelpInvalid(
            {
                "receipt": _("the photo is %(mb).1f MB; at most 5 MB")
                % {"mb": receipt.size / 1024 / 1024}
            }
        )
    data = receipt.read(MAX_RECEIPT_BYTES + 1)
    kind = receipt_type(data[:16])
    if kind is None:
        raise HelpInvalid({"receipt": _("the receipt must be a photo: JPEG, PNG, WebP or HEIC")})
    return do_record_advance(
        user=user, task=task, amount=value, data=data, kind=kind, client_id=client_id
    )


def do_record_advance(
    *, user: User, task: Task, amount: Decimal, data: bytes, kind: str, client_id: uuid.UUID
) -> Advance:
    folder = receipts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{RECEIPT_TYPES[kind]}"
    (folder / name).write_bytes(data)
    try:
        with transaction.atomic():
            return Advance.objects.create(
                task=task,
                request_id=task.request_id,
                region_path=task.region_path,
                amount=amount,
                receipt=name,
                receipt_type=kind,
                client_id=client_id,
                recorded_by=user,
                recorded_at=timezone.now(),
            )
    except IntegrityError:
        (folder / name).unlink(missing_ok=True)
        made = Advance.objects.filter(client_id=client_id).first()
        if made is None:
            raise
        return made


def check_repaid(*, user: User, scope: Scope, advance: Advance, how: str) -> Advance:
    """The advance is repaid: said by the volunteer who paid it, or by the community."""
    mine = advance.recorded_by_id == user.pk
    if not mine:
        scope.require(Cap.HELP_DISPATCH)
        if not scope.contains(advance.region_path):
            raise HelpInvalid({"advance": _("no such record in your area")})
    how = " ".join((how or "").split())[:100]
    if not how:
        raise HelpInvalid({"how": _("say how it was repaid (cash at the door, a transfer)")})
    if advance.repaid_at is not None:
        return advance
    Advance.objects.filter(pk=advance.pk, repaid_at__isnull=True).update(
        repaid_at=timezone.now(), repaid_by=user, repaid_how=how
    )
    advance.refresh_from_db()
    return advance
