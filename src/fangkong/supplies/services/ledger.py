"""The stock ledger: every change of stock is an appended movement and the same transaction's
change of its lot's ``Balance``.

Taking stock out is one conditional UPDATE (``... SET qty = qty - n WHERE qty >= n``) on
balance rows locked first in first-expiring-first-out order, so concurrent issues from several
phones queue on the rows and the last ones are told how many are left; the CHECK on
``Balance.qty`` refuses a negative balance whatever code runs. A movement's ``client_id`` (with
its ``line``) is stored once: a retry finds the lines the first attempt wrote and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.text import too_long
from fangkong.regions.models import Household

from ..choices import MovementKind, Origin
from ..models import Balance, Item, Movement, StockPoint, Transfer, lot_key

MAX_REASON = 200


# what the ledger keeps of each text typed with a movement (the columns' lengths)
_KEPT = {"supplier": 100, "funding": 100, "recipient": 100, "reference": 64, "reason": 200}


def _fitting(errors: dict[str, str], **texts: str) -> dict[str, str]:
    """The texts typed with a movement, stripped; one longer than the ledger keeps is an error
    under its name (``note`` is kept as the reason), never cut."""
    out = {}
    for name, text in texts.items():
        text = text.strip()
        limit = _KEPT["reason" if name == "note" else name]
        if len(text) > limit:
            errors.setdefault(name, too_long(len(text), limit))
        out[name] = text
    return out


class StockInvalid(ValueError):
    """A movement that cannot be written: ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StockShort(StockInvalid):
    """Less stock than asked for: the message says how much is left."""

    def __init__(self, message: str, left: int):
        super().__init__({"qty": message})
        self.left = left


@dataclass(frozen=True)
class Lot:
    batch: str = ""
    expires_on: dt.date | None = None

    @property
    def key(self) -> str:
        return lot_key(self.batch, self.expires_on)


@dataclass
class Written:
    """What an operation wrote (or, for a retry, had written): its lines, and whether new."""

    movements: list[Movement]
    created: bool
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def qty(self) -> int:
        return sum(m.qty for m in self.movements)


def short_message(item: Item, point: StockPoint, left: int, batch: str = "") -> str:
    where = f"{point.name} {batch}".strip()
    return _("only %(n)s %(unit)s of %(item)s left at %(where)s") % {
        "n": f"{left:,}",
        "unit": item.unit,
        "item": item.name,
        "where": where,
    }


def _check_qty(qty: int, errors: dict[str, str]) -> None:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        errors["qty"] = _("the quantity must be a whole number more than 0")
    elif qty >= 10**12:
        errors["qty"] = _("the quantity is too large")


def _existing(client_id: uuid.UUID) -> list[Movement]:
    return list(
        Movement.objects.filter(client_id=client_id)
        .select_related("item", "point", "transfer")
        .order_by("line")
    )


@dataclass(frozen=True)
class Same:
    """What the lines a client id wrote first must be for a second call to be its retry: the
    point, item and kind, the lines' sum (None: not compared), the lot's key (None: first
    expiring first out, any lot) and other columns of the first line (``transfer.to_point_id``
    reads through the transfer)."""

    point: StockPoint
    item: Item
    kind: str
    qty: int | None
    lot: str | None = None
    fields: tuple[tuple[str, object], ...] = ()

    def matches(self, found: list[Movement]) -> bool:
        first = found[0]
        if (first.point_id, first.item_id, first.kind) != (self.point.pk, self.item.pk, self.kind):
            return False
        if self.qty is not None and sum(m.qty for m in found) != self.qty:
            return False
        if self.lot is not None and first.lot != self.lot:
            return False
        for name, value in self.fields:
            got: object = first
            for part in name.split("."):
                got = getattr(got, part, None) if got is not None else None
            if got != value:
                return False
        return True


def replay(found: list[Movement], same: Same) -> Written:
    """What a client id wrote before, when the same movement comes again (a double tap, a phone
    resending); StockInvalid when the id comes back with another movement — a form brought
    back (the browser's back button keeps its client id) with other values, or an id already
    used at another point — which was taken for the first and vanished under "recorded"."""
    if same.matches(found):
        return Written(movements=found, created=False)
    first = found[0]
    if first.point_id != same.point.pk:  # nothing of another point's movement is told
        message = _("this form was sent already for another movement; open the form again")
    else:
        message = _(
            "this form was sent already (%(kind)s of %(n)s %(unit)s of %(item)s); open the "
            "form again to record another movement"
        ) % {
            "kind": MovementKind(first.kind).label,
            "n": f"{abs(sum(m.qty for m in found)):,}",
            "unit": first.item.unit,
            "item": first.item.name,
        }
    raise StockInvalid({"client_id": message})


