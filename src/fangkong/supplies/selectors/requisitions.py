"""Reads of requisitions and allocation rounds; each takes the scope first.

Who sees which requisitions (docs/scope.md, "Requisitions"): approvers (``allocate``) every
requisition of their region and every round at its points; a requester (``requisition``)
those of their own unit — the ones they raised, every other of the same unit (region and
name), and those of the points they keep. A requisition or round outside answers 404.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from fangkong.accounts.scope import Cap, Scope

from ..choices import OPEN_REQUISITIONS, RequisitionStatus, RoundStatus
from ..models import AllocationRound, Balance, Item, Keeper, Requisition, RoundLine, StockPoint


def requisitions(scope: Scope) -> QuerySet[Requisition]:
    """The requisitions the user may read (403 for a role that reads none)."""
    qs = Requisition.objects.select_related("item", "region", "unit_point")
    if scope.can(Cap.ALLOCATE):
        return scope.filter(qs)
    if scope.can(Cap.REQUISITION):
        mine = Requisition.objects.filter(raised_by_id=scope.user_id).values("unit_key")
        kept = Keeper.objects.filter(user_id=scope.user_id).values("point_id")
        return scope.filter(
            qs.filter(
                Q(raised_by_id=scope.user_id) | Q(unit_key__in=mine) | Q(unit_point_id__in=kept)
            )
        )
    raise PermissionDenied


def requisition_or_404(scope: Scope, number: str) -> Requisition:
    req = requisitions(scope).filter(number=number).first()
    if req is None:
        raise Http404
    return req


def waiting(scope: Scope) -> QuerySet[Requisition]:
    """What an approver has to decide."""
    scope.require(Cap.ALLOCATE)
    return requisitions(scope).filter(status=RequisitionStatus.WAITING)


def can_decide(scope: Scope, req: Requisition) -> bool:
    return (
        scope.can(Cap.ALLOCATE)
        and scope.contains(req.region_path)
        and req.status == RequisitionStatus.WAITING
    )


def can_cancel(scope: Scope, req: Requisition) -> bool:
    open_ = req.status == RequisitionStatus.WAITING or req.status in OPEN_REQUISITIONS
    mine = req.raised_by_id == scope.user_id or scope.can(Cap.ALLOCATE)
    return open_ and mine and scope.contains(req.region_path)


def own_units(scope: Scope) -> list[tuple[str, str]]:
    """The units a requester raised for before (name, region name), most used first."""
    rows = (
        Requisition.objects.filter(raised_by_id=scope.user_id, unit_point__isnull=True)
        .values_list("unit", "region__name")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")[:10]
    )
    return [(unit, region) for unit, region, _n in rows]


def kept_points(scope: Scope) -> QuerySet[StockPoint]:
    """The points a keeper may raise requisitions for."""
    if not scope.can(Cap.STOCK_KEEP):
        return StockPoint.objects.none()
    return scope.filter(StockPoint.objects.filter(keepers__user_id=scope.user_id))


@dataclass(frozen=True)
class NeedCounts:
    met: int
    partly: int
    waiting: int


def need_counts(scope: Scope) -> NeedCounts:
    """How the requester's requisitions stand: need met, partly met, waiting."""
    live = requisitions(scope).exclude(
        status__in=[RequisitionStatus.REJECTED, RequisitionStatus.CANCELLED]
    )
    c = Counter(
        "met" if filled >= qty else "partly" if filled > 0 else "waiting"
        for filled, qty in live.values_list("filled", "qty")
    )
    return NeedCounts(c["met"], c["partly"], c["waiting"])


def round_points(scope: Scope) -> QuerySet[StockPoint]:
    """The points an approver may run an allocation round at."""
    scope.require(Cap.ALLOCATE)
    return scope.filter(StockPoint.objects.select_related("region"))


def rounds(scope: Scope) -> QuerySet[AllocationRound]:
    scope.require(Cap.ALLOCATE)
    return scope.filter(AllocationRound.objects.select_related("point"))


def round_or_404(scope: Scope, pk: int) -> AllocationRound:
    rnd = rounds(scope).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def round_lines(scope: Scope, rnd: AllocationRound) -> list[RoundLine]:
    """The round's lines with their requisitions and items (three queries in all)."""
    if not scope.contains(rnd.region_path):
        raise Http404
    return list(
        rnd.lines.select_related("requisition__item", "requisition__region", "item").order_by(
            "requisition__tier", "requisition__needed_on", "requisition__number", "item__name"
        )
    )


def round_page(
    scope: Scope, rnd: AllocationRound, *, page: int = 1, per_page: int = 100, q: str = ""
) -> tuple[list[RoundLine], int]:
    """One page of the round's lines (tier first, then need-by date), those whose unit,
    number or item holds ``q``; and how many lines match."""
    if not scope.contains(rnd.region_path):
        raise Http404
    qs = rnd.lines.all()
    q = " ".join(q.split())[:50]
    if q:
        qs = qs.filter(
            Q(requisition__unit__contains=q)
            | Q(requisition__number__contains=q)
            | Q(item__name__contains=q)
        )
    count = qs.count()
    start = max(0, (page - 1) * per_page)
    lines = list(
        qs.select_related("requisition__item", "item").order_by(
            "requisition__tier", "requisition__needed_on", "requisition__number", "item__name"
        )[start : start + per_page]
    )
    return lines, count


