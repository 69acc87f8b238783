"""Reads of supplies for pages, the API, reports and the command line; each takes the scope.

Which points a user reaches (docs/scope.md, "Stock points"): staff with ``stock_view`` every
point whose region is in their subtree; a warehouse keeper (``stock_keep``) only the points they
keep, and of those only the ones inside their own region. A point outside answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet, Sum
from django.http import Http404

from fangkong.accounts.scope import Cap, Scope

from ..choices import TransferStatus
from ..models import Balance, Item, Movement, StockPoint, Transfer


def points(scope: Scope) -> QuerySet[StockPoint]:
    """The stock points the user reaches (403 for a role that reaches none)."""
    qs = StockPoint.objects.select_related("region")
    if scope.can(Cap.STOCK_VIEW):
        return scope.filter(qs)
    if scope.can(Cap.STOCK_KEEP):
        return scope.filter(qs.filter(keepers__user_id=scope.user_id))
    raise PermissionDenied


def point_or_404(scope: Scope, code: str) -> StockPoint:
    point = points(scope).filter(code=code).first()
    if point is None:
        raise Http404
    return point


def kept_point_or_404(scope: Scope, code: str) -> StockPoint:
    """A point the user keeps (to write movements at): 403 for a role that keeps none, 404 for
    a point they do not keep."""
    scope.require(Cap.STOCK_KEEP)
    point = (
        scope.filter(StockPoint.objects.select_related("region"))
        .filter(code=code, keepers__user_id=scope.user_id)
        .first()
    )
    if point is None:
        raise Http404
    return point


def destinations(scope: Scope, point: StockPoint) -> QuerySet[StockPoint]:
    """Where a keeper may send stock: any other point of their region (a point's name is not
    personal data; the receiving keeper takes it in)."""
    return scope.filter(StockPoint.objects.exclude(pk=point.pk)).order_by("region_path", "code")


def can_keep(scope: Scope, point: StockPoint) -> bool:
    return scope.can(Cap.STOCK_KEEP) and point.keepers.filter(user_id=scope.user_id).exists()


@dataclass(frozen=True)
class ItemBalance:
    item: Item
    qty: int
    lots: list[Balance]
    first_expiry: dt.date | None


def balances(scope: Scope, point: StockPoint) -> list[ItemBalance]:
    """The point's stock per item with its lots, first expiring first; one query."""
    if not scope.contains(point.region_path):
        raise Http404
    return balances_of(scope, [point]).get(point.pk, [])


def balances_of(scope: Scope, points: list[StockPoint]) -> dict[int, list[ItemBalance]]:
    """Several points' stock (point id → per item with its lots), in one query."""
    ids = [p.pk for p in points if scope.contains(p.region_path)]
    rows = (
        Balance.objects.filter(point_id__in=ids, qty__gt=0)
        .select_related("item")
        .order_by("item__category", "item__name", F("expires_on").asc(nulls_last=True), "batch")
    )
    by_item: dict[int, dict[int, list[Balance]]] = defaultdict(lambda: defaultdict(list))
    for b in rows:
        by_item[b.point_id][b.item_id].append(b)
    return {
        point_id: [
            ItemBalance(
                item=lots[0].item,
                qty=sum(b.qty for b in lots),
                lots=lots,
                first_expiry=next((b.expires_on for b in lots if b.expires_on), None),
            )
            for lots in items.values()
        ]
        for point_id, items in by_item.items()
    }


def balance_by_name(scope: Scope, point: StockPoint) -> dict[str, int]:
    """``{item name: qty}`` at the point (items with stock), as the command line prints it."""
    if not scope.contains(point.region_path):
        raise Http404
    rows = (
        Balance.objects.filter(point=point, qty__gt=0)
        .values("item__name")
        .annotate(n=Sum("qty"))
        .order_by("item__name")
    )
    return {r["item__name"]: r["n"] for r in rows}


def region_balances(scope: Scope, path: str) -> dict[str, int]:
    """Every item's stock across the points under ``path`` (a district), from the balance
    rows: one grouped query over the region's prefix index."""
    qs = scope.filter(Balance.objects.filter(region_path__startswith=path, qty__gt=0))
    rows = qs.values("item__name").annotate(n=Sum("qty")).order_by("item__name")
    return {r["item__name"]: r["n"] for r in rows}


def items_at(scope: Scope, point: StockPoint) -> list[Item]:
    """The items with stock at the point (what can be issued, counted or sent)."""
    ids = Balance.objects.filter(point=point, qty__gt=0).values("item_id")
    return list(Item.objects.filter(pk__in=ids).order_by("category", "name"))


def movements(scope: Scope, point: StockPoint, *, item: Item | None = None) -> QuerySet[Movement]:
    if not scope.contains(point.region_path):
        raise Http404
    qs = Movement.objects.filter(point=point).select_related(
        "item", "transfer__from_point", "transfer__to_point"
    )
    if item is not None:
        qs = qs.filter(item=item)
    return qs.order_by("-at", "-id")


def movement_or_404(scope: Scope, pk: int) -> Movement:
    """A movement at a point the user reaches (403 for a role that reaches none)."""
    m = (
        Movement.objects.select_related("point", "item", "transfer")
        .filter(pk=pk, point__in=points(scope))
        .first()
    )
    if m is None:
        raise Http404
    return m


def incoming(scope: Scope, point: StockPoint) -> QuerySet[Transfer]:
    """Transfers on their way to the point."""
    return Transfer.objects.filter(to_point=point, status=TransferStatus.IN_TRANSIT).select_related(
        "from_point", "item"
    )


def outgoing(scope: Scope, point: StockPoint) -> QuerySet[Transfer]:
    return Transfer.objects.filter(
        from_point=point, status=TransferStatus.IN_TRANSIT
    ).select_related("to_point", "item")


def transfer_or_404(scope: Scope, pk: int) -> Transfer:
    """A transfer to a point the user keeps (to receive it)."""
    scope.require(Cap.STOCK_KEEP)
    t = (
        Transfer.objects.select_related("to_point", "from_point", "item")
        .filter(pk=pk, to_point__keepers__user_id=scope.user_id)
        .first()
    )
    if t is None or not scope.contains(t.to_point.region_path):
        raise Http404
    return t


def item_or_404(pk: int) -> Item:
    item = Item.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@dataclass(frozen=True)
class CardLine:
    movement: Movement
    balance: int  # the item's balance at the point after this line


def stock_card(scope: Scope, point: StockPoint, item: Item) -> list[CardLine]:
    """The stock card (台账) of one item at one point: every movement in order with the running
    balance."""
    lines, running = [], 0
    for m in movements(scope, point, item=item).order_by("at", "id"):
        running += m.qty
        lines.append(CardLine(m, running))
    return lines
