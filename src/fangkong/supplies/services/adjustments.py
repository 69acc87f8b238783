"""Transfers between points, physical counts and reversals: movements made of the ledger's
parts (``ledger.py``: lots taken in first-expiring-first-out order, balances changed in the
movement's transaction, a client id written once)."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User

from ..choices import MovementKind, TransferStatus
from ..models import Balance, Item, Movement, StockPoint, Transfer
from .ledger import (
    Lot,
    Same,
    StockInvalid,
    StockShort,
    Written,
    _check_qty,
    _existing,
    _fitting,
    _line,
    _outgoing,
    _take,
    _write,
    add_to_balances,
    replay,
    short_message,
)


def check_transfer(
    *,
    point: StockPoint,
    to_point: StockPoint,
    item: Item,
    qty: int,
    client_id: uuid.UUID,
    lot: Lot | None = None,
    note: str = "",
    user: User | None = None,
) -> Written:
    """Stock sent to another point: out of this one now, in transit until it is received."""
    errors: dict[str, str] = {}
    _check_qty(qty, errors)
    if to_point.pk == point.pk:
        errors["to_point"] = _("send it to another point")
    note = _fitting(errors, note=note)["note"]
    if errors:
        raise StockInvalid(errors)
    return _outgoing(
        kind=MovementKind.TRANSFER_OUT,
        point=point,
        item=item,
        qty=qty,
        client_id=client_id,
        lot=lot,
        user=user,
        transfer_to=to_point,
        reason=note,
    )


def check_receive_transfer(
    *, transfer: Transfer, client_id: uuid.UUID, user: User | None = None
) -> Written:
    """The receiving point takes a transfer in: its lot, its quantity."""
    same = Same(
        transfer.to_point,
        transfer.item,
        MovementKind.TRANSFER_IN,
        transfer.qty,
        fields=(("transfer_id", transfer.pk),),
    )
    found = _existing(client_id)
    if found:
        return replay(found, same)
    with transaction.atomic():
        t = (
            Transfer.objects.select_for_update()
            .select_related("to_point", "item")
            .get(pk=transfer.pk)
        )
        if t.status != TransferStatus.IN_TRANSIT:
            raise StockInvalid({"transfer": _("this transfer is no longer in transit")})
        lot = Lot(t.batch, t.expires_on)
        line = _line(t.to_point, t.item, MovementKind.TRANSFER_IN, t.qty, lot, transfer=t)

        def apply() -> None:
            add_to_balances([(t.to_point, t.item, lot, t.qty)])
            Transfer.objects.filter(pk=t.pk).update(
                status=TransferStatus.RECEIVED, received_at=timezone.now()
            )

        return _write(client_id, [line], apply, user, same)


def check_count(
    *,
    point: StockPoint,
    item: Item,
    counted: int,
    client_id: uuid.UUID,
    lot: Lot | None = None,
    reason: str = "",
    user: User | None = None,
) -> Written:
    """A physical count of one lot: the movement is the difference from the books (a count
    that matches is recorded too, as a zero difference); a difference needs its reason. No
    ``lot``: the item's stock without batch or expiry."""
    lot = lot or Lot()
    # the difference depends on the books when it was counted: the count itself must match
    same = Same(point, item, MovementKind.COUNT, None, lot.key, (("counted", counted),))
    found = _existing(client_id)
    if found:
        return replay(found, same)
    errors: dict[str, str] = {}
    if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
        errors["counted"] = _("the count must be a whole number, 0 or more")
    elif counted >= 10**12:
        errors["counted"] = _("the count is too large")
    reason = _fitting(errors, reason=reason)["reason"]
    if errors:
        raise StockInvalid(errors)
    with transaction.atomic():
        balance = (
            Balance.objects.select_for_update().filter(point=point, item=item, lot=lot.key).first()
        )
        books = balance.qty if balance is not None else 0
        difference = counted - books
        if difference and not reason.strip():
            raise StockInvalid(
                {
                    "reason": _(
                        "the count differs from the books by %(d)s: say why (damaged, "
                        "miscounted before, issued without a record, ...)"
                    )
                    % {"d": f"{difference:+,}"}
                }
            )
        line = _line(
            point,
            item,
            MovementKind.COUNT,
            difference,
            lot,
            counted=counted,
            reason=reason,
        )

        def apply() -> None:
            if difference > 0:
                add_to_balances([(point, item, lot, difference)])
            elif difference < 0 and balance is not None:
                balance.point, balance.item = point, item
                _take(balance, -difference)

        return _write(client_id, [line], apply, user, same)


def check_reverse(
    *, movement: Movement, client_id: uuid.UUID, reason: str, user: User | None = None
) -> Written:
    """Correct a movement by its opposite (never by an edit). A transfer out is reversed only
    while in transit (it is then cancelled); a transfer in, by sending the stock back."""
    found = _existing(client_id)
    if found:
        return replay(found, _reversal_of(movement))
    if not reason.strip():
        raise StockInvalid({"reason": _("say why the movement is reversed")})
    errors: dict[str, str] = {}
    reason = _fitting(errors, reason=reason)["reason"]
    if errors:
        raise StockInvalid(errors)
    if movement.kind == MovementKind.REVERSAL:
        raise StockInvalid({"movement": _("a reversal cannot itself be reversed")})
    if movement.kind == MovementKind.TRANSFER_IN:
        raise StockInvalid(
            {"movement": _("stock taken in from a transfer goes back by a transfer")}
        )
    if movement.qty == 0:
        raise StockInvalid({"movement": _("a count that matched the books changes nothing")})
    try:
        return _reverse(movement=movement, client_id=client_id, reason=reason, user=user)
    except IntegrityError:  # another reversal of it committed first
        raise StockInvalid({"movement": _("this movement has already been reversed")}) from None


def _reversal_of(movement: Movement) -> Same:
    return Same(
        movement.point,
        movement.item,
        MovementKind.REVERSAL,
        -movement.qty,
        fields=(("reverses_id", movement.pk),),
    )


def _reverse(*, movement: Movement, client_id: uuid.UUID, reason: str, user: User | None):
    point, item = movement.point, movement.item
    lot = Lot(movement.batch, movement.expires_on)
    with transaction.atomic():
        if Movement.objects.filter(reverses=movement).exists():
            raise StockInvalid({"movement": _("this movement has already been reversed")})
        transfer = None
        if movement.kind == MovementKind.TRANSFER_OUT:
            transfer = Transfer.objects.select_for_update().filter(movements=movement).get()
            if transfer.status != TransferStatus.IN_TRANSIT:
                raise StockInvalid(
                    {"movement": _("the transfer has been received; send the stock back instead")}
                )
        balance = None
        if movement.qty > 0:  # reversing stock that came in: it must still be there
            balance = (
                Balance.objects.select_for_update()
                .filter(point=point, item=item, lot=lot.key)
                .first()
            )
        line = _line(
            point,
            item,
            MovementKind.REVERSAL,
            -movement.qty,
            lot,
            reverses=movement,
            transfer=transfer,
            reason=reason,
        )

        def apply() -> None:
            if movement.qty < 0:
                add_to_balances([(point, item, lot, -movement.qty)])
            else:
                if balance is None:
                    raise StockShort(short_message(item, point, 0, lot.batch), left=0)
                balance.point, balance.item = point, item
                _take(balance, movement.qty)
            if transfer is not None:
                Transfer.objects.filter(pk=transfer.pk).update(status=TransferStatus.CANCELLED)

        return _write(client_id, [line], apply, user, _reversal_of(movement))
