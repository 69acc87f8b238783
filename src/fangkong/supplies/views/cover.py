"""Days of cover for a region (staff), and enterprises' output reports: the list for staff
and keepers, the keeper's form for what is promised to their point."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.paging import page_of
from fangkong.common.params import int_or
from fangkong.regions.models import Region

from .. import selectors
from ..models import Item
from ..services import StockInvalid, check_report_output
from ..stock_sheet import RowRejected, parse_expiry, parse_qty


@login_required
def region_cover(request):
    scope = scope_of(request.user)
    region = selectors.cover_region_or_404(scope, request.GET.get("region", "")[:20])
    children = Region.objects.filter(parent=region).order_by("code")
    return render(
        request,
        "supplies/cover.html",
        {
            "region": region,
            "cover": selectors.region_cover(scope, region),
            "children": children,
            "today": timezone.localdate(),
        },
    )


def _date(text: str, errors: dict, field: str):
    try:
        day = parse_expiry(text)
    except RowRejected as e:
        errors[field] = str(e)
        return None
    if day is None:
        errors[field] = _("give the date")
    return day


def _post_output(request, scope) -> dict:
    post, errors = request.POST, {}
    point = selectors.kept_point_or_404(scope, post.get("point", "")[:32])
    item = Item.objects.filter(pk=int_or(post.get("item"), 0)).first()
    if item is None:
        errors["item"] = _("choose the item")
    made = deliver = 0
    try:
        made = parse_qty(post.get("made", ""))
        deliver = parse_qty(post.get("deliver_qty", ""), zero=True)
    except RowRejected as e:
        errors["made"] = str(e)
    made_on = _date(post.get("made_on", ""), errors, "made_on")
    deliver_on = _date(post.get("deliver_on", ""), errors, "deliver_on")
    if errors or item is None or made_on is None or deliver_on is None:
        return errors
    try:
        check_report_output(
            point=point,
            enterprise=post.get("enterprise", ""),
            item=item,
            made_on=made_on,
            made=made,
            deliver_qty=deliver,
            deliver_on=deliver_on,
            user=request.user,
        )
    except StockInvalid as e:
        return e.errors
    return {}


@login_required
def output(request):
    """Enterprises' output reports for the user's points; a keeper adds one for their point."""
    scope = scope_of(request.user)
    reports = selectors.output_reports(scope)
    keeper = scope.can(Cap.STOCK_KEEP)
    errors: dict = {}
    if request.method == "POST":
        scope.require(Cap.STOCK_KEEP)
        errors = _post_output(request, scope)
        if not errors:
            messages.success(request, _("Recorded."))
            return redirect("supplies:output")
    page = page_of(
        reports.order_by("-made_on", "enterprise", "id"), int_or(request.GET.get("page"), 1), 50
    )
    return render(
        request,
        "supplies/output.html",
        {
            "page": page,
            "keeper": keeper,
            "kept": selectors.points(scope).filter(keepers__user_id=request.user.pk)
            if keeper
            else [],
            "items": Item.objects.order_by("category", "name") if keeper else [],
            "today": timezone.localdate(),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )
