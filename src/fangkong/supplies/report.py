"""Supplies' section of the daily report: the day's receipts and issues, stock points, the
balance of each key item at the report's moment, and the points out of a key item (shortages).
Donations received that day and the issues of donated stock; the key items whose stock in the
region covers less than a week of forecast use (services/cover.py). Registered from
``SuppliesConfig.ready()``.

A past moment's balance is today's ``Balance`` rows less the movements since (one grouped query
each over the region's points), never a sum over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Item,
    Section,
    SectionFigures,
    add_rows,
    day_start,
    region_link,
    register,
    totals,
    values_by_path,
)

from .choices import MovementKind
from .models import Balance, Donation, DonationLine, Movement, StockPoint
from .models import Item as StockItem
from .selectors import open_at
from .services.cover import Place, cover

SHORT_COVER_DAYS = 7

MAX_OUTSTANDING = 50


KeyLot = tuple[int, int, "dt.date | None"]  # (point, key item, expiry)


def _key_lots(scope: Scope, region: Region, untils: list[dt.datetime]) -> list[dict[KeyLot, int]]:
    """Per moment: each key item's lot at each point → its balance then: now, less what moved
    since (one grouped query of the balances, one of the movements since the earliest moment,
    a filtered sum per moment)."""
    under = {"region_path__startswith": region.path, "item__key": True}
    now: dict[KeyLot, int] = defaultdict(int)
    for row in (
        scope.filter(Balance.objects.filter(**under))
        .values("point_id", "item_id", "expires_on")
        .annotate(n=Sum("qty"))
        .order_by()
    ):
        now[(row["point_id"], row["item_id"], row["expires_on"])] += row["n"]
    since = {}
    for i, until in enumerate(untils):
        since[f"q{i}"] = Sum("qty", filter=Q(at__gte=until))
        since[f"c{i}"] = Count("id", filter=Q(at__gte=until))
    later = scope.filter(Movement.objects.filter(at__gte=min(untils), **under))
    rows = list(later.values("point_id", "item_id", "expires_on").annotate(**since).order_by())
    out = []
    for i in range(len(untils)):
        lots = dict(now)
        for r in rows:
            if r[f"c{i}"]:  # a lot that moved after the moment counts at it, balance row or not
                key = (r["point_id"], r["item_id"], r["expires_on"])
                lots[key] = lots.get(key, 0) - (r[f"q{i}"] or 0)
        out.append(lots)
    return out


def _by_point(lots: dict[KeyLot, int]) -> dict[tuple[int, int], int]:
    """(point, key item) → its stock, every lot."""
    stock: dict[tuple[int, int], int] = defaultdict(int)
    for (point_id, item_id, _expires_on), qty in lots.items():
        stock[(point_id, item_id)] += qty
    return stock


def _usable(lots: dict[KeyLot, int], day: dt.date, where) -> dict[int, int]:
    """Key item → its stock at the points ``where`` in lots still usable on ``day`` (an
    expired lot covers no day, as on the cover pages)."""
    by_item: dict[int, int] = defaultdict(int)
    for (point_id, item_id, expires_on), qty in lots.items():
        if point_id in where and (expires_on is None or expires_on >= day):
            by_item[item_id] += qty
    return dict(by_item)


def _donated_issues(qs):
    """Issues of a donated lot (its item and lot are a donation line's)."""
    donated = DonationLine.objects.filter(item=OuterRef("item"), lot=OuterRef("lot"))
    return qs.filter(Exists(donated), kind=MovementKind.ISSUE)


def _low_cover(region: Region, day: dt.date, stock: dict[int, int], keys) -> int:
    """Key items whose stock in the region lasts less than a week of forecast use."""
    if not keys:
        return 0
    found = cover(Place.of_region(region.path), today=day, stock=stock, key_items=True)
    return sum(
        1
        for c in found
        if c.item.pk in keys
        and c.cover_with_expected is not None
        and c.cover_with_expected < SHORT_COVER_DAYS
    )


def supplies_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    scope.require(Cap.STOCK_VIEW)
    values = values_by_path()
    points = scope.filter(StockPoint.objects.filter(region_path__startswith=region.path))
    add_rows(values, "points", points.values("region_path").annotate(n=Count("id")).order_by())
    moved = scope.filter(
        Movement.objects.filter(
            region_path__startswith=region.path, at__gte=day_start(day), at__lt=until
        )
    )
    for key, kind in (("receipts", MovementKind.RECEIPT), ("issues", MovementKind.ISSUE)):
        add_rows(
            values,
            key,
            moved.filter(kind=kind).values("region_path").annotate(n=Count("id")).order_by(),
        )
    gifts = scope.filter(
        Donation.objects.filter(
            region_path__startswith=region.path,
            received_at__gte=day_start(day),
            received_at__lt=until,
        )
    )
    add_rows(values, "donations", gifts.values("region_path").annotate(n=Count("id")).order_by())
    add_rows(
        values,
        "donated_out",
        _donated_issues(moved).values("region_path").annotate(n=Count("id")).order_by(),
    )
    lots = _key_lots(scope, region, [until])[0]
    stock = _by_point(lots)
    where = dict(points.values_list("id", "region_path"))
    names = {p.pk: p for p in points.select_related("region")}
    keys = {i.pk: i for i in StockItem.objects.filter(key=True).order_by("category", "name")}
    short: list[tuple[int, int]] = []
    for (point_id, item_id), qty in stock.items():
        path = where.get(point_id)
        if path is None:
            continue
        bucket = values[path]
        bucket[f"item_{item_id}"] = bucket.get(f"item_{item_id}", 0) + qty
        if qty <= 0:
            short.append((point_id, item_id))
            bucket["shortages"] = bucket.get("shortages", 0) + 1
    for path, bucket in open_at(scope, region.path, [until])[0].items():
        for key, n in bucket.items():
            values[path][key] = values[path].get(key, 0) + n
    total = totals(values)
    low = _low_cover(region, day, _usable(lots, day, where), set(keys))
    # the region's points, the ones its figure counts
    link = region_link("supplies:home", Cap.STOCK_VIEW, region.code)
    figures = [
        Figure("points", _("Stock points"), _("points"), total.get("points", 0), link=link),
        Figure(
            "receipts",
            _("Receipts"),
            _("times"),
            total.get("receipts", 0),
            note=_("stock received that day (each lot once)"),
        ),
        Figure(
            "issues",
            _("Issues"),
            _("times"),
            total.get("issues", 0),
            note=_("stock handed out that day (each lot once)"),
        ),
        Figure(
            "shortages",
            _("Out of a key item"),
            _("points"),
            total.get("shortages", 0),
            note=_("a stock point that has held a key item and has none left"),
        ),
    ]
    figures += [
        Figure(
            "donations",
            _("Donations received"),
            _("gifts"),
            total.get("donations", 0),
            note=_("donations received into stock that day"),
        ),
        Figure(
            "donated_out",
            _("Donated stock issued"),
            _("times"),
            total.get("donated_out", 0),
            note=_("issues that day drawn from donated lots"),
        ),
        Figure(
            "low_cover",
            _("Key items under a week of cover"),
            _("items"),
            low,
            note=_("key items whose stock in the region lasts less than 7 days of forecast use"),
            in_rows=False,
        ),
    ]
    figures += _requisition_figures(total)
    for pk, item in keys.items():
        figures.append(
            Figure(
                f"item_{pk}",
                item.name,
                item.unit,
                total.get(f"item_{pk}", 0),
                note=_("in stock at the report's moment"),
                in_rows=False,
            )
        )
    outstanding = [
        Item(
            "shortage",
            _("%(point)s has no %(item)s left") % {"point": names[p].name, "item": keys[i].name},
            names[p].region.code,
            names[p].region.name,
            1,
            # the points of that point's region
            region_link("supplies:home", Cap.STOCK_VIEW, names[p].region.code),
        )
        for p, i in sorted(short)[:MAX_OUTSTANDING]
        if i in keys
    ]
    return SectionFigures(figures=figures, values=dict(values), outstanding=outstanding)


def _requisition_figures(total: dict[str, int]) -> list[Figure]:
    return [
        Figure(
            "requisitions_open",
            _("Open requisitions"),
            _("requisitions"),
            total.get("requisitions_open", 0),
            note=_("approved and not yet filled at the report's moment"),
        ),
        Figure(
            "requisitions_short",
            _("Still needed"),
            _("units"),
            total.get("requisitions_short", 0),
            note=_("what the open requisitions still need, all items together"),
        ),
    ]


def supplies_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days (the report's earlier trend days), as
    ``supplies_figures`` counts them: receipts and issues by filtered counts, each key item's
    balance at each moment as now less what moved since (one grouped query for all moments)."""
    scope.require(Cap.STOCK_VIEW)
    points = scope.filter(StockPoint.objects.filter(region_path__startswith=region.path))
    where = dict(points.values_list("id", "region_path"))
    starts = [day_start(d) for d, _until in moments]
    untils = [until for _d, until in moments]
    moved = scope.filter(
        Movement.objects.filter(
            region_path__startswith=region.path, at__gte=min(starts), at__lt=max(untils)
        )
    )
    counts = {}
    for i, (start, until) in enumerate(zip(starts, untils, strict=True)):
        for key, kind in (("receipts", MovementKind.RECEIPT), ("issues", MovementKind.ISSUE)):
            counts[f"n{i}_{key}"] = Count("id", filter=Q(kind=kind, at__gte=start, at__lt=until))
    out: list[dict[str, int]] = [{"points": len(where)} for _m in moments]
    for name, n in moved.aggregate(**counts).items():
        i, key = name[1:].split("_", 1)  # n<moment>_<key>
        out[int(i)][key] = n or 0
    _donation_totals(scope, region, out, starts, untils, moved)
    keys = set(StockItem.objects.filter(key=True).values_list("id", flat=True))
    for i, (total, lots) in enumerate(zip(out, _key_lots(scope, region, untils), strict=True)):
        total["shortages"] = 0
        for (point_id, item_id), qty in _by_point(lots).items():
            if point_id not in where:
                continue
            item = f"item_{item_id}"
            total[item] = total.get(item, 0) + qty
            total["shortages"] += qty <= 0
        total["low_cover"] = _low_cover(
            region, moments[i][0], _usable(lots, moments[i][0], where), keys
        )
    _add_requisitions(out, open_at(scope, region.path, untils))
    return out


def _donation_totals(scope, region, out, starts, untils, moved) -> None:
    """Each moment's donations received and issues of donated stock (filtered counts)."""
    gifts = scope.filter(
        Donation.objects.filter(
            region_path__startswith=region.path,
            received_at__gte=min(starts),
            received_at__lt=max(untils),
        )
    )
    received = {
        f"d{i}": Count("id", filter=Q(received_at__gte=start, received_at__lt=until))
        for i, (start, until) in enumerate(zip(starts, untils, strict=True))
    }
    issued = {
        f"g{i}": Count("id", filter=Q(at__gte=start, at__lt=until))
        for i, (start, until) in enumerate(zip(starts, untils, strict=True))
    }
    for name, n in gifts.aggregate(**received).items():
        out[int(name[1:])]["donations"] = n or 0
    for name, n in _donated_issues(moved).aggregate(**issued).items():
        out[int(name[1:])]["donated_out"] = n or 0


def _add_requisitions(out: list[dict[str, int]], states: list[dict[str, dict[str, int]]]) -> None:
    for total, state in zip(out, states, strict=True):
        for bucket in state.values():
            for key, n in bucket.items():
                total[key] = total.get(key, 0) + n


def register_section() -> None:
    board = Board(figures=("receipts", "issues", "shortages"))
    register(
        Section(
            "supplies",
            gettext_lazy("Supplies"),
            30,
            supplies_figures,
            Cap.STOCK_VIEW,
            board,
            trend=supplies_totals,
        )
    )
