"""Rosters: a unit's upload checked row by row, added once, reviewed by the division.

Every data row is taken, already there (the same person on this policy from the same unit at
the same rate: an earlier import of the same roster) or rejected with its reason, written to
the rejects file with 错误原因; the 合计 row is compared with the rows, never taken. A person
is on a one-off policy once across every roster and unit: checked here and held by a unique
index, so two uploads at once cannot both add them.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.db import BulkWriter
from fangkong.common.money import show, yuan_json

from ..choices import PayeeStatus, RosterStatus
from ..models import Payee, Policy, Roster
from ..roster_sheet import Col, RosterInvalid, RosterRow, Sheet, read_roster
from .errors import FundsInvalid

logger = logging.getLogger(__name__)
BATCH = 5000
PAYEE_FIELDS = [
    "roster",
    "policy",
    "period",
    "row_number",
    "name",
    "id_number",
    "unit",
    "category",
    "amount_fen",
    "bank_card",
    "bank",
    "status",
    "failure_reason",
    "region_path",
]


def _lookup_size() -> int:
    """ids per IN (...) query: under SQLite's older limit of 999 variables."""
    return 10_000 if connection.vendor == "postgresql" else 900


@dataclass
class RosterImportResult:
    read: int = 0
    accepted: int = 0
    already: int = 0  # rows an earlier import of the same roster added
    total_fen: int = 0  # what this import added
    rejected: list[tuple[int, int, str]] = field(default_factory=list)  # (number, index, why)
    notes: list[str] = field(default_factory=list)
    roster: Roster | None = None

    def as_dict(self, rejects_file: str | None = None) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "total": yuan_json(self.total_fen),
            "rejects_file": rejects_file,
        }


def _taken(policy: Policy, period: str, numbers: list[str]) -> dict[str, tuple]:
    """id number → (unit, category, fen, roster id) of the persons already on the policy."""
    found: dict[str, tuple] = {}
    live = Payee.objects.filter(policy=policy, period=period).exclude(status=PayeeStatus.RETURNED)
    if not live.exists():  # a policy's first roster: nothing to look up
        return found
    step = _lookup_size()
    for start in range(0, len(numbers), step):
        chunk = numbers[start : start + step]
        for row in live.filter(id_number__in=chunk).values_list(
            "id_number", "unit", "category", "amount_fen", "roster_id"
        ):
            found[row[0]] = row[1:]
    return found


def _sort_rows(sheet: Sheet, policy: Policy, period: str, result: RosterImportResult):
    """The rows to add: those not in the file twice and not on the policy already."""
    first: dict[str, int] = {}
    unique: list[RosterRow] = []
    for r in sheet.rows:
        if r.id_number in first:
            result.rejected.append(
                (
                    r.number,
                    r.index,
                    _("the same person is on row %(n)d of this file: a person is listed once")
                    % {"n": first[r.id_number]},
                )
            )
            continue
        first[r.id_number] = r.number
        unique.append(r)
    taken = _taken(policy, period, [r.id_number for r in unique])
    fresh = []
    for r in unique:
        there = taken.get(r.id_number)
        if there is None:
            fresh.append(r)
        elif there[:3] == (r.unit, r.category, r.amount_fen):
            result.already += 1
        else:
            result.rejected.append(
                (
                    r.number,
                    r.index,
                    _(
                        "already on this policy from %(unit)s (roster %(roster)d, %(c)s): a "
                        "person is paid once"
                    )
                    % {"unit": there[0], "roster": there[3], "c": there[1]},
                )
            )
    return fresh


def _compare_total(sheet: Sheet, result: RosterImportResult) -> None:
    valid = sum(r.amount_fen for r in sheet.rows)
    for number in sheet.total_rows:
        if sheet.stated_fen is None:
            result.notes.append(_("the 合计 row %(n)d gives no amount to compare") % {"n": number})
        elif sheet.stated_fen != valid:
            result.notes.append(
                _(
                    "the 合计 row %(n)d says %(stated)s; the rows that pass the checks add up "
                    "to %(sum)s (a difference of %(diff)s)"
                )
                % {
                    "n": number,
                    "stated": show(sheet.stated_fen),
                    "sum": show(valid),
                    "diff": show(sheet.stated_fen - valid),
                }
            )


def _unit_of(sheet: Sheet, fresh: list[RosterRow], filename: str) -> str:
    """The unit a roster comes from: most of its rows', or (none taken) the first one named."""
    units = Counter(r.unit for r in fresh)
    if units:
        return units.most_common(1)[0][0]
    c = sheet.columns.get(Col.UNIT)
    for _n, index, _why in sheet.rejected:
        cells = sheet.table.rows[index]
        if c is not None and c < len(cells) and cells[c].strip():
            return " ".join(cells[c].split())[:120]
    return filename[:120]


def _save(policy, period, fresh, *, unit, filename, region_path, user, sheet, result) -> Roster:
    # An upload that adds nobody is kept too, returned at once: the unit needs its rejects
    # file (a page shows twenty reasons), and the division has nothing to review.
    returned = not fresh
    roster = Roster.objects.create(
        policy=policy,
        unit=unit or _unit_of(sheet, fresh, filename),
        status=RosterStatus.RETURNED if returned else RosterStatus.SUBMITTED,
        review_note=_("nothing was added: every row was refused; correct them and upload again")
        if returned
        else "",
        period=period,
        filename=filename[:200],
        read=sheet.read,
        rows=len(fresh),
        total_fen=sum(r.amount_fen for r in fresh),
        stated_total_fen=sheet.stated_fen,
        rejected=len(result.rejected),
        region_path=region_path,
        submitted_by=user,
    )
    writer = BulkWriter(Payee, PAYEE_FIELDS)
    for r in fresh:  # COPY on PostgreSQL, batched inserts elsewhere
        writer.rows.append(
            (
                roster.pk,
                policy.pk,
                period,
                r.number,
                r.name,
                r.id_number,
                r.unit,
                r.category,
                r.amount_fen,
                r.bank_card,
                r.bank,
                PayeeStatus.SUBMITTED.value,
                "",
                region_path,
            )
        )
        if len(writer.rows) >= BATCH:
            writer.flush()
    writer.flush()
    return roster


