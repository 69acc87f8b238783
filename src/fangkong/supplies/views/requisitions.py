"""Pages for requisitions and allocation rounds, phone first: a requester raises a requisition
and follows it (need met / partly / waiting); an approver approves or rejects, runs a round at
a point, changes the proposal's quantities and confirms it."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.params import MAX_PAGE, int_or

from .. import selectors
from ..choices import RoundStatus, Tier
from ..models import Item
from ..services import (
    StockInvalid,
    check_adjust,
    check_cancel,
    check_confirm,
    check_decide,
    check_raise,
    propose_round,
)
from ..stock_sheet import RowRejected, parse_qty

LISTED = 200
ROUND_PAGE = 100  # lines of a round per page


@login_required
def requisitions_page(request):
    """A requester's requisitions with how each need stands; an approver's to decide and open."""
    scope = scope_of(request.user)
    scope.require(Cap.REQUISITION)
    qs = selectors.requisitions(scope).order_by("-raised_at", "-id")
    approver = scope.can(Cap.ALLOCATE)
    return render(
        request,
        "supplies/requisitions.html",
        {
            "approver": approver,
            "waiting": list(selectors.waiting(scope).order_by("tier", "raised_at")[:LISTED])
            if approver
            else [],
            "requisitions": list(qs[:LISTED]),
            "need": selectors.need_counts(scope),
        },
    )


def _raise_fields(request, scope, errors: dict) -> dict:
    post = request.POST
    point = None
    if post.get("point"):
        point = selectors.kept_points(scope).filter(code=post["point"]).first()
        if point is None:
            errors["point"] = _("choose one of the points you keep")
    try:
        qty = parse_qty(post.get("qty", ""))
    except RowRejected as e:
        errors["qty"] = str(e)
        qty = 0
    try:
        needed_on = dt.date.fromisoformat(post["needed_on"]) if post.get("needed_on") else None
    except ValueError:
        errors["needed_on"] = _("choose a date")
        needed_on = None
    try:
        client_id = uuid.UUID(post.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    return {
        "unit_point": point,
        "unit": post.get("unit", ""),
        "item": Item.objects.filter(pk=int_or(post.get("item"), 0)).first(),
        "qty": qty,
        "tier": int_or(post.get("tier"), 0),
        "needed_on": needed_on,
        "reason": post.get("reason", ""),
        "client_id": client_id,
    }


@login_required
def requisition_new(request):
    """Raise a requisition for one's unit: it waits for an approver."""
    scope = scope_of(request.user)
    scope.require(Cap.REQUISITION)
    errors: dict = {}
    units = selectors.own_units(scope)
    if request.method == "POST":
        fields = _raise_fields(request, scope, errors)
        if not errors:
            try:
                req, _created = check_raise(
                    user=request.user, region=request.user.scope_region, **fields
                )
            except StockInvalid as e:
                errors = e.errors
            else:
                messages.success(
                    request, _("Requisition %(n)s sent for approval.") % {"n": req.number}
                )
                return redirect("supplies:requisition", number=req.number)
    return render(
        request,
        "supplies/requisition_form.html",
        {
            "items": Item.objects.order_by("category", "name"),
            "tiers": Tier.choices,
            "points": selectors.kept_points(scope),
            "units": units,
            "default_unit": units[0][0] if units else "",
            "client_id": uuid.uuid4(),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


@login_required
def requisition_page(request, number):
    scope = scope_of(request.user)
    req = selectors.requisition_or_404(scope, number)
    return render(
        request,
        "supplies/requisition.html",
        {
            "req": req,
            "fills": selectors.requisition_fills(scope, req),
            "can_decide": selectors.can_decide(scope, req),
            "can_cancel": selectors.can_cancel(scope, req),
        },
    )


@login_required
@require_POST
def requisition_decide(request, number):
    scope = scope_of(request.user)
    scope.require(Cap.ALLOCATE)
    req = selectors.requisition_or_404(scope, number)
    approve = request.POST.get("decision") == "approve"
    try:
        check_decide(
            requisition=req, approve=approve, user=request.user, note=request.POST.get("note", "")
        )
    except StockInvalid as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    if request.POST.get("next") == "list":
        return redirect("supplies:requisitions")
    return redirect("supplies:requisition", number=req.number)


@login_required
@require_POST
def requisition_cancel(request, number):
    scope = scope_of(request.user)
    req = selectors.requisition_or_404(scope, number)
    if not selectors.can_cancel(scope, req):
        messages.error(request, _("Only whoever raised it can withdraw this requisition."))
    else:
        try:
            check_cancel(requisition=req, user=request.user)
        except StockInvalid as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Withdrawn."))
    return redirect("supplies:requisition", number=req.number)


@login_required
def rounds_page(request):
    """An approver's points (to run a round at) and the recent rounds."""
    scope = scope_of(request.user)
    points = list(selectors.round_points(scope).order_by("region_path", "code")[:LISTED])
    return render(
        request,
        "supplies/requisition_rounds.html",
        {
            "points": points,
            "rounds": list(selectors.rounds(scope).order_by("-created_at", "-id")[:30]),
        },
    )


@login_required
@require_POST
def round_run(request):
    """Run a round at the chosen point: the proposal, nothing issued yet."""
    scope = scope_of(request.user)
    point = selectors.round_points(scope).filter(code=request.POST.get("point", "")).first()
    if point is None:
        raise Http404
    rnd = propose_round(point=point, user=request.user)
    back = reverse("supplies:round", args=[rnd.pk])
    keep = {k: request.POST[k] for k in ("page", "q") if request.POST.get(k)}
    return redirect(f"{back}?{urlencode(keep)}" if keep else back)


@login_required
def round_page(request, pk):
    """The proposal a page at a time (phone first), with each line's explanation."""
    scope = scope_of(request.user)
    rnd = selectors.round_or_404(scope, pk)
    page = min(max(1, int_or(request.GET.get("page"), 1)), MAX_PAGE)
    q = request.GET.get("q", "")
    lines, count = selectors.round_page(scope, rnd, page=page, per_page=ROUND_PAGE, q=q)
    pages = max(1, -(-count // ROUND_PAGE))
    return render(
        request,
        "supplies/requisition_round.html",
        {
            "round": rnd,
            "lines": lines,
            "count": count,
            "page": page,
            "pages": pages,
            "q": q,
            "leftover": selectors.round_leftover(scope, rnd),
            "proposed": rnd.status == RoundStatus.PROPOSED,
        },
    )


def _quantities(post, errors: dict) -> dict[int, int]:
    out = {}
    for key, value in post.items():
        if not key.startswith("line-"):
            continue
        pk = int_or(key.removeprefix("line-"), 0)
        try:
            out[pk] = parse_qty(value, zero=True)
        except RowRejected as e:
            errors[key] = str(e)
    return out


@login_required
@require_POST
def round_adjust(request, pk):
    """Save a person's quantities; with ``confirm``, then issue the round."""
    scope = scope_of(request.user)
    rnd = selectors.round_or_404(scope, pk)
    errors: dict = {}
    quantities = _quantities(request.POST, errors)
    try:
        if errors:
            raise StockInvalid(errors)
        if quantities:
            check_adjust(round=rnd, quantities=quantities, user=request.user)
        if request.POST.get("confirm"):
            done = check_confirm(round=rnd, user=request.user)
            messages.success(
                request,
                _("Confirmed: %(n)d issues written.") % {"n": done.movements}
                if done.created
                else _("This round was confirmed before; nothing issued again."),
            )
        else:
            messages.success(request, _("Quantities saved."))
    except StockInvalid as e:
        for message in e.errors.values():
            messages.error(request, message)
    back = reverse("supplies:round", args=[rnd.pk])
    keep = {k: request.POST[k] for k in ("page", "q") if request.POST.get(k)}
    return redirect(f"{back}?{urlencode(keep)}" if keep else back)
