"""Mass testing API for labs and for the tasks results give: a lab uploads its results file
(the same service as the command line and the upload page) and lists the tubes sent to it;
samplers send closed tubes to a lab; a sampler reads their tasks."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common import spreadsheets
from fangkong.common.params import Id, error_responses
from fangkong.common.spreadsheets import rejects_name

from . import labselectors
from .labfile import LabFileInvalid
from .labmodels import Lab
from .services import ScreeningInvalid
from .services.labs import MAX_SEND, check_send_tubes
from .services.results import import_lab_results
from .views.lab import imports_dir

router = Router(tags=["screening"])


class RefusedRowOut(Schema):
    row: int
    reason: str


class LabImportOut(Schema):
    read: int
    applied: int
    duplicates: int
    unknown: int
    conflicts: int
    rejected: int
    positive_tubes: int
    invalid_tubes: int
    retest_tasks: int
    resample_tasks: int
    rejects_file: str | None  # the address of the refused rows' file
    refused: list[RefusedRowOut]


@router.post("/labresults", response={200: LabImportOut, **error_responses(403, 413)})
def import_lab_results_file(request, file: File[UploadedFile]):
    """A lab operator's results file (.xlsx or .csv as the lab exports it) for the tubes sent
    to their lab. Each row is applied, a duplicate, or refused with its reason (a barcode not
    sent to this lab, an unreadable result, a contradiction: the positive stands). The same
    file again changes nothing."""
    scope = scope_of(request.user)
    lab = labselectors.lab_of(request.user, scope)
    try:
        spreadsheets.check_upload_size(file.size or 0)
    except spreadsheets.SpreadsheetError as e:
        return 413, {"detail": str(e)}
    name = file.name or "labresults.csv"
    try:
        result = import_lab_results(
            data=file.read(),
            filename=name,
            lab=lab,
            user=request.user,
            rejects=imports_dir() / f"labresults-api-{request.user.pk}-{rejects_name(name)}",
        )
    except LabFileInvalid as e:
        return 422, {"detail": str(e)}
    link = None
    if result.rejected and result.batch is not None:
        link = reverse("screening:lab_rejects", args=[result.batch.pk])
    return 200, {
        **result.as_dict(link),
        "refused": [{"row": r.number, "reason": r.reason} for r in result.rejected],
    }


class LabTubeOut(Schema):
    barcode: str
    swabs: int
    pool_size: int
    sent_at: dt.datetime
    result: str | None


@router.get("/lab/tubes", response={200: list[LabTubeOut], **error_responses(403)})
def list_lab_tubes(request, waiting: bool = True):
    """The tubes sent to the caller's lab (``waiting``: those without a result), oldest first;
    barcodes and counts, never who is in a tube."""
    lab = labselectors.lab_of(request.user, scope_of(request.user))
    qs = labselectors.lab_waiting(lab) if waiting else labselectors.lab_tubes(lab)
    out = []
    for t in qs.order_by("dispatch__sent_at", "id")[: labselectors.MAX_LISTED]:
        result = getattr(t, "result", None)
        out.append(
            {
                "barcode": t.barcode,
                "swabs": t.n,
                "pool_size": t.pool_size,
                "sent_at": t.dispatch.sent_at,
                "result": result.result if result else None,
            }
        )
    return out


class DispatchIn(BaseModel):
    lab: Id
    barcodes: list[str] = Field(max_length=MAX_SEND)


class DispatchOut(Schema):
    sent: list[str]
    already: list[str]
    refused: list[dict]


@router.post("/dispatches", response={200: DispatchOut, **error_responses(403, 404)})
def send_tubes(request, data: DispatchIn):
    """Send closed tubes of the caller's area to a lab; sending again to the same lab is a
    retry (``already``), a tube open, elsewhere or sent to another lab is refused."""
    from django.shortcuts import get_object_or_404

    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    lab = get_object_or_404(Lab, pk=data.lab)
    try:
        result = check_send_tubes(user=request.user, scope=scope, lab=lab, barcodes=data.barcodes)
    except ScreeningInvalid as e:
        return 422, {"detail": e.errors}
    return 200, {
        "sent": result.sent,
        "already": result.already,
        "refused": [{"barcode": b, "reason": r} for b, r in result.refused],
    }


class TaskOut(Schema):
    id: int
    kind: str
    person_id: int
    tube: str
    deadline_at: dt.datetime
    status: str
    level: str  # who answers for it now: grid, or the level an overdue task reached
    escalated_at: dt.datetime | None


@router.get("/tasks", response={200: list[TaskOut], **error_responses(403)})
def list_my_tasks(request):
    """The caller's open retests and re-samples, by deadline: those assigned to them and, for
    community, street and district staff, those escalated to their level (``level``)."""
    scope = scope_of(request.user)
    return [
        {
            "id": t.pk,
            "kind": t.kind,
            "person_id": t.person_id,
            "tube": t.tube.barcode,
            "deadline_at": t.deadline_at,
            "status": t.status,
            "level": t.level,
            "escalated_at": t.escalated_at,
        }
        for t in labselectors.my_tasks(request.user, scope)[: labselectors.MAX_LISTED]
    ]
