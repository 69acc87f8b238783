"""Pages for stock, phone first: my points → a point's balances → receive, issue, count,
transfer, write off; transfers to take in; reversals; the stock card (台账) of an item."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, scope_of
from fangkong.accounts.services import record_audit
from fangkong.common import spreadsheets
from fangkong.common.params import int_or
from fangkong.regions.selectors import region_or_home

from .. import selectors
from ..choices import MovementKind, Origin
from ..models import Item, StockPoint
from ..services import (
    Lot,
    StockInvalid,
    check_count,
    check_issue,
    check_receive,
    check_receive_transfer,
    check_reverse,
    check_transfer,
    check_write_off,
)
from ..stock_sheet import RowRejected, parse_expiry, parse_qty

RECENT = 30
ACTIONS = {
    "receive": gettext_lazy("Receive"),
    "issue": gettext_lazy("Issue"),
    "count": gettext_lazy("Count"),
    "transfer": gettext_lazy("Transfer"),
    "write_off": gettext_lazy("Write off"),
}


@login_required
def home(request):
    """A keeper's points with what each holds; for staff, the points of their region (or of
    one region in it: ``?region=``, the daily report's drill-down)."""
    scope = scope_of(request.user)
    reached = selectors.points(scope)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    under = reached.filter(region_path__startswith=region.path)
    points = list(under.order_by("region_path", "code")[:200])
    stock = selectors.balances_of(scope, points)
    return render(
        request,
        "supplies/home.html",
        {
            "points": [(p, stock.get(p.pk, [])) for p in points],
            "region": region,
            "keeper": scope.can(Cap.STOCK_KEEP),
        },
    )


@login_required
def point_page(request, code):
    scope = scope_of(request.user)
    point = selectors.point_or_404(scope, code)
    keeps = selectors.can_keep(scope, point)
    return render(
        request,
        "supplies/point.html",
        {
            "point": point,
            "balances": selectors.balances(scope, point),
            "cover": selectors.point_cover(scope, point),
            "incoming": selectors.incoming(scope, point),
            "outgoing": selectors.outgoing(scope, point),
            "movements": selectors.movements(scope, point)[:RECENT],
            "keeps": keeps,
            "actions": ACTIONS,
            "client_id": uuid.uuid4(),
        },
    )


def _client_id(request) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return uuid.uuid4()


def _number(text: str, errors: dict, field: str, *, zero: bool = False) -> int:
    try:
        return parse_qty(text, zero=zero)
    except RowRejected as e:
        errors[field] = str(e)
        return 0


def _lot(post, errors: dict, *, required: bool = False) -> Lot | None:
    """The lot named by the form: a balance's key (issue, count of a known lot), or a batch and
    expiry typed in (receive, a count of a lot not on the books). None: first expiring first."""
    key = post.get("lot", "")
    if key and "|" in key:
        batch, _sep, day = key.partition("|")
        try:
            return Lot(batch[:60], dt.date.fromisoformat(day) if day else None)
        except ValueError:
            errors["lot"] = _("choose a batch from the list")
            return None
    batch = " ".join(post.get("batch", "").split())[:60]
    try:
        expires = parse_expiry(post.get("expires_on", ""))
    except RowRejected as e:
        errors["expires_on"] = str(e)
        expires = None
    if batch or expires or required:
        return Lot(batch, expires)
    return None


def _item(post, errors: dict) -> Item | None:
    item = Item.objects.filter(pk=int_or(post.get("item"), 0)).first()
    if item is None:
        errors["item"] = _("choose the item")
    return item


def _record(request, scope, point: StockPoint, action: str):
    """Parse the form and call the action's one service; the errors by field, or None."""
    post, errors = request.POST, {}
    item = _item(post, errors)
    cid, user = _client_id(request), request.user
    if action == "count":
        counted = _number(post.get("counted", ""), errors, "counted", zero=True)
        lot = _lot(post, errors, required=True)
    else:
        qty = _number(post.get("qty", ""), errors, "qty")
        lot = _lot(post, errors, required=action == "receive")
    if errors or item is None:
        return errors
    assert lot is not None or action != "receive"
    if action == "receive":
        check_receive(
            point=point,
            item=item,
            qty=qty,
            client_id=cid,
            origin=post.get("origin", ""),
            supplier=post.get("supplier", ""),
            funding=post.get("funding", ""),
            lot=lot or Lot(),
            reference=post.get("reference", ""),
            user=user,
        )
    elif action == "issue":
        check_issue(
            point=point,
            item=item,
            qty=qty,
            client_id=cid,
            recipient=post.get("recipient", ""),
            lot=lot,
            reference=post.get("reference", ""),
            user=user,
        )
    elif action == "count":
        check_count(
            point=point,
            item=item,
            counted=counted,
            client_id=cid,
            lot=lot or Lot(),
            reason=post.get("reason", ""),
            user=user,
        )
    elif action == "transfer":
        to = selectors.destinations(scope, point).filter(code=post.get("to", "")).first()
        if to is None:
            return {"to": _("choose the point it goes to")}
        check_transfer(
            point=point, to_point=to, item=item, qty=qty, client_id=cid, lot=lot, user=user
        )
    else:
        check_write_off(
            point=point,
            item=item,
            qty=qty,
            client_id=cid,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
            lot=lot,
            user=user,
        )
    return None