def import_roster(
    *,
    data: bytes,
    filename: str,
    policy: Policy,
    region_path: str | None = None,
    user: User | None = None,
    unit: str = "",
    period: str = "",
    rejects: Path | None = None,
) -> RosterImportResult:
    """Check a unit's roster and add its new rows as one submitted roster; RosterInvalid
    (nothing saved) for a file that is not a roster or whose rejects cannot be written."""
    period = period.strip()[:20]
    unit = " ".join(unit.split())[:120]
    if not policy.one_off and not period:
        raise RosterInvalid(_("the policy is paid by period: name the period, such as 2020-02"))
    if policy.one_off:
        period = ""
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as e:
        raise RosterInvalid(str(e)) from None
    rates = dict(policy.rates.values_list("category", "amount_fen"))
    sheet = read_roster(table, rates, unit=unit.strip())
    result = RosterImportResult(read=sheet.read, rejected=list(sheet.rejected))
    _compare_total(sheet, result)
    path = policy.region_path if region_path is None else region_path
    try:
        with transaction.atomic():
            fresh = _sort_rows(sheet, policy, period, result)
            result.rejected.sort()
            # all refused: kept (returned) only to hand back the rejects file
            if fresh or (result.rejected and rejects is not None):
                result.roster = _save(
                    policy,
                    period,
                    fresh,
                    unit=unit.strip(),
                    filename=filename,
                    region_path=path,
                    user=user,
                    sheet=sheet,
                    result=result,
                )
                result.accepted = len(fresh)
                result.total_fen = result.roster.total_fen
            record_audit(
                user=user,
                action=AuditAction.IMPORT,
                object_type="allowance_roster",
                object_id=result.roster.pk if result.roster else policy.code,
                region_path=path,
                detail={"file": filename, "policy": policy.code, **result.as_dict()},
            )
            if result.rejected and rejects is not None:
                _keep_rejects(sheet, result, rejects)
                if result.roster is not None:
                    Roster.objects.filter(pk=result.roster.pk).update(rejects_file=str(rejects))
    except IntegrityError:  # another upload added one of these persons a moment ago
        raise RosterInvalid(
            _("another roster added some of these persons at the same moment; upload it again")
        ) from None
    return result


def _keep_rejects(sheet: Sheet, result: RosterImportResult, path: Path) -> None:
    try:
        spreadsheets.write_rejects(
            sheet.table,
            sheet.titles,
            [(index, reason) for _n, index, reason in result.rejected],
            path,
            reason_col=sheet.columns.get(Col.REASON),
        )
    except Exception as e:  # a full disk, a permission: the import must not commit without it
        logger.exception("the rejects file %s could not be written", path)
        path.unlink(missing_ok=True)
        raise RosterInvalid(
            _("the file of refused rows could not be written (%(e)s); nothing was saved")
            % {"e": getattr(e, "strerror", None) or e.__class__.__name__}
        ) from None


@dataclass(frozen=True)
class ApproveResult:
    rosters: int
    approved: int  # persons
    total_fen: int

    def as_dict(self) -> dict[str, Any]:
        return {"approved": self.approved, "total": yuan_json(self.total_fen)}


@transaction.atomic
def check_approve(
    *,
    policy: Policy,
    user: User | None = None,
    unit: str | None = None,
    rosters: list[int] | None = None,
    scope_path: str | None = None,
) -> ApproveResult:
    """Approve the submitted rosters of a policy (of one unit, or the given ones, inside
    ``scope_path``): their rows become payable. A roster approved already is left as it is."""
    qs = Roster.objects.select_for_update().filter(policy=policy, status=RosterStatus.SUBMITTED)
    if unit:
        qs = qs.filter(unit=unit.strip())
    if rosters is not None:
        qs = qs.filter(pk__in=rosters)
    if scope_path is not None:
        qs = qs.filter(region_path__startswith=scope_path)
    ids = list(qs.values_list("pk", flat=True))
    payees = Payee.objects.filter(roster_id__in=ids, status=PayeeStatus.SUBMITTED)
    total = payees.aggregate(n=Sum("amount_fen"))["n"] or 0
    approved = payees.update(status=PayeeStatus.APPROVED)
    Roster.objects.filter(pk__in=ids, status=RosterStatus.SUBMITTED).update(
        status=RosterStatus.APPROVED, reviewed_by=user, reviewed_at=timezone.now()
    )
    return ApproveResult(rosters=len(ids), approved=approved, total_fen=total)


@transaction.atomic
def check_return(*, roster: Roster, reason: str, user: User | None = None) -> Roster:
    """Return a submitted roster to its unit with the reason; its persons may be sent again."""
    reason = reason.strip()
    if not reason:
        raise FundsInvalid(_("say why the roster goes back, so the unit can correct it"))
    changed = Roster.objects.filter(pk=roster.pk, status=RosterStatus.SUBMITTED).update(
        status=RosterStatus.RETURNED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        review_note=reason[:2000],
    )
    if not changed:
        raise FundsInvalid(_("only a roster awaiting review can be returned"))
    Payee.objects.filter(roster=roster, status=PayeeStatus.SUBMITTED).update(
        status=PayeeStatus.RETURNED, failure_reason=reason[:200]
    )
    roster.refresh_from_db()
    return roster