def add_to_balances(rows: Iterable[tuple[StockPoint, Item, Lot, int]]) -> None:
    """Add each (point, item, lot, qty) to its balance, creating the balance when the lot is
    new: one INSERT ... ON CONFLICT per lot (PostgreSQL and SQLite alike)."""
    table = connection.ops.quote_name(Balance._meta.db_table)
    now = timezone.now()
    params = [
        (p.pk, i.pk, lot.key, lot.batch, lot.expires_on, p.region_path, qty, now)
        for p, i, lot, qty in rows
    ]
    if not params:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (point_id, item_id, lot, batch, expires_on, region_path, qty, "
            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (point_id, item_id, lot) DO UPDATE SET "
            f"qty = {table}.qty + excluded.qty, updated_at = excluded.updated_at",
            params,
        )


def _take(balance: Balance, qty: int) -> None:
    """Take ``qty`` from a balance row, or StockShort: a conditional UPDATE whose row count
    says whether the stock was there when the row was written."""
    done = Balance.objects.filter(pk=balance.pk, qty__gte=qty).update(
        qty=F("qty") - qty, updated_at=timezone.now()
    )
    if not done:
        left = Balance.objects.filter(pk=balance.pk).values_list("qty", flat=True).first() or 0
        raise StockShort(short_message(balance.item, balance.point, left, balance.batch), left=left)


def fefo(point: StockPoint, item: Item, *, lock: bool = False) -> list[Balance]:
    """The item's lots with stock at the point, first expiring first (no expiry last)."""
    qs = Balance.objects.filter(point=point, item=item, qty__gt=0).order_by(
        F("expires_on").asc(nulls_last=True), "batch", "id"
    )
    if lock:
        qs = qs.select_for_update()
    rows = list(qs)
    for b in rows:
        b.point, b.item = point, item
    return rows


def propose_lots(point: StockPoint, item: Item, qty: int) -> list[tuple[Balance, int]]:
    """First-expiring-first-out: which lots an issue of ``qty`` takes, and how much of each."""
    plan, rest = [], qty
    for b in fefo(point, item):
        if rest <= 0:
            break
        take = min(b.qty, rest)
        plan.append((b, take))
        rest -= take
    return plan


def _plan_out(
    point: StockPoint, item: Item, qty: int, lot: Lot | None
) -> list[tuple[Balance, int]]:
    """Lock the lots an outgoing movement draws on (in one order, so writers never deadlock)
    and decide how much each gives; StockShort if they hold less than ``qty``."""
    lots = fefo(point, item, lock=True)
    if lot is not None:
        lots = [b for b in lots if b.lot == lot.key]
    held = sum(b.qty for b in lots)
    if held < qty:
        raise StockShort(
            short_message(item, point, held, lot.batch if lot else ""),
            left=held,
        )
    plan, rest = [], qty
    for b in lots:
        if rest <= 0:
            break
        take = min(b.qty, rest)
        plan.append((b, take))
        rest -= take
    return plan


def _write(
    client_id: uuid.UUID, lines: list[Movement], apply: Any, user: User | None, same: Same
) -> Written:
    """Insert the lines (the first insert is where a concurrent retry waits), then ``apply``
    their change to the balances, all in one transaction; a retry returns the first lines
    (``replay``: when they are the same movement)."""
    now = timezone.now()
    for n, m in enumerate(lines):
        m.client_id, m.line, m.recorded_by = client_id, n, user
        m.at = m.at or now
    try:
        with transaction.atomic():
            Movement.objects.bulk_create(lines)
            apply()
    except IntegrityError:
        found = _existing(client_id)
        if not found:
            raise
        return replay(found, same)
    return Written(movements=lines, created=True)


def _line(point: StockPoint, item: Item, kind: str, qty: int, lot: Lot, **fields) -> Movement:
    return Movement(
        kind=kind,
        point=point,
        item=item,
        lot=lot.key,
        batch=lot.batch,
        expires_on=lot.expires_on,
        region_path=point.region_path,
        qty=qty,
        **fields,
    )


def check_receive(
    *,
    point: StockPoint,
    item: Item,
    qty: int,
    client_id: uuid.UUID,
    origin: str,
    supplier: str = "",
    funding: str = "",
    lot: Lot = Lot(),
    reference: str = "",
    note: str = "",
    user: User | None = None,
) -> Written:
    """Stock received: bought (with its supplier and funding source), donated (with its
    donor) or allocated from above."""
    same = Same(
        point,
        item,
        MovementKind.RECEIPT,
        qty,
        lot.key,
        (("origin", origin), ("supplier", supplier.strip())),
    )
    found = _existing(client_id)
    if found:
        return replay(found, same)
    errors: dict[str, str] = {}
    _check_qty(qty, errors)
    if origin not in Origin.values:
        errors["origin"] = _("say where it came from: procurement, donation or allocation")
    elif origin in (Origin.PROCUREMENT, Origin.DONATION) and not supplier.strip():
        errors["supplier"] = (
            _("name the supplier") if origin == Origin.PROCUREMENT else _("name the donor")
        )
    _check_lot(item, lot, errors, receiving=True)
    typed = _fitting(errors, supplier=supplier, funding=funding, reference=reference, note=note)
    if errors:
        raise StockInvalid(errors)
    line = _line(
        point,
        item,
        MovementKind.RECEIPT,
        qty,
        lot,
        origin=origin,
        supplier=typed["supplier"],
        funding=typed["funding"],
        reference=typed["reference"],
        reason=typed["note"],
    )
    return _write(client_id, [line], lambda: add_to_balances([(point, item, lot, qty)]), user, same)


