"""Each day of the outbreak: who reports a temperature and when, the fevers among them, the
alerts those raise and when each is closed, and the passages through the checkpoints.

Every day is planned at its midnight from what the database holds then (who is under watch,
who is in hospital, which grids had a case this week), with its own random stream, so the same
seed on the same city gives the same days. Check-ins go through the health service's batch
function, a quarter of an hour of self-reports (or a grid worker's round) at a time, so alerts
open and rules apply as they would have; passages are written in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fangkong.common.db import BulkWriter
from fangkong.health.choices import Outcome, PassageOutcome, Source, Symptom
from fangkong.health.models import Alert, Case, Checkpoint, Observation, Passage
from fangkong.health.rules import rules_for
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_close_alert,
    escalate_overdue_alerts,
    record_check_ins,
)

from .actors import Actors
from .clock import Timeline, local
from .town import Resident, Town

# When people report (self-reports in the morning and "every afternoon", as in the WeChat
# groups of the source reports): hour -> weight.
REPORT_HOURS = {7: 5, 8: 14, 9: 12, 10: 8, 11: 5, 12: 3, 13: 4, 14: 9, 15: 12, 16: 11, 17: 7}
REPORT_HOURS |= {18: 4, 19: 3, 20: 2, 21: 1}
_HOURS = list(REPORT_HOURS.items())
SLOT_MINUTES = 30
ROUNDS = ((dt.time(10, 30), 90), (dt.time(16, 30), 90))  # a grid worker's rounds: end, length
FEVER_SHARE = 0.0004  # of readings, outside the cluster (up to four times as many at its peak)
MIN_FEVERS = 2  # a day of the story has at least this many
VOLUNTARY_SHARE = 0.10  # residents who report with nobody asking them to
PRESSURE_SHARE = 0.25  # more, in a grid that had a case this week
WATCHED_SHARE = 0.95  # of each of the two readings a day of someone under watch
CLOSE_OUTCOMES = [
    (Outcome.NORMAL, 70),
    (Outcome.FEVER_CLINIC, 17),
    (Outcome.HOME_CARE, 8),
    (Outcome.UNREACHABLE, 3),
    (Outcome.WRONG_ENTRY, 2),
]
TURN_BACK = ["非本社区居民，无出入证", "无出入证", "健康码非绿码", "未佩戴口罩，劝返"]
PASSAGE_FIELDS = [
    "client_id",
    "checkpoint",
    "region_path",
    "passed_at",
    "on",
    "direction",
    "person",
    "plate",
    "temperature",
    "outcome",
    "reason",
    "operator",
]


@dataclass
class Figures:
    check_ins: int = 0
    alerts: int = 0
    alerts_closed: int = 0
    passages: int = 0
    turned_back: int = 0
    escalated: int = 0
    by_day: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def count(self, day: dt.date, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)
        row = self.by_day.setdefault(day, {})
        row[name] = row.get(name, 0) + n


def client_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weighted(rng: random.Random, pairs) -> object:
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


class Routine:
    """The days' check-ins, alerts and passages, scheduled on the timeline."""

    def __init__(
        self,
        *,
        town: Town,
        actors: Actors,
        timeline: Timeline,
        seed: int,
        start: dt.date,
        days: int,
        checkpoints: list[tuple[Checkpoint, int, int]],  # checkpoint, operator id, people a day
        reserved: set[int],
    ):
        self.town, self.actors, self.timeline = town, actors, timeline
        self.seed, self.start, self.days = seed, start, days
        self.checkpoints = checkpoints
        self.reserved = reserved  # no random fever: the story scripts theirs
        self.silent: set[int] = set()  # no readings at all (ill, in hospital)
        self.open: set[int] = set()  # alerts not closed yet: the timer has work
        self.staging = _Staging()
        self.figures = Figures()
        self.home_community = town.community.path
        self.people_at = {  # who may pass each checkpoint: the residents of its region
            c.pk: [r for r in town.residents if r.path.startswith(c.region_path)]
            for c, _o, _n in checkpoints
        }

    # --- the day's plan ----------------------------------------------------------------------
    def schedule(self) -> None:
        for k in range(self.days):
            day = self.start + dt.timedelta(days=k)
            self.timeline.at(local(day) + dt.timedelta(seconds=1), partial(self.plan_day, k))
        moment = local(self.start, 7)
        while moment <= self.timeline.end:
            self.timeline.at(moment, self.escalate)
            moment += dt.timedelta(minutes=30)
        self.timeline.at(self.timeline.end, self.escalate)

    def cluster(self, k: int) -> float:
        """How hard the cluster presses on day k: a wave peaking past the middle."""
        middle = 0.6 * (self.days - 1)
        return math.exp(-(((k - middle) / max(1.0, self.days / 4)) ** 2))

    def share(self, grid_path: str, k: int, pressed: bool) -> float:
        if grid_path.startswith(self.home_community):
            # universal reporting, taken up over the first days
            return 0.55 + 0.40 * min(1.0, k / 3)
        return VOLUNTARY_SHARE + (PRESSURE_SHARE if pressed else 0.0)

    def plan_day(self, k: int) -> None:
        day = self.start + dt.timedelta(days=k)
        rng = random.Random(f"{self.seed}:day:{k}")
        watched, away, pressed = self._state(day)
        grid_share = {
            g.pk: self.share(g.path, k, g.pk in pressed) * (0.94 + 0.06 * rng.random())
            for g in self.town.grids
        }
        readings: list[tuple[dt.datetime, Resident, bool]] = []  # (when, who, by a grid worker)
        for r in self.town.residents:
            if r.id in away or r.id in self.silent:
                continue
            by_worker = not r.phone or r.age(day) >= 75
            if r.id in watched:  # twice a day, morning and afternoon
                for hours in ((7, 11), (14, 18)):
                    if rng.random() < WATCHED_SHARE:
                        readings.append((self._when(rng, day, hours, by_worker), r, by_worker))
            elif rng.random() < grid_share[r.grid_id]:
                readings.append((self._when(rng, day, None, by_worker), r, by_worker))
        self._send_day(rng, day, k, readings)
        self._passages(rng, day, watched)

    def _state(self, day: dt.date) -> tuple[set[int], set[int], set[int]]:
        watched = set(
            Observation.objects.filter(start_on__lte=day, end_on__gte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
            .values_list("person_id", flat=True)
        )
        away = set(  # in hospital: reported before today and not closed
            Case.objects.filter(report_on__lt=day)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
            .values_list("person_id", flat=True)
        )
        week = Case.objects.filter(report_on__gte=day - dt.timedelta(days=7), report_on__lt=day)
        paths = list(week.values_list("region_path", flat=True))
        pressed = {g.pk for g in self.town.grids if any(p.startswith(g.path) for p in paths)}
        return watched, away, pressed

    def _when(self, rng, day, hours, by_worker) -> dt.datetime:
        if by_worker:  # measured during the worker's round (the morning's, or the afternoon's)
            afternoon = hours == (14, 18) or (hours is None and rng.random() < 0.4)
            end, length = ROUNDS[1] if afternoon else ROUNDS[0]
            start = local(day, end.hour, end.minute) - dt.timedelta(minutes=length)
            return start + dt.timedelta(seconds=int(rng.random() * length * 60))
        if hours is None:
            hour = _weighted(rng, _HOURS)
        else:
            hour = hours[0] + int(rng.random() * (hours[1] - hours[0]))
        return local(day, hour) + dt.timedelta(seconds=int(rng.random() * 3600))

    def _reading(self, rng, when, r: Resident, fever: bool) -> CheckInData:
        symptoms: list[str] = []
        if fever:
            t = 37.3 + rng.random() * 1.6
            if rng.random() < 0.4:
                symptoms.append(_weighted(rng, [(Symptom.COUGH, 3), (Symptom.FATIGUE, 2)]))
        else:
            t = min(37.2, max(35.9, rng.gauss(36.5, 0.22)))
            if rng.random() < 0.003:
                symptoms.append(Symptom.COUGH)
        return CheckInData(
            client_id=client_id(rng),
            person_id=r.id,
            temperature=f"{t:.1f}",
            measured_at=when,
            symptoms=symptoms,
            source=Source.SELF,
        )

    def _send_day(self, rng, day, k, readings) -> None:
        readings.sort(key=lambda x: (x[0], x[1].id))
        share = FEVER_SHARE * (1 + 3 * self.cluster(k))
        may = [i for i, (_w, r, _b) in enumerate(readings) if r.id not in self.reserved]
        fevers = {i for i in may if rng.random() < share}
        while may and len(fevers) < min(MIN_FEVERS, len(may)):
            fevers.add(may[int(rng.random() * len(may))])
        slots: dict[dt.datetime, list[CheckInData]] = {}
        rounds: dict[tuple[dt.datetime, int], list[CheckInData]] = {}
        for i, (when, r, by_worker) in enumerate(readings):
            item = self._reading(rng, when, r, i in fevers)
            if by_worker:
                ends = (local(day, e.hour, e.minute) for e, _n in ROUNDS)
                end = next(e for e in ends if when <= e)
                rounds.setdefault((end, r.grid_id), []).append(
                    CheckInData(**{**item.__dict__, "source": Source.GRID_WORKER})
                )
            else:
                minute = (when.minute // SLOT_MINUTES + 1) * SLOT_MINUTES
                end = when.replace(minute=0, second=0) + dt.timedelta(minutes=minute)
                slots.setdefault(end, []).append(item)
        for end, items in slots.items():
            self.timeline.at(end, partial(self.send, items, None))
        for (end, grid_id), items in rounds.items():
            self.timeline.at(end, partial(self.send, items, self.actors.worker_of(grid_id)))

    # --- check-ins and their alerts ----------------------------------------------------------
    def send(self, items: list[CheckInData], worker, *, close: bool = True) -> list[Alert]:
        """Record check-ins that arrive now (a batch or a grid worker's round); plan when each
        new alert is closed. The alerts opened."""
        now = self.timeline_now()
        persons = {i.person_id: self.town.by_id[i.person_id].path for i in items}
        opened: list[Alert] = []
        for first in range(0, len(items), 1000):
            result = record_check_ins(
                items=items[first : first + 1000], persons=persons, recorded_by=worker
            )
            self.staging.empty()
            if result.rejected:
                raise ValueError(f"the outbreak's check-ins were refused: {result.rejected[:3]}")
            self.figures.count(now.date(), "check_ins", result.created)
            if result.alerts:
                opened += Alert.objects.filter(
                    opened_at=now, person_id__in=result.alerts, closed_at__isnull=True
                ).order_by("person_id")
        self.figures.count(now.date(), "alerts", len(opened))
        self.open.update(a.pk for a in opened)
        if close:
            for alert in opened:
                self._plan_close(alert)
        return opened

    def timeline_now(self) -> dt.datetime:
        return timezone.localtime()  # the event's moment (see clock.py)

    def _plan_close(self, alert: Alert, outcome: str | None = None) -> None:
        rng = random.Random(f"{self.seed}:alert:{alert.person_id}:{alert.opened_at.isoformat()}")
        minutes = rules_for(alert.region_path).alert_minutes
        x = rng.random()
        if x < 0.72:  # within the deadline
            after = minutes * (0.07 + 0.85 * rng.random())
        elif x < 0.92:  # late: it went up to the community first
            after = minutes * (1.1 + 1.4 * rng.random())
        else:  # much later, from the street's queue
            after = minutes * (3 + 4 * rng.random())
        outcome = outcome or str(_weighted(rng, CLOSE_OUTCOMES))
        when = alert.opened_at + dt.timedelta(minutes=after)
        self.timeline.at(when, partial(self.close, alert, outcome))

    def close(self, alert: Alert, outcome: str) -> None:
        worker = self.actors.worker_of(self.town.by_id[alert.person_id].grid_id)
        try:
            check_close_alert(
                user=worker, scope=self.actors.scope(worker), alert=alert, outcome=outcome
            )
        except CheckInInvalid:  # closed already (a scripted close came first)
            return
        self.open.discard(alert.pk)
        self.figures.count(self.timeline_now().date(), "alerts_closed")

    def escalate(self) -> None:
        if not self.open:
            return
        now = self.timeline_now()
        moved = escalate_overdue_alerts(now=now)
        if moved:
            self.figures.count(now.date(), "escalated", moved)

    # --- checkpoints -------------------------------------------------------------------------
    def _passages(self, rng, day: dt.date, watched: set[int]) -> None:
        writer = BulkWriter(Passage, PASSAGE_FIELDS)
        postgres = connection.vendor == "postgresql"
        for checkpoint, operator_id, per_day in self.checkpoints:
            people = self.people_at[checkpoint.pk]
            n = int(per_day * (0.85 + 0.3 * rng.random()))
            rows = [
                self._passage(rng, day, checkpoint, operator_id, people, watched) for _ in range(n)
            ]
            if rows and not any(row[9] == PassageOutcome.TURNED_BACK for row in rows):
                first = list(rows[0])
                first[9], first[10] = PassageOutcome.TURNED_BACK, TURN_BACK[0]
                rows[0] = tuple(first)
            for row in rows:
                if row[3] > self.timeline.end:
                    continue
                writer.rows.append((row[0] if postgres else row[0].hex, *row[1:]))
                self.figures.count(day, "passages")
                if row[9] == PassageOutcome.TURNED_BACK:
                    self.figures.count(day, "turned_back")
        writer.flush()

    def _passage(self, rng, day, checkpoint, operator_id, people, watched) -> tuple:
        passed_at = _open_moment(rng, day, checkpoint)
        direction = "in" if rng.random() < 0.5 else "out"
        person = None
        plate = ""
        if people and rng.random() < 0.7:
            person = people[int(rng.random() * len(people))]
        else:
            plate = f"湘A{rng.randrange(10000, 99999)}" if rng.random() < 0.6 else ""
        t = None
        if rng.random() < 0.9:
            t = round(min(37.2, max(35.9, rng.gauss(36.4, 0.25))), 1)
        outcome, reason = PassageOutcome.ALLOWED, ""
        if t is not None and rng.random() < 0.002:
            t = round(37.4 + rng.random(), 1)
            outcome, reason = PassageOutcome.TURNED_BACK, "体温异常，已联系社区医生"
        elif person is not None and person.id in watched and direction == "out":
            outcome, reason = PassageOutcome.TURNED_BACK, "观察期内不得外出"
        elif rng.random() < 0.04:
            outcome, reason = PassageOutcome.TURNED_BACK, TURN_BACK[int(rng.random() * 4)]
        return (
            client_id(rng),
            checkpoint.pk,
            checkpoint.region_path,
            passed_at,
            day,
            direction,
            person.id if person else None,
            plate,
            None if t is None else f"{t:.1f}",
            outcome,
            reason,
            operator_id,
        )


class _Staging:
    """On PostgreSQL a large batch is staged by record_check_ins in a temporary table emptied
    at commit (ON COMMIT DELETE ROWS); the whole replay is one transaction, so without emptying
    it each batch would read all the earlier ones again (two weeks: minutes, not seconds)."""

    exists = False

    def empty(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if not self.exists:
                cursor.execute("SELECT to_regclass('pg_temp.checkin_batch') IS NOT NULL")
                self.exists = bool(cursor.fetchone()[0])
            if self.exists:
                cursor.execute("DELETE FROM pg_temp.checkin_batch")


def _open_moment(rng: random.Random, day: dt.date, checkpoint: Checkpoint) -> dt.datetime:
    """A moment of ``day`` when the checkpoint is staffed (past midnight for an overnight one)."""
    opens = checkpoint.opens_at.hour * 60 + checkpoint.opens_at.minute
    closes = checkpoint.closes_at.hour * 60 + checkpoint.closes_at.minute
    if not checkpoint.overnight:
        spans = [(opens, closes)]
    elif opens == closes:
        spans = [(0, 24 * 60)]
    else:
        spans = [(0, closes), (opens, 24 * 60)]
    total = sum(b - a for a, b in spans)
    x = rng.random() * total
    for a, b in spans:
        if x < b - a:
            return local(day) + dt.timedelta(minutes=a + x)
        x -= b - a
    return local(day) + dt.timedelta(minutes=spans[-1][1] - 1)
