"""Donations received into stock: the donor (found again by credit code, or by name and phone),
the donation with its number, and one receipt movement per line through the ledger's own
``check_receive``, each as a lot of its own so its way out of stock can be traced."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.codes import InvalidCode, credit_code
from fangkong.common.phones import InvalidPhone, normalise
from fangkong.common.text import too_long

from ..choices import DonorKind, Origin
from ..models import Donation, DonationLine, Donor, Item, StockPoint, lot_key
from .ledger import Lot, StockInvalid, _check_lot, _check_qty, check_receive

MAX_LINES = 50
PREFIX = "JZ"  # 捐赠


@dataclass(frozen=True)
class DonorIn:
    kind: str
    name: str
    phone: str = ""
    credit_code: str = ""
    named_in_public: bool = False  # a person agreed to be named on the public page


@dataclass(frozen=True)
class LineIn:
    item: Item
    qty: int
    batch: str = ""
    expires_on: dt.date | None = None


def donation_batch(number: str, batch: str) -> str:
    """The batch a donated lot is kept under: the donation's number, then the maker's batch."""
    return f"{number}/{batch}" if batch else number


def _clean_donor(donor: DonorIn, errors: dict[str, str]) -> DonorIn:
    name = " ".join(donor.name.split())
    if donor.kind not in DonorKind.values:
        errors["donor_kind"] = _("say whether the donor is a person or an organisation")
    if not name:
        errors["donor_name"] = _("name the donor")
    elif len(name) > 100:
        errors["donor_name"] = _("a donor's name has at most 100 characters")
    phone = ""
    if donor.phone.strip():
        try:
            phone = normalise(donor.phone)
        except InvalidPhone as e:
            errors["phone"] = str(e)
    code = ""
    if donor.credit_code.strip():
        if donor.kind != DonorKind.ORGANISATION:
            errors["credit_code"] = _("only an organisation has a unified social credit code")
        else:
            try:
                code = credit_code(donor.credit_code)
            except InvalidCode as e:
                errors["credit_code"] = str(e)
    return DonorIn(donor.kind, name, phone, code, donor.named_in_public)


def _check_lines(lines: list[LineIn], errors: dict[str, str]) -> None:
    if not lines:
        errors["lines"] = _("list at least one item and its quantity")
    elif len(lines) > MAX_LINES:
        errors["lines"] = _("a donation has at most %(n)s lines") % {"n": MAX_LINES}
    seen: set[int] = set()
    for n, line in enumerate(lines, 1):
        line_errors: dict[str, str] = {}
        _check_qty(line.qty, line_errors)
        if line.item.pk in seen:
            line_errors["item"] = _("%(item)s is listed twice: add the quantities up") % {
                "item": line.item.name
            }
        seen.add(line.item.pk)
        if len(line.batch) > 40:
            line_errors["batch"] = _("a batch number has at most 40 characters")
        _check_lot(line.item, Lot(line.batch or "-", line.expires_on), line_errors, receiving=True)
        for field, message in line_errors.items():
            errors[f"line{n}_{field}"] = _("line %(n)s: %(message)s") % {"n": n, "message": message}


def _donor(clean: DonorIn) -> Donor:
    """The donor as recorded before (by credit code, or name and phone), or a new one; the
    name shown to the public follows this donation's wish."""
    if clean.kind == DonorKind.ORGANISATION:
        public = clean.name
    else:
        public = clean.name if clean.named_in_public else ""
    found = None
    if clean.credit_code:
        found = Donor.objects.filter(credit_code=clean.credit_code).first()
    if found is None:
        found = Donor.objects.filter(
            kind=clean.kind, name=clean.name, phone=clean.phone, credit_code=clean.credit_code
        ).first()
    if found is None:
        return Donor.objects.create(
            kind=clean.kind,
            name=clean.name,
            phone=clean.phone,
            credit_code=clean.credit_code,
            public_name=public,
        )
    if found.public_name != public:
        Donor.objects.filter(pk=found.pk).update(public_name=public)
        found.public_name = public
    return found


def check_receive_donation(
    *,
    point: StockPoint,
    donor: DonorIn,
    lines: list[LineIn],
    client_id: uuid.UUID,
    note: str = "",
    user: User | None = None,
) -> tuple[Donation, bool]:
    """A donation received at ``point``: the donor, the lines, one receipt movement each.
    The same ``client_id`` again returns the first donation and writes nothing (second)."""
    found = Donation.objects.filter(client_id=client_id).first()
    if found is not None:
        return _same_donation(found, point=point, donor=donor, lines=lines), False
    errors: dict[str, str] = {}
    clean = _clean_donor(donor, errors)
    _check_lines(lines, errors)
    note = " ".join(note.split())
    if len(note) > 200:
        errors["note"] = too_long(len(note), 200)
    if errors:
        raise StockInvalid(errors)
    try:
        return do_receive_donation(
            point=point, donor=clean, lines=lines, client_id=client_id, note=note, user=user
        ), True
    except IntegrityError:
        found = Donation.objects.filter(client_id=client_id).first()
        if found is None:
            raise
        return _same_donation(found, point=point, donor=donor, lines=lines), False


def _same_donation(
    found: Donation, *, point: StockPoint, donor: DonorIn, lines: list[LineIn]
) -> Donation:
    """The donation a form recorded, when the same form comes again; StockInvalid when it comes
    back (the browser's back button keeps its client id) with another donor or other lines,
    or at another point."""
    recorded = sorted(found.lines.values_list("item_id", "qty"))
    again = sorted((line.item.pk, line.qty) for line in lines)
    name = " ".join(donor.name.split())
    if found.point_id != point.pk:
        message = _("this form was sent already for another donation; open the form again")
    elif recorded != again or found.donor.name != name:
        message = _(
            "this form was sent already (donation %(number)s from %(donor)s); open the form "
            "again to record another donation"
        ) % {"number": found.number, "donor": found.donor.name}
    else:
        return found
    raise StockInvalid({"client_id": message})


@transaction.atomic
def do_receive_donation(
    *,
    point: StockPoint,
    donor: DonorIn,
    lines: list[LineIn],
    client_id: uuid.UUID,
    note: str = "",
    user: User | None = None,
) -> Donation:
    giver = _donor(donor)
    donation = Donation.objects.create(
        number=f"tmp-{client_id.hex[:16]}",
        client_id=client_id,
        donor=giver,
        point=point,
        region_path=point.region_path,
        received_at=timezone.now(),
        note=" ".join(note.split()),
        recorded_by=user,
    )
    donation.number = f"{PREFIX}{donation.pk:06d}"
    Donation.objects.filter(pk=donation.pk).update(number=donation.number)
    rows = []
    for n, line in enumerate(lines):
        lot = Lot(donation_batch(donation.number, line.batch.strip()), line.expires_on)
        written = check_receive(
            point=point,
            item=line.item,
            qty=line.qty,
            client_id=uuid.uuid5(client_id, f"donation-line-{n}"),
            origin=Origin.DONATION,
            supplier=giver.name,
            lot=lot,
            reference=donation.number,
            note=donation.note,
            user=user,
        )
        rows.append(
            DonationLine(
                donation=donation,
                item=line.item,
                qty=line.qty,
                lot=lot_key(lot.batch, lot.expires_on),
                movement=written.movements[0],
            )
        )
    DonationLine.objects.bulk_create(rows)
    return donation
