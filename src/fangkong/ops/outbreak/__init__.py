"""Two weeks of an outbreak in the demo city, ending now: `fangkong demo` and `fangkong seed`
run it after the city is loaded.

Daily check-ins (almost everyone in the demo community, which reports universally; a tenth of
residents elsewhere, more where a case was found this week; twice a day for everyone under
watch), a few fevers a day and the alerts they open — most closed within their deadline by
the grid's worker, some late after going up to the community or the street, a few still
waiting now; a handful of cases whose close and secondary contacts are put under watch by
their region's rule; returnees under home observation; three checkpoints with their passages;
the demo grid's QR codes. The same seed on the same city gives the same story; dates are
relative to today. Everything is written in one transaction, once: a database that already
holds health records is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from fangkong.assistance.demo import demo_requests
from fangkong.beds.demo import seed_beds
from fangkong.health.models import Case, CheckIn, Checkpoint
from fangkong.volunteers.demo import demo_volunteers

from ..demo import demo_lab
from ..funds import demo_funds
from .actors import ensure_actors
from .clock import Timeline, clock_at, local
from .daily import Routine
from .places import issue_links, open_checkpoints, set_rules
from .story import Story
from .testing import seed_campaign
from .town import load_town

MAX_DAYS = 28  # a check-in older than 30 days is refused by the health service


@dataclass
class OutbreakResult:
    first_day: dt.date
    last_day: dt.date
    check_ins: int = 0
    alerts: int = 0
    alerts_closed: int = 0
    escalated: int = 0
    cases: int = 0
    contacts: int = 0
    secondary: int = 0
    watched_by_hand: int = 0
    checkpoints: int = 0
    passages: int = 0
    turned_back: int = 0
    links: int = 0
    testing: dict[str, int] = field(default_factory=dict)
    by_day: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.check_ins} check-ins, {self.alerts} fever alerts ({self.alerts_closed} "
            f"closed, {self.escalated} escalations), {self.cases} cases with {self.contacts} "
            f"close and {self.secondary} secondary contacts, {self.watched_by_hand} returnees "
            f"under watch, {self.passages} passages at {self.checkpoints} checkpoints "
            f"({self.turned_back} turned back), {self.links} building QR links, "
            f"{self.testing.get('swabs', 0)} swabs in {self.testing.get('tubes', 0)} tubes of "
            f"today's testing campaign, {self.first_day}–{self.last_day}"
        )


def health_records_exist() -> bool:
    return CheckIn.objects.exists() or Case.objects.exists() or Checkpoint.objects.exists()


def seed_outbreak(
    *, seed: int = 1, days: int = 14, now: dt.datetime | None = None
) -> OutbreakResult:
    """Replay ``days`` days of an outbreak ending at ``now`` (default: now)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}")
    now = timezone.localtime(now or timezone.now())
    start = now.date() - dt.timedelta(days=days - 1)
    with transaction.atomic():
        town = load_town()
        actors = ensure_actors(town.grids)
        with clock_at(local(start)):
            set_rules(town)
            checkpoints = open_checkpoints(town, actors)
        timeline = Timeline(end=now)
        routine = Routine(
            town=town,
            actors=actors,
            timeline=timeline,
            seed=seed,
            start=start,
            days=days,
            checkpoints=checkpoints,
            reserved=set(),
        )
        story = Story(town=town, actors=actors, timeline=timeline, routine=routine, seed=seed)
        routine.schedule()
        story.schedule()
        with clock_at(local(start, 8)):
            links = issue_links(town, actors)
        timeline.run()
        testing = seed_campaign(town=town, actors=actors, seed=seed, now=now)
        demo_lab()  # the campaign's closed tubes sent to the lab account's lab and reported
        demo_volunteers(seed=seed, now=now)  # teams, posts and a week of shifts (volunteers.demo)
        demo_requests(seed=seed, now=now)  # a day of help requests in every state (assistance)
        seed_beds()  # facilities, their counts, the waiting list and today's plan half done
        demo_funds()  # funds, an allowance policy, two hospitals' rosters (one with mistakes)
    f = routine.figures
    return OutbreakResult(
        first_day=start,
        last_day=now.date(),
        check_ins=f.check_ins,
        alerts=f.alerts,
        alerts_closed=f.alerts_closed,
        escalated=f.escalated,
        cases=story.figures["cases"],
        contacts=story.figures["contacts"],
        secondary=story.figures["secondary"],
        watched_by_hand=story.figures["watched_by_hand"],
        checkpoints=len(checkpoints),
        passages=f.passages,
        turned_back=f.turned_back,
        links=links,
        testing=testing,
        by_day=f.by_day,
    )