def round_leftover(scope: Scope, rnd: AllocationRound) -> dict[str, int]:
    """What the point keeps of each item after the round: its balances now, less the round's
    quantities while it is only a proposal (one grouped query each)."""
    if not scope.contains(rnd.region_path):
        raise Http404
    stock = _stock(rnd.point)
    used = dict(
        rnd.lines.values("item_id").annotate(n=Sum("qty")).order_by().values_list("item_id", "n")
    )
    names = dict(Item.objects.filter(pk__in=set(stock) | set(used)).values_list("pk", "name"))
    confirmed = rnd.status == RoundStatus.CONFIRMED
    return dict(
        sorted(
            (names[pk], stock.get(pk, 0) - (0 if confirmed else used.get(pk, 0)))
            for pk in set(stock) | set(used)
        )
    )


def round_summary(scope: Scope, rnd: AllocationRound) -> dict:
    """``{round, requests: [{id, unit, item, qty, tier, filled}], leftover: {ITEM: qty}}``: what
    each requisition still needed when the round ran and what the round gives it (in the units
    asked for), and what the point keeps of each item after it. Plain rows: thousands a round."""
    if not scope.contains(rnd.region_path):
        raise Http404
    rows = rnd.lines.order_by(
        "requisition__tier", "requisition__needed_on", "requisition__number", "item__name"
    ).values_list(
        "requisition_id",
        "requisition__number",
        "requisition__unit",
        "requisition__item__name",
        "asked",
        "requisition__tier",
        "qty",
        "per_unit",
    )
    requests: dict[int, dict] = {}
    given: dict[int, float] = defaultdict(float)
    for pk, number, unit, item, asked, tier, qty, per in rows:
        given[pk] += qty / float(per)
        requests.setdefault(
            pk, {"id": number, "unit": unit, "item": item, "qty": asked, "tier": tier}
        )
    for pk, req in requests.items():
        req["filled"] = _whole(given[pk])
    return {
        "round": rnd.pk,
        "requests": list(requests.values()),
        "leftover": round_leftover(scope, rnd),
    }


def _stock(point: StockPoint) -> dict[int, int]:
    rows = (
        Balance.objects.filter(point=point, qty__gt=0)
        .values("item_id")
        .annotate(n=Sum("qty"))
        .order_by()
    )
    return {r["item_id"]: r["n"] for r in rows}


def _whole(v: float) -> int | float:
    return int(round(v)) if abs(v - round(v)) < 1e-9 else round(v, 3)


def requisition_fills(scope: Scope, req: Requisition) -> list[RoundLine]:
    """What confirmed rounds gave the requisition: when, from which point, what."""
    if not scope.contains(req.region_path):
        raise Http404
    return list(
        RoundLine.objects.filter(requisition=req, round__status=RoundStatus.CONFIRMED, qty__gt=0)
        .select_related("round__point", "item")
        .order_by("round__confirmed_at", "id")
    )


@dataclass(frozen=True)
class Shortage:
    item: str
    unit: str
    open: int  # open requisitions
    short: int  # what they still need


def shortages(scope: Scope, path: str) -> list[Shortage]:
    """Per item, the approved requisitions still open under ``path`` and what they still need."""
    rows = (
        scope.filter(
            Requisition.objects.filter(region_path__startswith=path, status__in=OPEN_REQUISITIONS)
        )
        .values("item__name", "item__unit")
        .annotate(n=Count("id"), short=Sum(F("qty") - F("filled")))
        .order_by("-short", "item__name")
    )
    return [Shortage(r["item__name"], r["item__unit"], r["n"], r["short"]) for r in rows]


def open_at(scope: Scope, path: str, untils: list[dt.datetime]) -> list[dict[str, dict[str, int]]]:
    """For each moment: per region path, the approved requisitions still open then
    (``requisitions_open``) and what they still needed (``requisitions_short``, in the units
    asked for). Open at a moment: approved (or from headquarters' list) before it, not
    cancelled before it, and less filled by the rounds confirmed before it than asked for.
    Two queries for all the moments."""
    if not untils:
        return []
    live = scope.filter(
        Requisition.objects.filter(
            region_path__startswith=path, approved_at__lt=max(untils)
        ).exclude(status=RequisitionStatus.CANCELLED, decided_at__lt=min(untils))
    )
    reqs = list(live.values_list("pk", "region_path", "qty", "status", "decided_at", "approved_at"))
    given: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
    lines = (
        RoundLine.objects.filter(
            requisition_id__in=live.values("pk"),
            round__status=RoundStatus.CONFIRMED,
            round__confirmed_at__lt=max(untils),
            qty__gt=0,
        )
        .values_list("requisition_id", "round__confirmed_at", "qty", "per_unit")
        .order_by()
    )
    for pk, at, qty, per in lines:
        given[pk].append((at, qty / float(per)))
    out: list[dict[str, dict[str, int]]] = []
    for until in untils:
        values: dict[str, dict[str, int]] = defaultdict(dict)
        for pk, where, qty, status, decided_at, approved_at in reqs:
            cancelled = status == RequisitionStatus.CANCELLED
            if approved_at >= until or (cancelled and decided_at < until):
                continue
            filled = min(qty, math.floor(sum(u for at, u in given[pk] if at < until) + 1e-9))
            if filled < qty:
                bucket = values[where]
                bucket["requisitions_open"] = bucket.get("requisitions_open", 0) + 1
                bucket["requisitions_short"] = bucket.get("requisitions_short", 0) + qty - filled
        out.append(values)
    return out
