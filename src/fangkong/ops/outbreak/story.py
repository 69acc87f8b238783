"""The outbreak's plot: a returnee falls ill in the demo grid, their household and neighbours
are traced, some of those fall ill in turn, the cluster reaches the next grid, another
community and a village; returnees are put under watch as they arrive; and at the moment the
demo starts a few alerts are waiting — one fresh in the demo grid, one already at the
community, one at the street.

Cases, contacts and periods are few: they go through the health services one by one (which tag
the contacts and start their periods by the region's rule), each at its moment on the clock.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import partial

from django.utils import timezone

from fangkong.health.choices import CaseClass, ContactKind, ObservationKind, Outcome
from fangkong.health.models import Contact, Observation
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_add_contact,
    check_close_case,
    check_end_observation,
    check_report_case,
    check_start_observation,
)
from fangkong.people.choices import TagKind
from fangkong.people.models import Person, PersonTag

from .clock import Timeline, local
from .daily import Routine, client_id
from .town import Resident, Town


@dataclass(frozen=True)
class CaseSpec:
    at: float  # when it is reported, as a share of the story (0 the first day, 1 today)
    area: str  # home, near, far or village (town.areas)
    classification: str
    source: int | None  # None: someone new; else a close contact of that case becomes one
    household: bool  # their household are close contacts
    neighbours: int  # close contacts from other households of their building (or grid)
    elsewhere: int  # close contacts from another grid (a workplace, a market)
    secondary: int  # close contacts whose own households become secondary contacts
    closes: float | None = None  # closed (recovered, discharged) at this share


STORY = [
    CaseSpec(0.15, "home", CaseClass.CONFIRMED, None, True, 3, 1, 2, closes=0.93),
    CaseSpec(0.35, "home", CaseClass.CONFIRMED, 0, True, 0, 0, 0),
    CaseSpec(0.5, "home", CaseClass.ASYMPTOMATIC, 0, True, 1, 0, 1),
    CaseSpec(0.6, "near", CaseClass.CONFIRMED, None, True, 2, 1, 2),
    CaseSpec(0.75, "far", CaseClass.CONFIRMED, None, True, 2, 0, 1),
    CaseSpec(0.92, "village", CaseClass.SUSPECTED, None, True, 0, 0, 0),
    CaseSpec(1.0, "near", CaseClass.ASYMPTOMATIC, 3, False, 1, 0, 0),
]
HOSPITAL = "确诊，转定点医院"
RECOVERED = "治愈出院"


class Story:
    def __init__(self, *, town: Town, actors, timeline: Timeline, routine: Routine, seed: int):
        self.town, self.actors, self.timeline, self.routine = town, actors, timeline, routine
        self.start, self.days = routine.start, routine.days
        self.rng = random.Random(f"{seed}:story")
        self.cases: dict[int, object] = {}  # spec index -> Case
        self.involved: set[int] = set()  # cases and contacts: nobody is picked twice
        self.reserved = routine.reserved
        self.figures = {"cases": 0, "contacts": 0, "secondary": 0, "watched_by_hand": 0}

    def day(self, share: float) -> dt.date:
        return self.start + dt.timedelta(days=round(share * (self.days - 1)))

    # --- the plot ----------------------------------------------------------------------------
    def schedule(self) -> None:
        self._returnees()
        end = self.timeline.end
        for i, spec in enumerate(STORY):
            report_on = self.day(spec.at)
            report_at = local(report_on, 11, int(self.rng.random() * 50))
            if report_on == end.date():  # today's case: reported a little before now
                report_at = max(local(report_on, 0, 30), end - dt.timedelta(hours=2))
            onset_at = report_at - dt.timedelta(hours=26)
            if onset_at < local(self.start, 8):
                onset_at = local(self.start, 8)
            self.timeline.at(onset_at, partial(self.fall_ill, i, report_at))
            if spec.closes is not None:
                closes_at = local(self.day(spec.closes), 15)
                if closes_at > report_at:
                    self.timeline.at(closes_at, partial(self.discharge, i))
        self._present_alerts()

    def fall_ill(self, i: int, report_at: dt.datetime) -> None:
        """The onset: the person (chosen now) reports a fever; the grid worker sends them to
        the fever clinic; the case is reported the next day."""
        spec = STORY[i]
        person = self._pick_case(spec)
        if person is None:
            return
        self.involved.add(person.id)
        self.reserved.add(person.id)
        self.routine.silent.add(person.id)  # ill: no more daily readings
        reading = CheckInData(
            client_id=client_id(self.rng),
            person_id=person.id,
            temperature=f"{38.0 + self.rng.random():.1f}",
            measured_at=timezone.now(),
            symptoms=["cough", "fatigue"],
        )
        for alert in self.routine.send([reading], None, close=False):
            closes_at = alert.opened_at + dt.timedelta(minutes=25 + int(self.rng.random() * 60))
            self.timeline.at(closes_at, partial(self.routine.close, alert, Outcome.FEVER_CLINIC))
        # never before the onset (a short story squeezes both into its first day)
        report_at = max(report_at, timezone.now() + dt.timedelta(hours=1))
        self.timeline.at(report_at, partial(self.report, i, person))

    def report(self, i: int, person: Resident) -> None:
        spec = STORY[i]
        reporter = self._reporter(person)
        scope = self.actors.scope(reporter)
        today = timezone.localdate()
        db_person = Person.objects.get(pk=person.id)
        worker = self.actors.worker_of(person.grid_id)
        # the period running and any to follow it ("7 + 7"): the case goes to hospital
        for o in Observation.objects.filter(
            person_id=person.id, ended_on__isnull=True, end_on__gte=today
        ).order_by("start_on"):
            check_end_observation(
                user=worker, scope=self.actors.scope(worker), observation=o, reason=HOSPITAL
            )
        case = check_report_case(
            user=reporter,
            scope=scope,
            person=db_person,
            classification=spec.classification,
            report_on=today,
            onset_on=today - dt.timedelta(days=1),
        )
        self.cases[i] = case
        self.figures["cases"] += 1
        contacts = []
        for contact in self._close_contacts(spec, person):
            exposed = today - dt.timedelta(days=int(self.rng.random() * 3))
            made, _periods = check_add_contact(
                user=reporter,
                scope=scope,
                case=case,
                person=Person.objects.get(pk=contact.id),
                kind=ContactKind.CLOSE,
                last_exposure_on=exposed,
            )
            self.figures["contacts"] += 1
            if contact.household_id != person.household_id:
                contacts.append((made, contact))
        for made, contact in contacts[: spec.secondary]:
            self._secondary(reporter, case, made, contact)

    def _secondary(self, reporter, case, via: Contact, contact: Resident) -> None:
        """The household of a close contact (met at home after the exposure)."""
        for member in self.town.by_household.get(contact.household_id or -1, []):
            if member.id == contact.id or member.id in self.involved | self.reserved:
                continue
            self.involved.add(member.id)
            check_add_contact(
                user=reporter,
                scope=self.actors.scope(reporter),
                case=case,
                person=Person.objects.get(pk=member.id),
                kind=ContactKind.SECONDARY,
                last_exposure_on=timezone.localdate(),
                via=via,
            )
            self.figures["secondary"] += 1

    def discharge(self, i: int) -> None:
        case = self.cases.get(i)
        if case is not None:
            reporter = self._reporter(self.town.by_id[case.person_id])  # type: ignore[attr-defined]
            check_close_case(
                user=reporter, scope=self.actors.scope(reporter), case=case, reason=RECOVERED
            )

    # --- who -------------------------------------------------------------------------------
    def _reporter(self, person: Resident):
        """The account that reports a case where the person lives: their community's staff,
        else the street's, the district's, headquarters."""
        for name in ("community", "street", "district", "hq"):
            user = self.actors[name]
            if user.scope_region is not None and person.path.startswith(user.scope_region.path):
                return user
        return self.actors["hq"]

    def _free(self, people) -> list[Resident]:
        return [p for p in people if p.id not in self.involved and p.id not in self.reserved]

    def _pick_case(self, spec: CaseSpec) -> Resident | None:
        if spec.source is not None:
            source = self.cases.get(spec.source)
            if source is not None:
                ids = Contact.objects.filter(case=source, kind=ContactKind.CLOSE).order_by("id")
                candidates = [
                    self.town.by_id[pid]
                    for pid in ids.values_list("person_id", flat=True)
                    if pid not in self.reserved
                ]
                if candidates:
                    return candidates[int(self.rng.random() * len(candidates))]
        grids = self.town.areas[spec.area]
        adults = [
            r
            for g in grids
            for r in self._free(self.town.by_grid.get(g.pk, []))
            if 20 <= r.age(self.start) <= 70 and r.household_id is not None
        ]
        if spec is STORY[0]:  # the first case came back from elsewhere
            returnees = set(
                PersonTag.objects.filter(
                    kind=TagKind.RETURNEE, person_id__in=[r.id for r in adults]
                ).values_list("person_id", flat=True)
            )
            adults = [r for r in adults if r.id in returnees] or adults
        return adults[int(self.rng.random() * len(adults))] if adults else None

    def _close_contacts(self, spec: CaseSpec, person: Resident) -> list[Resident]:
        picked: list[Resident] = []
        if spec.household:
            picked += [
                m
                for m in self.town.by_household.get(person.household_id or -1, [])
                if m.id != person.id and m.id not in self.reserved
            ]
        pool = self.town.by_building.get(person.building_id or -1) or self.town.by_grid.get(
            person.grid_id, []
        )
        neighbours = [r for r in self._free(pool) if r.household_id != person.household_id]
        picked += self.rng.sample(neighbours, min(spec.neighbours, len(neighbours)))
        others = [
            r
            for g in self.town.areas["far"]
            if g.pk != person.grid_id
            for r in self._free(self.town.by_grid.get(g.pk, []))
        ]
        picked += self.rng.sample(others, min(spec.elsewhere, len(others)))
        self.involved.update(p.id for p in picked)
        return picked

    # --- watched by hand, and the alerts waiting now -----------------------------------------
    def _returnees(self) -> None:
        """Returnees of the demo's street are put under home observation (the region's
        period) on the day they came back, by their grid worker."""
        first = self.start - dt.timedelta(days=10)
        tags = PersonTag.objects.filter(
            kind=TagKind.RETURNEE,
            region_path__startswith=self.town.street.path,
            event_on__gte=first,
            event_on__lte=self.timeline.end.date(),
        ).order_by("person_id")
        for person_id, place, event_on in tags.values_list("person_id", "place", "event_on"):
            at = local(max(event_on, self.start), 9) + dt.timedelta(minutes=person_id % 300)
            self.timeline.at(at, partial(self.watch_returnee, person_id, place, event_on))

    def watch_returnee(self, person_id: int, place: str, event_on: dt.date) -> None:
        resident = self.town.by_id[person_id]
        if person_id in self.involved:
            return
        worker = self.actors.worker_of(resident.grid_id)
        try:
            check_start_observation(
                user=worker,
                scope=self.actors.scope(worker),
                person=Person.objects.get(pk=person_id),
                kind=ObservationKind.HOME_OBSERVATION,
                reason=f"自{place}返回" if place else "返乡人员",
                start_on=event_on,
            )
        except CheckInInvalid:  # already under watch (a contact, say)
            return
        self.figures["watched_by_hand"] += 1

    def _present_alerts(self) -> None:
        """Fevers reported a little before now that nobody has closed yet: one in the demo
        grid within its deadline, one overdue at the community, one at the street."""
        end = self.timeline.end
        for area, ago in (("home", 25), ("near", 200), ("far", 330)):
            people = [
                r
                for g in self.town.areas[area]
                for r in self._free(self.town.by_grid.get(g.pk, []))
                if r.phone and r.age(self.start) < 75
            ]
            if not people:
                continue
            person = people[int(self.rng.random() * len(people))]
            self.reserved.add(person.id)
            reading = CheckInData(
                client_id=client_id(self.rng),
                person_id=person.id,
                temperature=f"{37.6 + self.rng.random():.1f}",
                measured_at=end - dt.timedelta(minutes=ago + 5),
            )
            at = max(end - dt.timedelta(minutes=ago), local(self.start))
            self.timeline.at(at, partial(self.routine.send, [reading], None, close=False))
