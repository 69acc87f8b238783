"""The demo city's help requests: a day of them in the demo community, in every state — waiting
(some overdue, one escalated to the street), offered, accepted, on the way, delivered (on time
and late), could not (back to waiting), cancelled, merged — with the demo volunteer's own tasks
(one offered to answer, one under way with money advanced, one delivered and repaid), and a gas
round of one grid with doors delivered and one nobody answered. Buildings of the demo street get
points and its volunteers home points near their home grid, so a batch dispatch has distances.
Written once: a database that already holds requests is left as it is."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.scope import scope_of
from fangkong.regions.choices import Level as RegionLevel
from fangkong.regions.models import Building, Household, Region
from fangkong.volunteers.models import Volunteer

from .choices import Level
from .models import BuildingPoint, HelpRequest, Task
from .services import (
    check_answer,
    check_cancel_request,
    check_mark_stop,
    check_merge_requests,
    check_open_round,
    check_progress,
    check_repaid,
    do_offer,
    do_raise_request,
)
from .services.advances import do_record_advance

# a 1×1 PNG: the demo's receipt photo
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ORIGIN = (28.1960, 112.9720)  # the demo street, somewhere in 长沙
NEEDS = [
    ("medicine", "urgent", "硝苯地平缓释片 2盒（降压）"),
    ("medicine", "today", "沙丁胺醇气雾剂 1支"),
    ("food", "today", "大米10斤、食用油1桶"),
    ("food", "normal", "蔬菜包 1份"),
    ("gas", "today", "液化气 1罐"),
    ("transport", "urgent", "周三透析，送至市第一医院"),
    ("urgent_medical", "urgent", "老人胸闷，需陪同就医"),
    ("care", "today", "独居老人上门照看"),
    ("other", "normal", "手机充值"),
]


@dataclass
class DemoRequests:
    requests: int = 0
    tasks: int = 0
    points: int = 0


def _points(street: Region, rng: random.Random) -> int:
    """A point for each building of the street, grid by grid a few hundred metres apart."""
    grids = {
        g: i
        for i, g in enumerate(
            Region.objects.filter(path__startswith=street.path, level=RegionLevel.GRID)
            .order_by("path")
            .values_list("id", flat=True)
        )
    }
    rows = []
    for pk, grid_id in Building.objects.filter(region_path__startswith=street.path).values_list(
        "id", "grid_id"
    ):
        i = grids.get(grid_id, 0)
        rows.append(
            BuildingPoint(
                building_id=pk,
                lat=ORIGIN[0] + (i % 6) * 0.004 + rng.uniform(0, 0.003),
                lon=ORIGIN[1] + (i // 6) * 0.005 + rng.uniform(0, 0.004),
            )
        )
    BuildingPoint.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    by_grid: dict[int, tuple[float, float]] = {}
    for grid_id, lat, lon in BuildingPoint.objects.filter(
        building__region_path__startswith=street.path
    ).values_list("building__grid_id", "lat", "lon"):
        by_grid.setdefault(grid_id, (lat, lon))
    homes = []
    for v in Volunteer.objects.filter(region_path__startswith=street.path, home_lat__isnull=True):
        lat, lon = by_grid.get(v.home_area_id) or next(iter(by_grid.values()), ORIGIN)
        v.home_lat, v.home_lon = lat + rng.uniform(-0.004, 0.004), lon + rng.uniform(-0.004, 0.004)
        homes.append(v)
    Volunteer.objects.bulk_update(homes, ["home_lat", "home_lon"], batch_size=1000)
    return len(rows)


def _raise(household: Household, need: tuple[str, str, str], at: dt.datetime, by=None):
    kind, urgency, text = need
    return do_raise_request(
        household=household,
        kind=kind,
        urgency=urgency,
        needed=text,
        qty=1,
        phone="",
        client_id=uuid.uuid4(),
        user=by,
        now=at,
    )


def _age(r: HelpRequest, minutes: int) -> None:
    """Make a request raised ``minutes`` earlier (its due time with it)."""
    delta = dt.timedelta(minutes=minutes)
    HelpRequest.objects.filter(pk=r.pk).update(
        raised_at=r.raised_at - delta, due_at=r.due_at - delta, deadline_at=r.deadline_at - delta
    )


def demo_requests(*, seed: int = 1, now: dt.datetime | None = None) -> DemoRequests:
    """A day of help requests in the demo community (once)."""
    result = DemoRequests()
    user = User.objects.filter(username="volunteer").select_related("scope_region").first()
    community_user = User.objects.filter(username="community").first()
    helper = Volunteer.objects.filter(user__username="volunteer").first()
    if HelpRequest.objects.exists() or user is None or community_user is None or helper is None:
        return result
    home = user.scope_region
    street = home.parent if home.level != RegionLevel.STREET and home.parent else home
    now = now or timezone.now()
    rng = random.Random(seed)
    households = list(
        Household.objects.filter(
            region_path__startswith=home.path, building__isnull=False
        ).order_by("id")[:400]
    )
    if len(households) < 30:
        return result
    rng.shuffle(households)
    others = list(
        Volunteer.objects.filter(region_path__startswith=home.path, status="active")
        .exclude(pk=helper.pk)
        .order_by("id")[:8]
    )
    with transaction.atomic():
        result.points = _points(street, rng)
        result.requests, result.tasks = _day(households, helper, others, community_user, now, rng)
    return result


GIVEN = {"zh": "由社区指派", "en": "given by the community"}


def _mine(made, helper, staff, rng) -> list[HelpRequest]:
    """The demo volunteer: one to answer, one on the way with money advanced, one delivered and
    repaid in cash at the door."""
    mine = [r for r in made if r.kind in ("medicine", "food", "other")][:3]
    for n, r in enumerate(mine):
        km = round(rng.uniform(0.3, 2.5), 2)
        task = do_offer(request=r, volunteer=helper, user=staff, km=km, explain=GIVEN)
        if n == 0:
            continue
        check_answer(user=helper.user, task=task, accept=True)
        step = "picked_up" if n == 1 else "delivered"
        check_progress(user=helper.user, task=task, step=step)
        advance = do_record_advance(
            user=helper.user,
            task=task,
            amount=Decimal("46.80") if n == 1 else Decimal("23.50"),
            data=PNG,
            kind="image/png",
            client_id=uuid.uuid4(),
        )
        if n == 2:
            check_repaid(
                user=helper.user, scope=scope_of(helper.user), advance=advance, how="上门现金"
            )
    return mine


STEPS = [None, "accepted", "picked_up", "picked_up", "delivered", "delivered", "delivered"]


def _others(rest, others, staff, rng) -> None:
    """Other volunteers' tasks: offered, accepted, on the way, delivered, could not."""
    for n, r in enumerate(rest[:8]):
        v = others[n % len(others)]
        km = round(rng.uniform(0.3, 3.0), 2)
        task = do_offer(request=r, volunteer=v, user=staff, km=km, explain=GIVEN)
        if n == 0:
            continue  # offered, waiting for an answer
        check_answer(user=v.user, task=task, accept=True)
        if n == 7:
            check_progress(user=v.user, task=task, step="could_not", reason="药店缺货，已告知社区")
        elif STEPS[n] != "accepted":
            check_progress(user=v.user, task=task, step=STEPS[n])


