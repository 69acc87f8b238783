"""The community's pages: the triage list (open, overdue, escalated, done today), raising a
request for a household, one request with its dispatch, merging and cancelling, and a batch
dispatch whose every decision is explained."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.masking import mask_phone, mask_text
from fangkong.common.params import int_or
from fangkong.people.selectors import household_or_404
from fangkong.regions.selectors import region_or_home
from fangkong.volunteers.models import Volunteer

from .. import selectors
from ..choices import Kind, Urgency
from ..models import HelpRequest, Task
from ..services import (
    DEFAULT_MAX_KM,
    Ask,
    HelpInvalid,
    check_batch_dispatch,
    check_cancel_request,
    check_dispatch,
    check_merge_requests,
    check_raise_request,
    check_repaid,
    check_withdraw,
    receipts_dir,
)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return uuid.uuid4()


def _errors(request, e: HelpInvalid) -> None:
    for text in e.errors.values():
        messages.error(request, text)


@login_required
def home(request):
    """The triage list of the user's area, or of one region in it (``?region=``, the daily
    report's drill-down)."""
    scope = scope_of(request.user)
    scope.require(Cap.HELP_VIEW)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    found = selectors.triage(scope, request.GET.get("view", "open"), under=region.path)
    return render(
        request,
        "assistance/home.html",
        {
            "t": found,
            "region": region,
            "asked": bool(request.GET.get("region")),  # the view tabs keep the region asked
            "views": [
                ("open", _("Open")),
                ("overdue", _("Overdue")),
                ("escalated", _("Escalated")),
                ("done", _("Done today")),
            ],
            "dispatcher": scope.can(Cap.HELP_DISPATCH),
            "raiser": scope.can(Cap.HELP_RAISE),
            "max_km": DEFAULT_MAX_KM,
            "now": timezone.now(),
        },
    )


@login_required
def new_request(request):
    """A grid worker or hotline staff raises a request for a household of their area."""
    scope = scope_of(request.user)
    scope.require(Cap.HELP_RAISE)
    errors: dict = {}
    if request.method == "POST":
        household_id = int_or(request.POST.get("household"), 0)
        if not household_id:
            errors["household"] = _("choose the household first")
        else:
            household = household_or_404(scope, household_id)
            ask = Ask(
                kind=request.POST.get("kind", ""),
                urgency=request.POST.get("urgency", ""),
                needed=request.POST.get("needed", "")[:100_000],  # refused with its length
                qty=request.POST.get("qty", "1")[:5],
                phone=request.POST.get("phone", "")[:30],
            )
            try:
                made = check_raise_request(
                    household=household,
                    ask=ask,
                    client_id=_uuid(request.POST.get("client_id", "")),
                    user=request.user,
                    scope=scope,
                )
            except HelpInvalid as e:
                errors = e.errors
            else:
                messages.success(request, _("Request raised."))
                return redirect("assistance:request", made.pk)
    return render(
        request,
        "assistance/new.html",
        {
            "kinds": Kind.choices,
            "urgencies": Urgency.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
            "client_id": request.POST.get("client_id") if errors else uuid.uuid4(),
        },
        status=400 if errors else 200,
    )


def _explain(task: Task) -> str:
    text = task.explain or {}
    return text.get("zh" if (get_language() or "zh").startswith("zh") else "en", "")