@login_required
def movement_page(request, code, action):
    """One form per kind of movement, through the same services as the API."""
    if action not in ACTIONS:
        raise Http404
    scope = scope_of(request.user)
    point = selectors.kept_point_or_404(scope, code)
    errors = None
    if request.method == "POST":
        try:
            errors = _record(request, scope, point, action)
        except StockInvalid as e:
            errors = e.errors
        if not errors:
            messages.success(request, _("Recorded."))
            return redirect("supplies:point", code=point.code)
    items = (
        list(Item.objects.order_by("category", "name"))
        if action in ("receive", "count")
        else selectors.items_at(scope, point)
    )
    return render(
        request,
        "supplies/movement_form.html",
        {
            "point": point,
            "action": action,
            "title": ACTIONS[action],
            "items": items,
            "balances": selectors.balances(scope, point),
            "origins": Origin.choices,
            "write_offs": [
                (MovementKind.LOSS, MovementKind.LOSS.label),
                (MovementKind.EXPIRY, MovementKind.EXPIRY.label),
            ],
            "destinations": selectors.destinations(scope, point)[:200]
            if action == "transfer"
            else [],
            "client_id": uuid.uuid4(),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def take_in(request, pk):
    """The receiving keeper takes a transfer in."""
    scope = scope_of(request.user)
    transfer = selectors.transfer_or_404(scope, pk)
    try:
        check_receive_transfer(transfer=transfer, client_id=_client_id(request), user=request.user)
    except StockInvalid as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Taken in."))
    return redirect("supplies:point", code=transfer.to_point.code)


@login_required
@require_POST
def reverse(request, pk):
    scope = scope_of(request.user)
    movement = selectors.movement_or_404(scope, pk)
    point = selectors.kept_point_or_404(scope, movement.point.code)
    try:
        check_reverse(
            movement=movement,
            client_id=_client_id(request),
            reason=request.POST.get("reason", ""),
            user=request.user,
        )
    except StockInvalid as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Reversed."))
    return redirect("supplies:point", code=point.code)


CARD_TITLES = ["日期", "类型", "批次号", "有效期至", "收入", "发出", "结存", "往来单位", "摘要"]


@login_required
def stock_card(request, code, item_id):
    """The stock card (台账) of one item at one point, as an Excel sheet; downloads audited."""
    scope = scope_of(request.user)
    point = selectors.point_or_404(scope, code)
    item = selectors.item_or_404(item_id)
    rows: list[list[object]] = [
        [f"{point.name} {item.name}（{item.unit}）物资台账"],
        CARD_TITLES,
    ]
    for line in selectors.stock_card(scope, point, item):
        m = line.movement
        rows.append(
            [
                timezone.localtime(m.at).strftime("%Y-%m-%d %H:%M"),
                str(MovementKind(m.kind).label),
                m.batch,
                m.expires_on.isoformat() if m.expires_on else "",
                m.qty if m.qty > 0 else "",
                -m.qty if m.qty < 0 else "",
                line.balance,
                m.counterpart,
                m.reason or m.reference,
            ]
        )
    buffer = io.BytesIO()
    spreadsheets.write_book(
        buffer,
        [
            spreadsheets.Sheet(
                item.name, rows, widths=(17, 10, 12, 11, 9, 9, 9, 20, 30), bold=(0, 1)
            )
        ],
    )
    record_audit(
        user=request.user,
        action=AuditAction.EXPORT,
        object_type="stock_card",
        object_id=f"{point.code}/{item.pk}",
        region_path=point.region_path,
        request=request,
        detail={"point": point.code, "item": item.name, "rows": len(rows) - 2},
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"stock-card-{point.code}-{item.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
