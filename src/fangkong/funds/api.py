"""Funds' API: a unit's roster uploaded and checked as on the page; a policy's totals."""

from __future__ import annotations

import uuid

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common import spreadsheets
from fangkong.common.money import yuan_json
from fangkong.common.params import error_responses

from . import selectors
from .files import imports_dir
from .roster_sheet import RosterInvalid
from .services import import_roster

router = Router(tags=["funds"])


class RosterRejectOut(Schema):
    row: int
    reason: str


class RosterUploadOut(Schema):
    read: int
    accepted: int
    already: int
    rejected: int
    total: float
    roster: int | None
    rejects: list[RosterRejectOut]
    notes: list[str]


class PolicyTotalOut(Schema):
    unit: str
    category: str
    status: str
    persons: int
    total: float


@router.post(
    "/policies/{code}/rosters",
    url_name="funds_roster_upload",
    response={200: RosterUploadOut, **error_responses(403, 404, 413)},
)
def upload_roster(
    request,
    code: str,
    file: File[UploadedFile],
    unit: Form[str] = "",
    period: Form[str] = "",
):
    """Submit a unit's roster (.xlsx or .csv) to a policy: every row added, already there or
    rejected with its reason; ``accepted`` and ``total`` (yuan) count what this upload added.
    The same roster again adds nothing."""
    scope = scope_of(request.user)
    scope.require(Cap.ALLOWANCE_SUBMIT)
    policy = selectors.policy_or_404(scope, code)
    try:
        spreadsheets.check_upload_size(file.size or 0)
    except spreadsheets.SpreadsheetError as e:
        return 413, {"detail": str(e)}
    target = imports_dir() / f"roster-{uuid.uuid4().hex}-{spreadsheets.rejects_name(file.name)}"
    try:
        result = import_roster(
            data=file.read(),
            filename=file.name or "roster.xlsx",
            policy=policy,
            region_path=scope.path,
            user=request.user,
            unit=unit,
            period=period,
            rejects=target,
        )
    except RosterInvalid as e:
        return 422, {"detail": str(e)}
    return 200, {
        "read": result.read,
        "accepted": result.accepted,
        "already": result.already,
        "rejected": len(result.rejected),
        "total": yuan_json(result.total_fen),
        "roster": result.roster.pk if result.roster else None,
        "rejects": [{"row": n, "reason": why} for n, _i, why in result.rejected],
        "notes": result.notes,
    }


@router.get(
    "/policies/{code}/totals",
    url_name="funds_policy_totals",
    response={200: list[PolicyTotalOut], **error_responses(403, 404)},
)
def policy_totals(request, code: str):
    """Persons and yuan per unit, category and status of the rosters the caller may read."""
    scope = scope_of(request.user)
    policy = selectors.policy_or_404(scope, code)
    out = []
    for unit, category, by in selectors.totals(scope, policy)["rows"]:
        for status, (n, fen) in sorted(by.items()):
            out.append(
                {
                    "unit": unit,
                    "category": category,
                    "status": status,
                    "persons": n,
                    "total": yuan_json(fen),
                }
            )
    return out
