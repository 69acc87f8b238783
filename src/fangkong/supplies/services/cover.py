"""Days of cover and what to order, per item, at a stock point or across a region, through the
solvers' ``forecast`` model; and enterprises' daily output reports, the receipts a point can
expect.

The demand forecast (across a region, Holt's damped trend over the last four weeks of issues;
at one point, the mean of its last week; plus planned use such as a testing campaign's swabs
from ``supplies.planned``) depends only on the days before
today, so it is worked out once a day per point or region and kept in the cache; today's cover
is then the same model run against the live stock with that demand as its planned use (a
quick pass with no trend to fit), so a page shows cover to the last issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.solvers import forecast

from .. import planned
from ..choices import MovementKind
from ..models import Balance, Item, Movement, OutputReport, StockPoint
from .ledger import StockInvalid, _check_qty

HISTORY_DAYS = 28  # a region's: four weeks, enough for the model's damped trend
# A point's: under the model's 14 days for a trend, so it takes the last week's mean. One
# point's issues come in lumps (a hospital's weekly delivery) that a trend fit chases, and a
# fit per point and item costs a third of a second: a district's hundreds of points could not
# be fitted each morning. Regions, few and smooth, get the trend (bench/donations.py).
POINT_HISTORY_DAYS = 13
HORIZON_DAYS = 30
TARGET_COVER_DAYS = 30
DEMAND_TTL = 6 * 3600


@dataclass(frozen=True)
class Place:
    """A stock point, or every point under a region's path."""

    key: str
    path: str
    point: StockPoint | None = None

    @classmethod
    def of_point(cls, point: StockPoint) -> Place:
        return cls(f"p{point.pk}", point.region_path, point)

    @classmethod
    def of_region(cls, path: str) -> Place:
        return cls(f"r{path}", path)

    def filter(self, qs: QuerySet, point_field: str) -> QuerySet:
        if self.point is not None:
            return qs.filter(**{point_field: self.point})
        return qs.filter(**{f"{point_field}__region_path__startswith": self.path})


@dataclass(frozen=True)
class Cover:
    item: Item
    stock: int
    daily_use: float  # the forecast's mean use a day over the coming week
    method: str  # holt_damped | mean_7_days | no_history
    planned: float  # planned use over the horizon (a campaign's swabs)
    days_of_cover: float | None  # None: lasts beyond the horizon
    stockout_on: dt.date | None
    expected: int  # receipts expected within the horizon (output reports)
    cover_with_expected: float | None
    order_qty: int  # to reach the target cover, less what is expected
    explain: str

    @property
    def short(self) -> bool:
        """Runs out within a week even with what is expected."""
        c = self.cover_with_expected
        return c is not None and c < 7


def _history(where: Place, today: dt.date) -> dict[tuple[int, dt.date], float]:
    """(item, day) → units issued (less issues reversed) over the place's history window."""
    days = POINT_HISTORY_DAYS if where.point is not None else HISTORY_DAYS
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
    end = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    issued = Q(kind=MovementKind.ISSUE) | Q(
        kind=MovementKind.REVERSAL, reverses__kind=MovementKind.ISSUE
    )
    qs = Movement.objects.filter(issued, at__gte=start, at__lt=end)
    if where.point is not None:
        qs = qs.filter(point=where.point)
    else:
        qs = qs.filter(region_path__startswith=where.path)
    rows = (
        qs.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("item_id", "day")
        .annotate(n=Sum("qty"))
        .order_by()
    )
    return {(r["item_id"], r["day"]): float(-r["n"]) for r in rows if r["n"]}


def usable(qs: QuerySet, day: dt.date) -> QuerySet:
    """Balances or movements of lots still usable on ``day``: an expired lot covers no day (it
    waits to be written off)."""
    return qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def _stock(where: Place, today: dt.date) -> dict[int, int]:
    if where.point is not None:
        qs = Balance.objects.filter(point=where.point)
    else:
        qs = Balance.objects.filter(region_path__startswith=where.path)
    rows = usable(qs.filter(qty__gt=0), today).values("item_id").annotate(n=Sum("qty")).order_by()
    return {r["item_id"]: r["n"] for r in rows}


