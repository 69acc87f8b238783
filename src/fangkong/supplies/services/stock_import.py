"""Opening balances from a warehouse's stock sheet (`fangkong import stock FILE --point CODE`).

Every data row is accepted or rejected with its reason (written to the rejects file, in the
sheet's own format and columns, with 错误原因); a 合计 row is compared with the rows, never
taken as an item. Each accepted row is an ``opening`` movement whose client id is derived from
the point, the row's item, lot and quantity (and which occurrence of that row it is), so the
same sheet imported again finds every row already there and adds nothing. Items not in the
catalog are added with the row's unit. One transaction: the rejects file is written before it
commits, and nothing is saved if it cannot be.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets

from ..choices import MovementKind
from ..models import Item, Movement, StockPoint
from ..stock_sheet import Col, SheetInvalid, StockRow, read_sheet
from .ledger import Lot, add_to_balances

logger = logging.getLogger(__name__)
NAMESPACE = uuid.UUID("0b6f3c1e-5d2a-4e8f-9c71-3a4b5c6d7e8f")
BATCH = 1000


@dataclass
class StockImportResult:
    read: int = 0
    accepted: int = 0
    already: int = 0  # rows an earlier import of the same sheet already added
    rejected: list[tuple[int, int, str]] = field(default_factory=list)  # (number, index, reason)
    new_items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the 合计 rows compared

    def as_dict(self, rejects_file: str | None = None) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "rejects_file": rejects_file,
        }


def _row_id(point: StockPoint, row: StockRow, occurrence: int) -> uuid.UUID:
    lot = Lot(row.batch, row.expires_on).key
    return uuid.uuid5(NAMESPACE, f"{point.code}|{row.name}|{lot}|{row.qty}|{occurrence}")


def _items(rows: list[StockRow], result: StockImportResult) -> tuple[dict[str, Item], list]:
    """The catalog items the rows name, new ones added with their unit; rows whose unit is
    missing (for a new item) or differs from the catalog's are refused."""
    names = {r.name for r in rows}
    known = {i.name: i for i in Item.objects.filter(name__in=names)}
    kept, fresh = [], {}
    for r in rows:
        item = known.get(r.name)
        if item is None and r.name not in fresh:
            if not r.unit:
                result.rejected.append(
                    (
                        r.number,
                        r.index,
                        _("%(item)s is not in the catalog yet: give its unit (单位)")
                        % {"item": r.name},
                    )
                )
                continue
            fresh[r.name] = Item(name=r.name, unit=r.unit, spec=r.spec)
        unit = item.unit if item is not None else fresh[r.name].unit
        if r.unit and r.unit != unit:
            result.rejected.append(
                (
                    r.number,
                    r.index,
                    _("the catalog counts %(item)s in %(unit)s; this row says %(row)s")
                    % {"item": r.name, "unit": unit, "row": r.unit},
                )
            )
            continue
        kept.append(r)
    created = Item.objects.bulk_create(fresh.values(), batch_size=BATCH)
    known.update({i.name: i for i in created})
    result.new_items = sorted(fresh)
    return known, kept


def _compare_totals(sheet, result: StockImportResult) -> None:
    added = sum(r.qty for r in sheet.rows)
    for total in sheet.totals:
        if total.qty is None:
            result.notes.append(
                _("the 合计 row %(n)d gives no total to compare") % {"n": total.number}
            )
        elif total.qty != added:
            result.notes.append(
                _(
                    "the 合计 row %(n)d says %(total)s; the rows read add up to %(sum)s "
                    "(a difference of %(diff)s)"
                )
                % {
                    "n": total.number,
                    "total": f"{total.qty:,}",
                    "sum": f"{added:,}",
                    "diff": f"{total.qty - added:+,}",
                }
            )


def import_stock(
    *,
    data: bytes,
    filename: str,
    point: StockPoint,
    rejects: Path | None = None,
    user: User | None = None,
) -> StockImportResult:
    """Import a stock sheet's rows as opening balances of ``point``; SheetInvalid (nothing
    saved) for a file that is not a stock sheet or whose rejects file cannot be written."""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise SheetInvalid(str(e)) from None
    sheet = read_sheet(table)
    result = StockImportResult(read=sheet.read, rejected=list(sheet.rejected))
    _compare_totals(sheet, result)
    with transaction.atomic():
        items, rows = _items(sheet.rows, result)
        seen: Counter[tuple] = Counter()
        keyed = []
        for r in rows:
            key = (r.name, r.batch, r.expires_on, r.qty)
            seen[key] += 1
            keyed.append((_row_id(point, r, seen[key]), r))
        _write(point, keyed, items, result, user, filename)
        result.rejected.sort()
        record_audit(
            user=user,
            action=AuditAction.IMPORT,
            object_type="stock",
            object_id=point.code,
            region_path=point.region_path,
            detail={"file": filename, "point": point.code, **result.as_dict()},
        )
        if result.rejected and rejects is not None:
            _keep_rejects(sheet, result, rejects)
    return result


def _write(point, keyed, items, result: StockImportResult, user: User | None, filename: str):
    """The rows not imported before as movements (in batches), then each lot's balance once."""
    now = timezone.now()
    lots: dict[tuple[int, str], tuple[Item, Lot]] = {}
    totals: defaultdict[tuple[int, str], int] = defaultdict(int)
    for start in range(0, len(keyed), BATCH):
        chunk = keyed[start : start + BATCH]
        there = set(
            Movement.objects.filter(client_id__in=[cid for cid, _r in chunk], line=0).values_list(
                "client_id", flat=True
            )
        )
        lines = []
        for cid, r in chunk:
            if cid in there:
                result.already += 1
                continue
            item, lot = items[r.name], Lot(r.batch, r.expires_on)
            lines.append(
                Movement(
                    client_id=cid,
                    kind=MovementKind.OPENING,
                    point=point,
                    item=item,
                    lot=lot.key,
                    batch=lot.batch,
                    expires_on=lot.expires_on,
                    region_path=point.region_path,
                    qty=r.qty,
                    at=now,
                    reason=_("opening balance, row %(n)d of the sheet") % {"n": r.number},
                    reference=filename[:64],
                    recorded_by=user,
                )
            )
            lots[(item.pk, lot.key)] = (item, lot)
            totals[(item.pk, lot.key)] += r.qty
        Movement.objects.bulk_create(lines, batch_size=BATCH)
        result.accepted += len(lines)
    add_to_balances((point, item, lot, totals[key]) for key, (item, lot) in sorted(lots.items()))


def _keep_rejects(sheet, result: StockImportResult, path: Path) -> None:
    try:
        spreadsheets.write_rejects(
            sheet.table,
            sheet.header.titles,
            [(index, reason) for _n, index, reason in result.rejected],
            path,
            reason_col=sheet.header.columns.get(Col.REASON),
        )
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise SheetInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None