def _check_lot(item: Item, lot: Lot, errors: dict[str, str], *, receiving: bool) -> None:
    if len(lot.batch) > 50:
        errors["batch"] = _("a batch number has at most 50 characters")
    if receiving and item.tracks_batches:
        if not lot.batch:
            errors["batch"] = _("%(item)s is kept by batch: give the batch number") % {
                "item": item.name
            }
        if lot.expires_on is None:
            errors["expires_on"] = _("%(item)s is kept by batch: give its expiry date") % {
                "item": item.name
            }
    if receiving and lot.expires_on is not None and lot.expires_on < timezone.localdate():
        errors["expires_on"] = _("this lot has already expired; it cannot be received")


def _outgoing(
    *,
    kind: str,
    point: StockPoint,
    item: Item,
    qty: int,
    client_id: uuid.UUID,
    lot: Lot | None,
    user: User | None,
    transfer_to: StockPoint | None = None,
    same_fields: tuple[tuple[str, object], ...] = (),
    **fields,
) -> Written:
    """An issue, a loss, an expiry or a transfer out: drawn from one lot, or first-expiring
    first out across the lots. ``same_fields``: what else a retry's first line must hold."""
    transfers: list[Transfer] = []
    if transfer_to is not None:
        same_fields += (("transfer.to_point_id", transfer_to.pk),)
    same = Same(point, item, kind, -qty, lot.key if lot is not None else None, same_fields)
    try:
        with transaction.atomic():
            found = _existing(client_id)
            if found:
                return replay(found, same)
            plan = _plan_out(point, item, qty, lot)
            lines = []
            for balance, take in plan:
                taken = Lot(balance.batch, balance.expires_on)
                line = _line(point, item, kind, -take, taken, **fields)
                if transfer_to is not None:
                    t = Transfer.objects.create(
                        from_point=point,
                        to_point=transfer_to,
                        item=item,
                        lot=taken.key,
                        batch=taken.batch,
                        expires_on=taken.expires_on,
                        qty=take,
                        sent_at=timezone.now(),
                    )
                    transfers.append(t)
                    line.transfer = t
                lines.append(line)

            def apply() -> None:
                for balance, take in plan:
                    _take(balance, take)

            written = _write(client_id, lines, apply, user, same)
            if not written.created:
                transaction.set_rollback(True)  # the transfers made for a retry go with it
            written.transfers = transfers if written.created else []
            return written
    except IntegrityError:
        found = _existing(client_id)
        if not found:
            raise
        return replay(found, same)


def check_issue(
    *,
    point: StockPoint,
    item: Item,
    qty: int,
    client_id: uuid.UUID,
    recipient: str = "",
    household: Household | None = None,
    lot: Lot | None = None,
    reference: str = "",
    note: str = "",
    user: User | None = None,
) -> Written:
    """Stock handed out to a unit (a hospital, a community, a checkpoint) or a household (in
    the point's region); first expiring first out unless a lot is named."""
    errors: dict[str, str] = {}
    _check_qty(qty, errors)
    if not recipient.strip() and household is None:
        errors["recipient"] = _("name the unit or household that receives it")
    if household is not None and not household.region_path.startswith(point.region_path):
        errors["household"] = _("the household is not in this point's area")
    typed = _fitting(errors, recipient=recipient, reference=reference, note=note)
    if errors:
        raise StockInvalid(errors)
    return _outgoing(
        kind=MovementKind.ISSUE,
        point=point,
        item=item,
        qty=qty,
        client_id=client_id,
        lot=lot,
        user=user,
        recipient=typed["recipient"],
        household=household,
        same_fields=(
            ("recipient", typed["recipient"]),
            ("household_id", household.pk if household is not None else None),
        ),
        reference=typed["reference"],
        reason=typed["note"],
    )


def check_write_off(
    *,
    point: StockPoint,
    item: Item,
    qty: int,
    client_id: uuid.UUID,
    kind: str,
    reason: str,
    lot: Lot | None = None,
    user: User | None = None,
) -> Written:
    """Stock lost (damaged, stolen) or expired, with the reason."""
    errors: dict[str, str] = {}
    _check_qty(qty, errors)
    if kind not in (MovementKind.LOSS, MovementKind.EXPIRY):
        errors["kind"] = _("a write-off is a loss or an expiry")
    if not reason.strip():
        errors["reason"] = _("say what happened to it")
    reason = _fitting(errors, reason=reason)["reason"]
    if errors:
        raise StockInvalid(errors)
    return _outgoing(
        kind=kind,
        point=point,
        item=item,
        qty=qty,
        client_id=client_id,
        lot=lot,
        user=user,
        reason=reason,
    )