def _expected(where: Place, today: dt.date) -> dict[int, list[tuple[int, int]]]:
    """item → [(day offset, qty)] of deliveries expected from today within the horizon."""
    qs = OutputReport.objects.filter(
        deliver_on__gte=today,
        deliver_on__lt=today + dt.timedelta(days=HORIZON_DAYS),
        deliver_qty__gt=0,
    )
    qs = where.filter(qs, "to_point")
    out: dict[int, list[tuple[int, int]]] = {}
    for r in qs.values("item_id", "deliver_on").annotate(n=Sum("deliver_qty")).order_by():
        out.setdefault(r["item_id"], []).append(((r["deliver_on"] - today).days, r["n"]))
    return out


Demand = dict[str, tuple[str, list[float], float]]


def demand(where: Place, today: dt.date, *, key_items: bool = False) -> Demand:
    """item name → (method, the forecast's need for each day from today, the planned part of
    it): worked out once a day and cached. ``key_items``: only the catalog's key items (the
    report section's figure, a few fits instead of every item's)."""
    key = f"supplies:demand:{where.key}:{today.isoformat()}{':key' if key_items else ''}"
    found = cache.get(key)
    if found is not None:
        return found
    history = _history(where, today)
    catalog = Item.objects.filter(key=True) if key_items else Item.objects.all()
    names = dict(catalog.values_list("id", "name"))
    history = {k: q for k, q in history.items() if k[0] in names}
    uses = {(names[i], day): q for (i, day), q in history.items()}
    plan = [
        p
        for p in planned.planned_use(where.path, today, today + dt.timedelta(days=HORIZON_DAYS - 1))
        if p.item in names.values()
    ]
    items = {n for n, _d in uses} | {p.item for p in plan}
    if not items:
        cache.set(key, {}, DEMAND_TTL)
        return {}
    yesterday = today - dt.timedelta(days=1)
    history_in = [forecast.Use(n, d, q) for (n, d), q in sorted(uses.items())]
    history_in += [
        forecast.Use(n, yesterday, 0.0) for n in sorted(items) if (n, yesterday) not in uses
    ]
    solution = forecast.solve(
        forecast.Problem(
            history=history_in,
            stock={n: 0.0 for n in items},
            horizon_days=HORIZON_DAYS,
            planned=[forecast.Planned(p.item, p.day, p.qty) for p in plan],
            target_cover_days=TARGET_COVER_DAYS,
        )
    )
    planned_total = {n: round(sum(p.qty for p in plan if p.item == n), 1) for n in items}
    out = {
        f.item: (f.method, [d.qty for d in f.daily], planned_total[f.item]) for f in solution.items
    }
    cache.set(key, out, DEMAND_TTL)
    return out


def _cover_with(stock: float, need: list[float], arrivals: list[tuple[int, int]]) -> float | None:
    """Days the stock lasts when deliveries arrive at the start of their day (None: beyond)."""
    by_day: dict[int, int] = {}
    for day, qty in arrivals:
        by_day[day] = by_day.get(day, 0) + qty
    have = float(stock)
    for d, use in enumerate(need):
        have += by_day.get(d, 0)
        if have + 1e-9 < use:
            return round(d + have / use, 1)
        have -= use
    return None


