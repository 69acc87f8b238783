"""Before the first day: the regions' rules, the checkpoints with their hours and who staffs
them, and the QR codes of the demo grid's buildings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fangkong.health.choices import ObservationKind
from fangkong.health.models import Checkpoint, HealthRule
from fangkong.health.rules import forget_rules
from fangkong.health.services import check_create_checkpoint, issue_building_link
from fangkong.regions.choices import Level
from fangkong.regions.models import Building, Region

from .actors import Actors, volunteer_for
from .town import Town

# people through each checkpoint on a day
GATE_PER_DAY = 260
MARKET_PER_DAY = 320
ROAD_PER_DAY = 120


def set_rules(town: Town) -> list[HealthRule]:
    """The city's threshold and deadline; universal daily reporting in the demo community (the
    cluster's); in a village, close contacts isolate at home for 14 days.

    Written through the model: health has no service for rules yet (they are kept in admin)."""
    city = Region.objects.filter(level=Level.CITY, path__in=_ancestors(town.street.path)).first()
    rules = [HealthRule(region=town.community, universal_reporting=True)]
    if city is not None:
        rules.append(HealthRule(region=city, fever_threshold=Decimal("37.3"), alert_minutes=120))
    if town.rural:
        rules.append(
            HealthRule(
                region=town.rural[0].parent,
                close_contact_kind=ObservationKind.HOME_ISOLATION,
                close_contact_days=14,
                close_contact_home_days=0,
            )
        )
    have = set(HealthRule.objects.values_list("region_id", flat=True))
    made = [r for r in rules if r.region.pk not in have]
    HealthRule.objects.bulk_create(made)
    forget_rules()
    return made


def _ancestors(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["".join(f"{c}/" for c in codes[:n]) for n in range(1, len(codes) + 1)]


def open_checkpoints(town: Town, actors: Actors) -> list[tuple[Checkpoint, int, int]]:
    """The demo community's gate round the clock, staffed by the demo volunteer; a market gate
    of another community by day (07:00–22:00, the source report's hours); the street's road
    checkpoint overnight (20:00–08:00). Each with its operator and people a day."""
    volunteer = actors["volunteer"]
    street = actors["street"]
    other = town.areas["far"][0].parent or town.community
    plan: list[tuple[Region, str, dt.time, dt.time, bool, object, int]] = [
        (town.community, "正门卡口", dt.time(0), dt.time(0), True, volunteer, GATE_PER_DAY),
        (other, "农贸市场卡口", dt.time(7), dt.time(22), False, None, MARKET_PER_DAY),
        (town.street, "高速路口卡口", dt.time(20), dt.time(8), True, street, ROAD_PER_DAY),
    ]
    made = []
    for region, name, opens, closes, overnight, operator, per_day in plan:
        operator = operator or volunteer_for(region)
        checkpoint = check_create_checkpoint(
            scope=actors.scope(operator),  # type: ignore[arg-type]
            region=region,
            name=f"{region.name}{name}",
            opens_at=opens,
            closes_at=closes,
            overnight=overnight,
        )
        made.append((checkpoint, operator.pk, per_day))  # type: ignore[attr-defined]
    return made


def issue_links(town: Town, actors: Actors) -> int:
    """A QR link for each building of the demo grid, printed by its grid worker."""
    worker = actors.worker_of(town.home.pk)
    buildings = Building.objects.filter(grid=town.home).order_by("id")
    for building in buildings:
        issue_building_link(user=worker, scope=actors.scope(worker), building=building)
    return len(buildings)