@login_required
def request_page(request, pk):
    scope = scope_of(request.user)
    r = selectors.request_or_404(scope, pk)
    dispatcher = scope.can(Cap.HELP_DISPATCH)
    tasks = list(selectors.request_tasks(r))
    duplicates = []
    if dispatcher and r.status == "open":
        duplicates = list(
            selectors.requests(scope)
            .filter(household_id=r.household_id, kind=r.kind, status="open")
            .exclude(pk=r.pk)
        )
    suggestions = []
    if dispatcher and r.status == "open" and r.round_id is None and request.user.scope_region:
        suggestions = selectors.suggestions(scope, request.user.scope_region, r)
    return render(
        request,
        "assistance/request.html",
        {
            "r": r,
            "needed": mask_text(r.needed),
            "phone": mask_phone(r.phone),
            "tasks": [(t, _explain(t)) for t in tasks],
            "advances": list(selectors.request_advances(r)),
            "duplicates": duplicates,
            "suggestions": suggestions,
            "dispatcher": dispatcher,
            "steps": selectors.progress_of(r),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def dispatch(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    r = selectors.request_or_404(scope, pk)
    volunteer = (
        scope.filter(Volunteer.objects.all())
        .filter(pk=int_or(request.POST.get("volunteer"), 0))
        .first()
    )
    if volunteer is None:
        messages.error(request, _("Choose a volunteer of your area."))
        return redirect("assistance:request", r.pk)
    try:
        check_dispatch(scope=scope, user=request.user, request=r, volunteer=volunteer)
    except HelpInvalid as e:
        _errors(request, e)
    else:
        messages.success(request, _("Offered to %(name)s.") % {"name": volunteer.name})
    return redirect("assistance:request", r.pk)


@login_required
@require_POST
def batch(request):
    """Plan the chosen waiting requests (or all of the area's) and offer them."""
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    region = request.user.scope_region
    if region is None:
        raise Http404
    ids = [n for n in (int_or(x, 0) for x in request.POST.getlist("request")) if n > 0] or None
    try:
        max_km = float(request.POST.get("max_km") or DEFAULT_MAX_KM)
    except ValueError:
        max_km = -1.0
    try:
        result = check_batch_dispatch(
            scope=scope, user=request.user, region=region, request_ids=ids, max_km=max_km
        )
    except HelpInvalid as e:
        _errors(request, e)
        return redirect("assistance:home")
    zh = (get_language() or "zh").startswith("zh")
    rows = {
        r.pk: r
        for r in HelpRequest.objects.filter(
            pk__in=[d.request_id for d in result.decisions[:500]]
        ).select_related("household", "household__building")
    }
    return render(
        request,
        "assistance/batch.html",
        {
            "result": result,
            "decisions": [
                (d, rows.get(d.request_id), d.explain.get("zh" if zh else "en", ""))
                for d in result.decisions[:500]
            ],
            "more": max(0, len(result.decisions) - 500),
        },
    )


@login_required
@require_POST
def merge(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    keep = selectors.request_or_404(scope, pk)
    ids = [n for n in (int_or(x, 0) for x in request.POST.getlist("duplicate")) if n > 0]
    duplicates = list(selectors.requests(scope).filter(pk__in=ids))
    if len(duplicates) != len(set(ids)):
        raise Http404
    try:
        check_merge_requests(scope=scope, keep=keep, duplicates=duplicates, user=request.user)
    except HelpInvalid as e:
        _errors(request, e)
    else:
        messages.success(request, _("Merged %(n)d requests into this one.") % {"n": len(ids)})
    return redirect("assistance:request", keep.pk)


@login_required
@require_POST
def cancel(request, pk):
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    r = selectors.request_or_404(scope, pk)
    try:
        check_cancel_request(
            scope=scope, request=r, reason=request.POST.get("reason", ""), user=request.user
        )
    except HelpInvalid as e:
        _errors(request, e)
    return redirect("assistance:request", r.pk)


@login_required
@require_POST
def withdraw(request, pk):
    """Take a volunteer's task back (pk: the task)."""
    scope = scope_of(request.user)
    scope.require(Cap.HELP_DISPATCH)
    task = scope.get_or_404(Task.objects.select_related("request"), cap=Cap.HELP_DISPATCH, pk=pk)
    try:
        check_withdraw(
            scope=scope, user=request.user, task=task, reason=request.POST.get("reason", "")
        )
    except HelpInvalid as e:
        _errors(request, e)
    return redirect("assistance:request", task.request_id)


@login_required
def receipt(request, pk):
    """The photo of an advance's receipt: for the volunteer who paid and the dispatchers."""
    scope = scope_of(request.user)
    advance = selectors.advance_or_404(scope, pk)
    path = receipts_dir() / advance.receipt
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=advance.receipt_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def repaid(request, pk):
    scope = scope_of(request.user)
    advance = selectors.advance_or_404(scope, pk)
    try:
        check_repaid(
            user=request.user, scope=scope, advance=advance, how=request.POST.get("how", "")
        )
    except HelpInvalid as e:
        _errors(request, e)
    if scope.can(Cap.HELP_DISPATCH):
        return redirect("assistance:request", advance.request_id)
    return redirect("assistance:task", advance.task_id)