def cover(
    where: Place,
    *,
    today: dt.date | None = None,
    stock: dict[int, int] | None = None,
    key_items: bool = False,
) -> list[Cover]:
    """Each item held, used or planned at the point (or in the region): its cover and order.
    ``stock`` (item id → qty): another moment's usable stock than now (a past day's report);
    expired lots count for nothing;
    ``key_items``: only the catalog's key items."""
    today = today or timezone.localdate()
    need = demand(where, today, key_items=key_items)
    stock = _stock(where, today) if stock is None else {i: q for i, q in stock.items() if q > 0}
    expected = _expected(where, today)
    catalog = Item.objects.filter(key=True) if key_items else Item.objects.all()
    names = dict(catalog.values_list("name", "id"))
    allowed = set(names.values())
    stock = {i: q for i, q in stock.items() if i in allowed}
    expected = {i: e for i, e in expected.items() if i in allowed}
    ids = set(stock) | set(expected) | {names[n] for n in need if n in names}
    if not ids:
        return []
    items = {i.pk: i for i in Item.objects.filter(pk__in=ids)}
    horizon = [today + dt.timedelta(days=d) for d in range(HORIZON_DAYS)]
    planned_in = [
        forecast.Planned(items[names[n]].name, day, q)
        for n, (_m, daily, _p) in need.items()
        if n in names and names[n] in items
        for day, q in zip(horizon, daily, strict=False)
        if q > 0
    ]
    solution = forecast.solve(
        forecast.Problem(
            history=[
                forecast.Use(i.name, today - dt.timedelta(days=1), 0.0) for i in items.values()
            ],
            stock={i.name: float(stock.get(i.pk, 0)) for i in items.values()},
            horizon_days=HORIZON_DAYS,
            planned=planned_in,
            target_cover_days=TARGET_COVER_DAYS,
        )
    )
    zh = (get_language() or "").startswith("zh")
    out = []
    for f in solution.items:
        item = next(i for i in items.values() if i.name == f.item)
        method, daily, planned_qty = need.get(f.item, ("no_history", [0.0] * HORIZON_DAYS, 0.0))
        arrivals = expected.get(item.pk, [])
        soon = sum(q for d, q in arrivals if d < TARGET_COVER_DAYS)
        out.append(
            Cover(
                item=item,
                stock=stock.get(item.pk, 0),
                daily_use=round(sum(daily[:7]) / 7, 1),
                method=method,
                planned=planned_qty,
                days_of_cover=f.days_of_cover,
                stockout_on=f.stockout_day,
                expected=sum(q for _d, q in arrivals),
                cover_with_expected=_cover_with(stock.get(item.pk, 0), daily, arrivals)
                if arrivals
                else f.days_of_cover,
                order_qty=max(0, int(f.order_qty) - soon),
                explain=f.explain.zh if zh else f.explain.en,
            )
        )
    out.sort(key=lambda c: (c.cover_with_expected is None, c.cover_with_expected or 0, c.item.name))
    return out


def check_report_output(
    *,
    point: StockPoint,
    enterprise: str,
    item: Item,
    made_on: dt.date,
    made: int,
    deliver_qty: int,
    deliver_on: dt.date,
    user: User | None = None,
) -> tuple[OutputReport, bool]:
    """An enterprise's output of an item on a day and what of it comes to ``point``; the same
    enterprise, item, day and point again replaces the report (second: created)."""
    errors: dict[str, str] = {}
    name = " ".join(enterprise.split())
    if not name:
        errors["enterprise"] = _("name the enterprise")
    elif len(name) > 100:
        errors["enterprise"] = _("an enterprise's name has at most 100 characters")
    _check_qty(made, errors)
    if "qty" in errors:
        errors["made"] = errors.pop("qty")
    if not isinstance(deliver_qty, int) or deliver_qty < 0:
        errors["deliver_qty"] = _("the quantity to deliver must be a whole number, 0 or more")
    elif "made" not in errors and deliver_qty > made:
        errors["deliver_qty"] = _("it cannot deliver more than it made (%(n)s)") % {"n": made}
    today = timezone.localdate()
    if made_on > today:
        errors["made_on"] = _("the day of output cannot be in the future")
    elif made_on < today - dt.timedelta(days=366):
        errors["made_on"] = _("the day of output is more than a year ago")
    if deliver_on < made_on:
        errors["deliver_on"] = _("it cannot be delivered before it is made")
    if errors:
        raise StockInvalid(errors)
    with transaction.atomic():
        report, created = OutputReport.objects.update_or_create(
            enterprise=name,
            item=item,
            made_on=made_on,
            to_point=point,
            defaults={
                "made": made,
                "deliver_qty": deliver_qty,
                "deliver_on": deliver_on,
                "region_path": point.region_path,
                "recorded_by": user,
            },
        )
    return report, created
