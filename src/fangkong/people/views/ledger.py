"""The ledger (台账): upload with progress and a rejects file, Excel export, possible duplicates."""

import io
import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common import spreadsheets
from fangkong.regions.choices import Level
from fangkong.regions.selectors import breadcrumbs, region_or_404, region_or_home

from .. import selectors
from ..choices import LedgerStatus
from ..ledger import LedgerInvalid, export_titles
from ..services import (
    PersonInvalid,
    check_merge_persons,
    dismiss_duplicate,
    fail_stopped_uploads,
    progress_of,
    record_people_export,
    rejects_name,
    rejects_path,
    run_ledger_upload,
)

# Exported ledgers are for a grid or a community: the paper lists people still ask for.
EXPORT_LEVELS = (Level.GRID, Level.COMMUNITY)


def _region(request, scope):
    code = request.POST.get("region") or request.GET.get("region") or ""
    return region_or_home(scope, code, request.user.scope_region)


@login_required
def ledger_upload(request):
    """Upload a ledger: the summary when done, the progress meanwhile (polled by htmx)."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    region = _region(request, scope)
    fail_stopped_uploads(user=request.user)  # an upload whose process stopped shows as failed
    context = {
        "region": region,
        "crumbs": breadcrumbs(scope, region),
        "upload_id": uuid.uuid4(),
        "uploads": selectors.ledger_uploads(request.user),
        "max_mb": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    if request.method != "POST":
        return render(request, "people/ledger_upload.html", context)
    upload, error = _run_upload(request, scope, region)
    if request.headers.get("HX-Request"):
        return render(request, "people/_ledger_result.html", {"upload": upload, "error": error})
    context.update({"upload": upload, "error": error})
    return render(request, "people/ledger_upload.html", context, status=400 if error else 200)


def _run_upload(request, scope, region):
    file = request.FILES.get("file")
    try:
        upload_id = uuid.UUID(request.POST.get("upload_id", ""))
    except ValueError:
        upload_id = uuid.uuid4()
    if file is None:
        return None, _("choose a ledger file (.xlsx or .csv)")
    try:
        spreadsheets.check_upload_size(file.size)
    except spreadsheets.SpreadsheetError as e:
        return None, str(e)
    try:
        upload = run_ledger_upload(
            user=request.user,
            scope=scope,
            region=region,
            upload_id=upload_id,
            filename=file.name,
            data=file.read(),
            request=request,
        )
    except LedgerInvalid as e:
        return None, str(e)
    return upload, upload.error


@login_required
def ledger_progress(request, upload_id):
    """Rows checked so far (polled by the upload page while its upload runs)."""
    scope_of(request.user).require(Cap.EDIT_PEOPLE)
    fail_stopped_uploads(user=request.user)
    upload = selectors.ledger_upload_or_none(request.user, upload_id)
    if upload is not None and upload.status == LedgerStatus.FAILED:
        return render(request, "people/_ledger_result.html", {"error": upload.error})
    state = progress_of(user=request.user, upload_id=upload_id)
    if state is None:
        return HttpResponse("")
    return render(request, "people/_ledger_progress.html", {"state": state})


@login_required
def ledger_rejects(request, upload_id):
    """The refused rows of the user's own upload, in the file's own format."""
    scope_of(request.user).require(Cap.EDIT_PEOPLE)
    upload = selectors.ledger_upload_or_404(request.user, upload_id)
    path = rejects_path(upload)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=rejects_name(upload.filename))


@login_required
def ledger_export(request):
    """A grid's or community's residents as an Excel ledger (masked per role, audited)."""
    scope = scope_of(request.user)
    scope.require(Cap.EXPORT_PEOPLE)
    region = region_or_404(scope, request.GET.get("region", ""))
    if region.level not in EXPORT_LEVELS:
        return HttpResponse(
            _("an Excel ledger is made for a grid or a community; choose one"), status=400
        )
    unmasked = scope.can(Cap.UNMASK)
    record_people_export(
        user=request.user,
        region=region,
        query={"format": "xlsx"},
        unmasked=unmasked,
        request=request,
    )
    stamp = timezone.localtime()
    buffer = io.BytesIO()
    rows = [
        export_titles(unmasked=unmasked),
        *selectors.ledger_export_rows(scope, region, unmasked=unmasked),
    ]
    spreadsheets.write_table(
        buffer,
        rows,
        format=spreadsheets.XLSX,
        title=f"{region.name} 人员台账（{stamp:%Y-%m-%d %H:%M} 导出）",
        sheet=region.name,
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-{region.code}-{stamp:%Y%m%d-%H%M}.xlsx"'
    )
    return response


@login_required
def duplicates_page(request):
    """Possible duplicates in a region, for a staff member to merge or dismiss."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    region = _region(request, scope)
    return render(
        request,
        "people/duplicates.html",
        {
            "region": region,
            "crumbs": breadcrumbs(scope, region),
            "pairs": selectors.possible_duplicates(scope, region),
            "error": request.GET.get("error", ""),
        },
    )


def _pair_from_post(request, scope):
    try:
        a, b = int(request.POST["first"]), int(request.POST["second"])
    except (KeyError, ValueError):
        raise Http404 from None
    return selectors.duplicate_pair_or_404(scope, a, b)


@login_required
@require_POST
def duplicates_merge(request):
    """Merge the pair: ``keep`` names which of the two records stays."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    first, second = _pair_from_post(request, scope)
    keep, drop = (second, first) if request.POST.get("keep") == str(second.pk) else (first, second)
    try:
        kept = check_merge_persons(
            user=request.user, scope=scope, keep=keep, drop=drop, request=request
        )
    except PersonInvalid as e:
        return HttpResponse("; ".join(e.errors.values()), status=400)
    return redirect("people:person", pk=kept.pk)


@login_required
@require_POST
def duplicates_dismiss(request):
    """The two records are different people: stop listing the pair."""
    scope = scope_of(request.user)
    scope.require(Cap.EDIT_PEOPLE)
    first, second = _pair_from_post(request, scope)
    try:
        dismiss_duplicate(user=request.user, scope=scope, a=first, b=second)
    except PersonInvalid as e:
        return HttpResponse("; ".join(e.errors.values()), status=400)
    return redirect(reverse("people:duplicates") + "?region=" + request.POST.get("region", ""))


__all__ = [
    "duplicates_dismiss",
    "duplicates_merge",
    "duplicates_page",
    "ledger_export",
    "ledger_progress",
    "ledger_rejects",
    "ledger_upload",
]
