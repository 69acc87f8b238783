"""Today's round of mass testing in the demo community (docs/screening.md): a campaign of
红星社区 (10 swabs a tube) with its sampling point and a door-to-door team; the grid workers
have swabbed most of their residents household by household into tubes of ten, one tube of
``grid_a`` is still open, and a few of those not yet tested have a reason recorded (away, in
hospital, refused). Everything goes through the screening services, each swab at its time.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from fangkong.people.models import Person
from fangkong.screening.services import (
    SwabData,
    check_add_point,
    check_add_swabs,
    check_add_team,
    check_create_campaign,
    check_open_tube,
    check_record_untested,
)

from .actors import Actors
from .clock import clock_at, local
from .town import Town

POOL = 10
SHARE_HOME, SHARE_NEAR = 0.85, 0.6  # of the demo grid's residents and its neighbours'


def seed_campaign(*, town: Town, actors: Actors, seed: int, now: dt.datetime) -> dict[str, int]:
    """The campaign running today; returns what it made."""
    rng = random.Random(seed * 7919 + 14)
    day = now.date()
    start = max(local(day), min(local(day, 7), now - dt.timedelta(minutes=30)))
    street = actors["street"]
    with clock_at(start):
        campaign = check_create_campaign(
            user=street,
            scope=actors.scope(street),
            region=town.community,
            start_on=day,
            pool_size=POOL,
            name=f"{town.community.name}第1轮全员核酸检测",
        )
        point = check_add_point(
            scope=actors.scope(street),
            campaign=campaign,
            name=f"{town.community.name}广场",
            opens_at=dt.time(7),
            closes_at=dt.time(20),
        )
        check_add_team(
            scope=actors.scope(street), campaign=campaign, name="上门采样一队", members="2人"
        )
    figures = {"tubes": 0, "swabs": 0, "reasons": 0}
    grids = [g for g in town.grids if g.parent_id == town.community.pk]
    for grid in grids:
        share = SHARE_HOME if grid.pk == town.home.pk else SHARE_NEAR
        _sample_grid(campaign, point.pk, town, actors, grid, share, rng, start, now, figures)
    return figures


def _sample_grid(campaign, point_id, town, actors, grid, share, rng, start, now, figures):
    worker = actors.worker_of(grid.pk)
    scope = actors.scope(worker)
    residents = sorted(town.by_grid.get(grid.pk, []), key=lambda r: (r.household_id or 0, r.id))
    swabbed = [r for r in residents if rng.random() < share]
    if grid.pk == town.home.pk and len(swabbed) % POOL == 0:
        swabbed = swabbed[:-3]  # the demo grid's last tube is still open
    taken = {r.id for r in swabbed}
    untested = [r for r in residents if r.id not in taken]
    span = (now - start) / max(len(swabbed), 1)
    for i in range(0, len(swabbed), POOL):
        group = swabbed[i : i + POOL]
        opened_at = start + span * i
        with clock_at(opened_at):
            tube, _created = check_open_tube(
                user=worker,
                scope=scope,
                campaign=campaign,
                barcode=f"HX{grid.code[-6:]}{i // POOL + 1:04d}",
            )
        with clock_at(start + span * (i + len(group))):
            check_add_swabs(
                user=worker,
                scope=scope,
                tube=tube,
                items=[
                    SwabData(uuid.uuid4(), r.id, opened_at + span * n, point_id)
                    for n, r in enumerate(group)
                ],
            )
        figures["tubes"] += 1
        figures["swabs"] += len(group)
    reasons = ["away", "hospital", "refused", "door_team"]
    with clock_at(now):
        for r in untested[: max(3, len(untested) // 10)]:
            check_record_untested(
                user=worker,
                scope=scope,
                campaign=campaign,
                person=Person.objects.get(pk=r.id),
                reason=rng.choice(reasons),
            )
            figures["reasons"] += 1
