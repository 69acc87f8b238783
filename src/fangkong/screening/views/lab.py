"""The lab's pages (its tubes awaiting results, the upload of a results file, recent imports,
reports to confirm), sending tubes to a lab, and a grid worker's tasks on a phone."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common import spreadsheets
from fangkong.common.spreadsheets import rejects_name

from .. import labselectors
from ..labfile import LabFileInvalid
from ..labmodels import Lab
from ..samplefile import clean_barcode
from ..services import ScreeningInvalid
from ..services.followup import check_take_task_swab
from ..services.labs import check_confirm_conflict, check_send_tubes
from ..services.results import import_lab_results
from .campaigns import uuid_or_none

RECENT = 10


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_results(request, lab: Lab):
    """Run an uploaded results file through the import: (result, error)."""
    file = request.FILES.get("file")
    if file is None:
        return None, _("choose the lab's results file (.xlsx or .csv)")
    try:
        spreadsheets.check_upload_size(file.size)
    except spreadsheets.SpreadsheetError as e:
        return None, str(e)
    target = imports_dir() / f"labresults-{uuid.uuid4().hex}-{rejects_name(file.name)}"
    try:
        result = import_lab_results(
            data=file.read(), filename=file.name, lab=lab, user=request.user, rejects=target
        )
    except LabFileInvalid as e:
        return None, str(e)
    return result, None


def _found(lab: Lab, text: str):
    """A barcode looked up among the lab's tubes: the tube, or None."""
    try:
        code = clean_barcode(text)
    except ValueError:
        return None
    return labselectors.lab_tubes(lab).filter(barcode=code).first()


@login_required
def lab_page(request):
    """A lab operator's first page: the tubes sent to their lab awaiting results, the upload,
    recent imports and reports to confirm. Barcodes only: nobody in a tube is named."""
    scope = scope_of(request.user)
    lab = labselectors.lab_or_none(request.user, scope)
    if lab is None:  # an account not yet given a lab: told whom to ask
        return render(request, "screening/lab_none.html")
    result, error = None, None
    if request.method == "POST":
        result, error = upload_results(request, lab)
    query = request.GET.get("barcode", "").strip()
    context = {
        "lab": lab,
        "counts": labselectors.lab_counts(lab),
        "waiting": labselectors.lab_waiting(lab)[: labselectors.MAX_LISTED],
        "imports": labselectors.lab_imports(lab)[:RECENT],
        "conflicts": labselectors.lab_conflicts(lab)[: labselectors.MAX_LISTED],
        "result": result,
        "summary": result.as_dict(None) if result else None,
        "error": error,
        "query": query,
        "found": _found(lab, query) if query else None,
        "max_mb": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "screening/lab.html", context, status=400 if error else 200)


@login_required
def lab_rejects(request, pk):
    """The refused rows of one of the lab's imports, in the file's own format."""
    scope = scope_of(request.user)
    lab = labselectors.lab_of(request.user, scope)
    batch = get_object_or_404(labselectors.lab_imports(lab), pk=pk)
    path = Path(batch.rejects_file) if batch.rejects_file else None
    if path is None or not path.is_file() or path.parent != imports_dir():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=rejects_name(batch.filename))


@login_required
@require_POST
def lab_confirm(request, pk):
    """The lab has checked a conflicting report: the standing result stays."""
    scope = scope_of(request.user)
    lab = labselectors.lab_of(request.user, scope)
    conflict = labselectors.lab_conflict_or_404(lab, pk)
    try:
        check_confirm_conflict(user=request.user, lab=lab, conflict=conflict)
    except ScreeningInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Confirmed: %(code)s stays %(r)s.")
            % {
                "code": conflict.tube.barcode,
                "r": conflict.get_standing_display(),
            },
        )
    return redirect("screening:lab")


@login_required
def send_page(request):
    """Send closed tubes of the sampler's area to a lab (scan each barcode, or tick them)."""
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    outcome = None
    if request.method == "POST":
        lab = get_object_or_404(Lab, pk=uuid_or_int(request.POST.get("lab")))
        codes = request.POST.getlist("tube") + request.POST.get("barcodes", "").split()
        try:
            outcome = check_send_tubes(user=request.user, scope=scope, lab=lab, barcodes=codes)
        except ScreeningInvalid as e:
            for message in e.errors.values():
                messages.error(request, message)
        else:
            for code, reason in outcome.refused:
                messages.error(request, f"{code}: {reason}")
            if outcome.sent:
                messages.success(
                    request,
                    _("%(n)d tubes sent to %(lab)s.") % {"n": len(outcome.sent), "lab": lab.name},
                )
            return redirect("screening:send")
    return render(
        request,
        "screening/send.html",
        {
            "labs": Lab.objects.all(),
            "tubes": labselectors.sendable_tubes(scope)[: labselectors.MAX_LISTED],
        },
    )


def uuid_or_int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@login_required
def tasks_page(request):
    """My tasks (我的任务): retests and re-samples by deadline, each with its person and door,
    those gone up the tree marked with the level they reached; a sampler scanning a single
    tube for the person takes the swab and closes the task. Street and district staff see the
    tasks escalated to them, to chase (they do not swab)."""
    scope = scope_of(request.user)
    tasks = list(labselectors.my_tasks(request.user, scope)[: labselectors.MAX_LISTED])
    for t in tasks:  # each task's swab its own client id: a retried post is stored once
        t.client_id = uuid.uuid4()
    done = list(labselectors.my_tasks(request.user, scope, done=True)[:RECENT])
    return render(
        request,
        "screening/tasks.html",
        {
            "tasks": tasks,
            "done": done,
            "named": scope.can(Cap.VIEW_PEOPLE),
            "can_swab": scope.can(Cap.SAMPLING),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def task_swab(request, pk):
    """Scan the single tube for a task's person: swabbed, the tube closed, the task done."""
    scope = scope_of(request.user)
    scope.require(Cap.SAMPLING)
    task = labselectors.my_task_or_404(request.user, scope, pk)
    try:
        task, tube = check_take_task_swab(
            user=request.user,
            scope=scope,
            task=task,
            barcode=request.POST.get("barcode", ""),
            client_id=uuid_or_none(request.POST.get("client_id")),
        )
    except ScreeningInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Swabbed into %(code)s; the task is done.") % {"code": tube.barcode}
            if task.status == "done"
            else _("Swabbed into %(code)s.") % {"code": tube.barcode},
        )
    return redirect("screening:tasks")