def _round(households, scope, staff) -> None:
    """A gas round of one grid: three doors delivered, one nobody answered, the rest to go."""
    grid = households[25].grid
    for h in Household.objects.filter(grid=grid, building__isnull=False).order_by("id")[:6]:
        _raise(h, ("gas", "today", "液化气 1罐"), timezone.now())
    live = check_open_round(scope=scope, user=staff, region=grid, kind="gas", title="液化气罐配送")
    stops = list(live.stops.order_by("id"))
    for stop in stops[:3]:
        check_mark_stop(scope=scope, user=staff, stop=stop, delivered=True)
    if len(stops) > 3:
        check_mark_stop(
            scope=scope, user=staff, stop=stops[3], delivered=False, reason="敲门无人应答"
        )


def _day(households, helper, others, staff, now, rng) -> tuple[int, int]:
    scope = scope_of(staff)
    made = [
        _raise(h, NEEDS[i % len(NEEDS)], now, by=None if i % 3 else staff)
        for i, h in enumerate(households[:24])
    ]
    for i, r in enumerate(made):  # through the day: the earliest ten hours ago
        _age(r, 20 + (i * 37) % 600)
        r.refresh_from_db()
    mine = _mine(made, helper, staff, rng)
    rest = [r for r in made if r not in mine]
    if others:
        _others(rest, others, staff, rng)
    waiting = rest[8:] if others else rest
    if waiting:
        check_cancel_request(scope=scope, request=waiting[0], reason="家属已自行购买", user=staff)
        HelpRequest.objects.filter(pk__in=[r.pk for r in waiting[1:3]]).update(
            level=Level.STREET, escalated_at=now
        )  # two of the overdue ones have gone up to the street
    first = _raise(households[24], ("food", "normal", "面条"), now)
    second = _raise(households[24], ("food", "today", "鸡蛋"), now)
    check_merge_requests(scope=scope, keep=second, duplicates=[first], user=staff)
    _round(households, scope, staff)
    return HelpRequest.objects.count(), Task.objects.count()
