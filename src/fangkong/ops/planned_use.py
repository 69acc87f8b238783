"""Testing campaigns' planned use of supplies, for the supplies forecast (supplies/planned.py):
ops knows both apps, so neither imports the other.

An open campaign that overlaps the region needs, in the part of the region both cover, one swab
for each person of its target not yet sampled, a tube for every ``pool_size`` swabs and a
protective suit for every ``SWABS_PER_SUIT`` swabs (a sampler changes suits each half day,
swabbing about that many people), spread evenly over the campaign's days from the first day
asked for to its last.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from fangkong.screening.choices import CampaignStatus
from fangkong.screening.models import Campaign, Sample
from fangkong.screening.selectors import target_of
from fangkong.supplies import planned
from fangkong.supplies.planned import PlannedUse

SWAB = "核酸采样拭子"
TUBE = "核酸采样管"
SUIT = "医用防护服"
SWABS_PER_SUIT = 100


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, c in enumerate(path) if c == "/"]


def campaign_use(path: str, first: dt.date, last: dt.date) -> list[PlannedUse]:
    campaigns = Campaign.objects.filter(
        Q(region_path__startswith=path) | Q(region_path__in=_ancestors(path)),
        status=CampaignStatus.OPEN,
        end_on__gte=first,
        start_on__lte=last,
    ).order_by("start_on", "id")
    out: list[PlannedUse] = []
    for c in campaigns:
        part = max(path, c.region_path, key=len)  # the deeper of the two: both cover it
        target = target_of(c, part).count()
        sampled = (
            Sample.objects.filter(campaign=c, region_path__startswith=part)
            .values("person_id")
            .distinct()
            .count()
        )
        swabs = max(0, target - sampled)
        begin = max(c.start_on, first)
        days = (c.end_on - begin).days + 1
        if not swabs or days <= 0:
            continue
        for n in range(days):
            day = begin + dt.timedelta(days=n)
            if day > last:
                break
            for item, qty in (
                (SWAB, swabs / days),
                (TUBE, swabs / c.pool_size / days),
                (SUIT, swabs / SWABS_PER_SUIT / days),
            ):
                out.append(PlannedUse(item, day, round(qty, 2), c.name))
    return out


def register_planned_use() -> None:
    planned.register("screening", campaign_use)
