"""Requisitions: raised on a page (waiting for approval), approved or rejected by an approver,
cancelled by whoever raised them, or imported from headquarters' list (approved at once).

A requisition's unit is a name in a region of the tree, and a stock point when the unit is
one (found by its name or code). ``unit_key`` (the region's path and the width-folded name) is
what a requester's "own unit" means: they follow every requisition with the key of one they
raised, and every requisition of a point they keep.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.text import InvalidText, clean_name, too_long
from fangkong.regions.models import Region

from ..choices import OPEN_REQUISITIONS, RequisitionSource, RequisitionStatus, Tier
from ..models import Item, Requisition, StockPoint
from ..requisition_sheet import Col, RequisitionRow, read_sheet
from ..stock_sheet import SheetInvalid, item_key
from .ledger import MAX_REASON, StockInvalid

logger = logging.getLogger(__name__)
BATCH = 1000
MAX_QTY = 10**12


def unit_key(region_path: str, unit: str) -> str:
    return f"{region_path}|{item_key(unit)}"[:400]


def _page_number(client_id: uuid.UUID, today: dt.date) -> str:
    return f"SQ{today:%Y%m%d}-{client_id.hex[:8].upper()}"


def _check_fields(item: Item | None, qty: Any, tier: Any, reason: str, errors: dict) -> None:
    if item is None:
        errors["item"] = _("choose the item")
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        errors["qty"] = _("the quantity must be a whole number more than 0")
    elif qty >= MAX_QTY:
        errors["qty"] = _("the quantity is too large")
    if tier not in Tier.values:
        errors["tier"] = _("the priority is 1 (医疗一线), 2 (其他一线) or 3 (社区)")
    if len(reason) > MAX_REASON:
        errors["reason"] = _("the reason has at most 200 characters")


def check_raise(
    *,
    user: User,
    region: Region,
    unit: str,
    item: Item | None,
    qty: int,
    tier: int,
    client_id: uuid.UUID,
    needed_on: dt.date | None = None,
    reason: str = "",
    unit_point: StockPoint | None = None,
) -> tuple[Requisition, bool]:
    """A requisition raised on a page: it waits for an approver. (requisition, created); the
    same ``client_id`` again returns the first one."""
    found = Requisition.objects.filter(client_id=client_id).first()
    if found is not None:
        return _same_requisition(found, user=user, item=item, qty=qty), False
    errors: dict[str, str] = {}
    if unit_point is not None:
        unit, region = unit_point.name, unit_point.region
    try:
        unit = item_key(clean_name(unit or ""))
    except InvalidText as e:
        errors["unit"] = str(e)
    if not unit and "unit" not in errors:
        errors["unit"] = _("name the unit that needs it")
    elif len(unit) > 100:
        errors["unit"] = too_long(len(unit), 100)
    reason = " ".join((reason or "").split())
    _check_fields(item, qty, tier, reason, errors)
    if needed_on is not None and needed_on < timezone.localdate():
        errors["needed_on"] = _("the needed-by date has passed")
    if errors:
        raise StockInvalid(errors)
    assert item is not None
    return do_raise(
        user=user,
        region=region,
        unit=unit,
        item=item,
        qty=qty,
        tier=tier,
        client_id=client_id,
        needed_on=needed_on,
        reason=reason,
        unit_point=unit_point,
    )


def do_raise(
    *,
    user: User,
    region: Region,
    unit: str,
    item: Item,
    qty: int,
    tier: int,
    client_id: uuid.UUID,
    needed_on: dt.date | None,
    reason: str,
    unit_point: StockPoint | None,
) -> tuple[Requisition, bool]:
    req = Requisition(
        number=_page_number(client_id, timezone.localdate()),
        client_id=client_id,
        unit=unit,
        unit_key=unit_key(region.path, unit),
        unit_point=unit_point,
        region=region,
        region_path=region.path,
        tier=tier,
        item=item,
        qty=qty,
        needed_on=needed_on,
        reason=reason,
        status=RequisitionStatus.WAITING,
        source=RequisitionSource.PAGE,
        raised_by=user,
    )
    try:
        with transaction.atomic():
            req.save()
    except IntegrityError:
        found = Requisition.objects.filter(client_id=client_id).first()
        if found is None:
            raise
        return _same_requisition(found, user=user, item=item, qty=qty), False
    return req, True


def _same_requisition(
    found: Requisition, *, user: User, item: Item | None, qty: Any
) -> Requisition:
    """The requisition a form raised, when the same form comes again; StockInvalid when it
    comes back (the browser's back button keeps its client id) with another item or quantity,
    or from another user."""
    if found.raised_by_id != user.pk:
        message = _("this form was sent already for another requisition; open the form again")
    elif (found.item_id, found.qty) != (item.pk if item is not None else None, qty):
        message = _(
            "this form was sent already (requisition %(number)s: %(qty)s %(unit)s of "
            "%(item)s); open the form again to raise another"
        ) % {
            "number": found.number,
            "qty": f"{found.qty:,}",
            "unit": found.item.unit,
            "item": found.item.name,
        }
    else:
        return found
    raise StockInvalid({"client_id": message})


def check_decide(
    *, requisition: Requisition, approve: bool, user: User, note: str = ""
) -> Requisition:
    """An approver approves (it joins the next allocation round) or rejects (with the reason)
    a requisition waiting for approval."""
    note = " ".join((note or "").split())
    if not approve and not note:
        raise StockInvalid({"note": _("say why it is rejected")})
    if len(note) > MAX_REASON:
        raise StockInvalid({"note": _("the note has at most 200 characters")})
    status = RequisitionStatus.OPEN if approve else RequisitionStatus.REJECTED
    now = timezone.now()
    done = Requisition.objects.filter(pk=requisition.pk, status=RequisitionStatus.WAITING).update(
        status=status,
        decided_by=user,
        decided_at=now,
        approved_at=now if approve else None,
        decision_note=note,
    )
    requisition.refresh_from_db()
    if not done and requisition.status != status:
        raise StockInvalid(
            {
                "status": _("requisition %(n)s is no longer waiting for approval: %(s)s")
                % {"n": requisition.number, "s": requisition.get_status_display()}
            }
        )
    return requisition


def check_cancel(*, requisition: Requisition, user: User) -> Requisition:
    """Whoever raised it (or an approver) withdraws a requisition not yet filled; what was
    issued for it stays issued."""
    done = Requisition.objects.filter(
        Q(status=RequisitionStatus.WAITING) | Q(status__in=OPEN_REQUISITIONS),
        pk=requisition.pk,
    ).update(status=RequisitionStatus.CANCELLED, decided_by=user, decided_at=timezone.now())
    requisition.refresh_from_db()
    if not done and requisition.status != RequisitionStatus.CANCELLED:
        raise StockInvalid(
            {
                "status": _("requisition %(n)s cannot be cancelled: %(s)s")
                % {"n": requisition.number, "s": requisition.get_status_display()}
            }
        )
    return requisition


# --- headquarters' list ---------------------------------------------------------------------


@dataclass
class RequisitionImportResult:
    read: int = 0
    accepted: int = 0
    already: int = 0  # 申请单号 known before: nothing added
    rejected: list[tuple[int, int, str]] = field(default_factory=list)  # (number, index, reason)

    def as_dict(self, rejects_file: str | None = None) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "rejects_file": rejects_file,
        }


class _Units:
    """Where a unit named in the list is: a stock point of that name or code, else a region of
    that name, else the root of the tree (headquarters' list covers the whole city)."""

    def __init__(self, names: set[str]):
        self.points: dict[str, StockPoint] = {}
        for p in StockPoint.objects.filter(Q(name__in=names) | Q(code__in=names)).select_related(
            "region"
        ):
            self.points.setdefault(p.code, p)
            self.points.setdefault(p.name, p)
        self.regions: dict[str, Region] = {}
        for r in Region.objects.filter(name__in=names).order_by("path"):
            self.regions.setdefault(r.name, r)
        self.root = Region.objects.filter(parent__isnull=True).order_by("path").first()

    def locate(self, unit: str) -> tuple[Region | None, StockPoint | None]:
        point = self.points.get(unit)
        if point is not None:
            return point.region, point
        return self.regions.get(unit, self.root), None


def _file_requisition(row: RequisitionRow, item: Item, units: _Units, user) -> Requisition | None:
    region, point = units.locate(row.unit)
    now = timezone.now()
    if region is None:
        return None
    return Requisition(
        number=row.ref,
        unit=(point.name if point is not None else row.unit)[:100],
        unit_key=unit_key(region.path, point.name if point is not None else row.unit),
        unit_point=point,
        region=region,
        region_path=region.path,
        tier=row.tier,
        item=item,
        qty=row.qty,
        needed_on=row.needed_on,
        reason=row.reason,
        status=RequisitionStatus.OPEN,
        source=RequisitionSource.FILE,
        raised_by=user,
        decided_by=user,
        decided_at=now,
        approved_at=now,
    )


def _accept(sheet, result: RequisitionImportResult, user) -> list[Requisition]:
    """The rows to add: items matched, duplicates inside the file refused, numbers already
    known skipped."""
    items = {i.name: i for i in Item.objects.filter(name__in={r.item for r in sheet.rows})}
    refs = [r.ref for r in sheet.rows]
    known = set(Requisition.objects.filter(number__in=refs).values_list("number", flat=True))
    units = _Units({r.unit for r in sheet.rows})
    first_row: dict[str, int] = {}
    fresh = []
    for r in sheet.rows:
        if r.ref in first_row:
            result.rejected.append(
                (
                    r.number,
                    r.index,
                    _("申请单号 %(ref)s is already in row %(row)d of this file")
                    % {"ref": r.ref, "row": first_row[r.ref]},
                )
            )
            continue
        first_row[r.ref] = r.number
        item = items.get(r.item)
        if item is None:
            result.rejected.append(
                (
                    r.number,
                    r.index,
                    _("%(item)s is not in the catalog; use the catalog's name of the item")
                    % {"item": r.item},
                )
            )
            continue
        if r.ref in known:
            result.already += 1
            continue
        req = _file_requisition(r, item, units, user)
        if req is None:
            result.rejected.append(
                (r.number, r.index, _("the region tree is empty: import the regions first"))
            )
            continue
        fresh.append(req)
    return fresh


def import_requisitions(
    *, data: bytes, filename: str, rejects: Path | None = None, user: User | None = None
) -> RequisitionImportResult:
    """Headquarters' list of units' requests: each accepted row an approved requisition (open
    for the next allocation round); SheetInvalid (nothing saved) for a file that is not such a
    list or whose rejects file cannot be written."""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise SheetInvalid(str(e)) from None
    sheet = read_sheet(table)
    result = RequisitionImportResult(read=sheet.read, rejected=list(sheet.rejected))
    with transaction.atomic():
        fresh = _accept(sheet, result, user)
        Requisition.objects.bulk_create(fresh, batch_size=BATCH)
        result.accepted = len(fresh)
        result.rejected.sort()
        record_audit(
            user=user,
            action=AuditAction.IMPORT,
            object_type="requisitions",
            object_id=filename[:64],
            region_path=fresh[0].region_path if fresh else "",
            detail={"file": filename, **result.as_dict()},
        )
        if result.rejected and rejects is not None:
            _keep_rejects(sheet, result, rejects)
    return result


def _keep_rejects(sheet, result: RequisitionImportResult, path: Path) -> None:
    try:
        spreadsheets.write_rejects(
            sheet.table,
            sheet.titles,
            [(index, reason) for _n, index, reason in result.rejected],
            path,
            reason_col=sheet.columns.get(Col.ERROR),
        )
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise SheetInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None
