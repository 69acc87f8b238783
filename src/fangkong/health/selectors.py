"""Reads of health monitoring for screens and the API; every function takes the scope first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.idnumbers import normalise
from fangkong.people.models import Person
from fangkong.regions.models import Building, Household, Region

from .choices import ObservationKind, PassageOutcome
from .figures import DAY_FIGURES_SECONDS, figures_key
from .models import (
    Alert,
    BuildingLink,
    Case,
    CheckIn,
    Checkpoint,
    Contact,
    GridDay,
    Observation,
    Passage,
)
from .rules import everyone_reports, set_where


def _get(scope: Scope, qs: QuerySet, cap: Cap | None, **lookup):
    return scope.get_or_404(qs, cap=cap, **lookup)


def person_or_404(scope: Scope, pk: int) -> Person:
    return _get(scope, Person.objects.select_related("household__building"), Cap.HEALTH_VIEW, pk=pk)


def alert_or_404(scope: Scope, pk: int) -> Alert:
    return _get(scope, Alert.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def observation_or_404(scope: Scope, pk: int) -> Observation:
    return _get(scope, Observation.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def case_or_404(scope: Scope, pk: int) -> Case:
    return _get(scope, Case.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def contact_or_404(scope: Scope, pk: int) -> Contact:
    return _get(scope, Contact.objects.select_related("person"), Cap.HEALTH_VIEW, pk=pk)


def require_checkpoints(scope: Scope) -> None:
    """Checkpoints are for those who staff them and those who read the figures."""
    if not (scope.can(Cap.CHECKPOINT) or scope.can(Cap.HEALTH_VIEW)):
        raise PermissionDenied


def checkpoint_or_404(scope: Scope, pk: int) -> Checkpoint:
    require_checkpoints(scope)
    return scope.get_or_404(Checkpoint.objects.select_related("region"), cap=None, pk=pk)


def building_or_404(scope: Scope, pk: int) -> Building:
    return _get(scope, Building.objects.select_related("grid"), Cap.HEALTH_RECORD, pk=pk)


def household_or_404(scope: Scope, pk: int) -> Household:
    return _get(scope, Household.objects.select_related("building"), Cap.HEALTH_RECORD, pk=pk)


def live_link(scope: Scope, building: Building) -> BuildingLink | None:
    return scope.filter(
        BuildingLink.objects.filter(building=building, revoked_at__isnull=True)
    ).first()


def open_alerts(scope: Scope, region: Region) -> list[Alert]:
    """Open alerts, the escalated and the most overdue first."""
    scope.require(Cap.HEALTH_VIEW)
    level_order = {"street": 0, "community": 1, "grid": 2}
    qs = scope.filter(
        Alert.objects.filter(closed_at__isnull=True, region_path__startswith=region.path)
    ).select_related("person", "person__household__building")
    return sorted(qs, key=lambda a: (level_order[a.level], a.deadline_at))


def watched_on(scope: Scope, region: Region, day: dt.date) -> QuerySet[Observation]:
    """Observation periods running on ``day`` in the region."""
    return scope.filter(
        Observation.objects.filter(
            region_path__startswith=region.path, start_on__lte=day, end_on__gte=day
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    )


def missing_today(scope: Scope, grid: Region, day: dt.date | None = None) -> list[Person]:
    """Who has not checked in on ``day``: everyone under watch, or every resident of the grid
    when the region has universal reporting; a call list, by building and door."""
    scope.require(Cap.HEALTH_VIEW)
    day = day or timezone.localdate()
    return _missing(scope, grid, day, everyone_reports([grid.path])[grid.path])


def _missing(scope: Scope, grid: Region, day: dt.date, everyone: bool) -> list[Person]:
    reported = CheckIn.objects.filter(on=day, region_path__startswith=grid.path).values("person_id")
    return list(
        _due(scope, grid, day, everyone)
        .exclude(id__in=reported)
        .select_related("household__building")
        .order_by("household__building__name", "household__unit", "household__door", "id")
    )


def _due(scope: Scope, grid: Region, day: dt.date, everyone: bool) -> QuerySet[Person]:
    people = scope.filter(Person.objects.filter(region_path__startswith=grid.path))
    if everyone:
        return people
    return people.filter(id__in=watched_on(scope, grid, day).values("person_id"))


@dataclass
class MissingList:
    """A grid's call list with what it is drawn from: who must report under which rule."""

    people: list[Person]
    due: int  # people who must report today; ``people`` are those of them not yet reported
    universal: bool  # every resident must report (else only people under watch)
    rule_region: Region | None  # whose rule that is; None: the default


def missing_list(scope: Scope, grid: Region, day: dt.date | None = None) -> MissingList:
    scope.require(Cap.HEALTH_VIEW)
    day = day or timezone.localdate()
    value, rule = set_where(grid.path, "universal_reporting")
    everyone = bool(value)
    return MissingList(
        _missing(scope, grid, day, everyone),
        _due(scope, grid, day, everyone).count(),
        everyone,
        rule.region if rule else None,
    )


# Whom a region's "due to report" share counts; a region whose parts follow different rules
# counts each part by its own.
WATCHED, RESIDENTS, MIXED = "watched", "residents", "mixed"


@dataclass
class DayFigures:
    """A region's figures of a day. Each share has its numerator inside its denominator:
    ``expected_reported`` are those of the ``expected`` (due to report under the rule, see
    ``due_among``) who reported; ``reported`` and ``check_ins`` count everyone who reported,
    whoever they are, and are counts, never a share of anything."""

    expected: int = 0  # people due to report (under watch, or every resident: ``due_among``)
    expected_reported: int = 0  # of them, those who reported that day
    due_among: str = ""  # WATCHED, RESIDENTS or MIXED
    reported: int = 0  # people who reported that day, due or not
    check_ins: int = 0  # readings that day (a person may report twice)
    residents: int = 0  # people registered in the region
    alerts_open: int = 0
    alerts_closed: int = 0
    watched: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    contacts: int = 0
    passages: int = 0
    turned_back: int = 0

    @property
    def coverage(self) -> float | None:
        return None if not self.expected else self.expected_reported / self.expected

    @property
    def due_share(self) -> int | None:
        """Percent of those due who reported, rounded down: 100 only when all have."""
        return None if not self.expected else 100 * self.expected_reported // self.expected

    @property
    def watched_total(self) -> int:
        return sum(self.watched.values())

    def add(self, other: DayFigures) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.watched.items():
            self.watched[kind] = self.watched.get(kind, 0) + n
        if other.due_among and other.due_among != self.due_among:
            self.due_among = other.due_among if not self.due_among else MIXED


_SUMMED = (
    "expected",
    "expected_reported",
    "reported",
    "check_ins",
    "residents",
    "alerts_open",
    "alerts_closed",
    "cases",
    "contacts",
    "passages",
    "turned_back",
)


def _among(everyone: bool) -> str:
    return RESIDENTS if everyone else WATCHED


@dataclass
class CheckInFigures:
    """A region's check-ins of a day, summed from the grids' counters (``GridDay``)."""

    check_ins: int = 0
    persons: int = 0  # distinct persons who reported (a person counts once per grid)
    fevers: int = 0  # readings at or above the region's fever threshold

    def add(self, check_ins: int, persons: int, fevers: int) -> None:
        self.check_ins += check_ins
        self.persons += persons
        self.fevers += fevers


def _grid_days(region: Region, day: dt.date):
    return (
        GridDay.objects.filter(on=day, region_path__startswith=region.path)
        .values_list("region_path", "check_ins", "persons", "fevers")
        .order_by()
    )


def daily_figures(scope: Scope, region: Region, day: dt.date) -> CheckInFigures:
    """The region's check-ins, persons who reported and fevers on ``day``: a sum over its
    grids' counters, never a scan of the check-ins."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    total = CheckInFigures()
    for _path, *figures in _grid_days(region, day):
        total.add(*figures)
    return total


def daily_figures_by_child(
    scope: Scope, region: Region, day: dt.date
) -> list[tuple[Region, CheckInFigures]]:
    """``daily_figures`` for each region one level down (those in the scope), in code order:
    the grids' counters summed by the child their path lies under."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    by_child = {c.path: CheckInFigures() for c in children}
    segments = region.depth + 2
    for path, *figures in _grid_days(region, day):
        child = by_child.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(*figures)
    return [(c, by_child[c.path]) for c in children]


@dataclass
class StaffView:
    region: Region
    day: dt.date
    total: DayFigures
    children: list[tuple[Region, DayFigures]]
    counted_at: dt.datetime


def _by_path(rows, target: dict[str, DayFigures], name: str) -> None:
    for path, n in rows:
        setattr(target[path], name, getattr(target[path], name) + n)


def staff_view(scope: Scope, region: Region, day: dt.date) -> StaffView:
    """The day's figures for a region and each region below it: who was due to report and how
    many of them did, check-ins, residents, alerts, people under watch by kind, new cases and
    contacts, checkpoint passages and turn-backs."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    # Everything under a region the user may see is inside their scope, so one count serves
    # every user who reaches this region; a write under it makes a new key (figures.py).
    counted_at, by = cache.get_or_set(
        figures_key(region.path, day),
        lambda: (timezone.now(), _figures_by_path(scope, region, day)),
        DAY_FIGURES_SECONDS,
    )
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    everyone = everyone_reports([region.path, *(c.path for c in children)])
    child_figures = {c.path: DayFigures(due_among=_among(everyone[c.path])) for c in children}
    total = DayFigures(due_among=_among(everyone[region.path]))
    segments = region.depth + 2
    for path, figures in by.items():
        total.add(figures)
        child = child_figures.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(figures)
    return StaffView(region, day, total, [(c, child_figures[c.path]) for c in children], counted_at)


def _figures_by_path(scope: Scope, region: Region, day: dt.date) -> dict[str, DayFigures]:
    inside = {"region_path__startswith": region.path}
    by: dict[str, DayFigures] = defaultdict(DayFigures)

    def grouped(qs, **annotate):
        return qs.filter(**inside).values("region_path").annotate(**annotate).order_by()

    for path, check_ins, persons, _fevers in _grid_days(region, day):  # the grids' counters
        by[path].check_ins += check_ins
        by[path].reported += persons
    _watched(scope, region, day, by)
    for row in grouped(
        Alert.objects.filter(opened_at__date__lte=day),
        open=Count("id", filter=Q(closed_at__isnull=True)),
        closed=Count("id", filter=Q(closed_at__date=day)),
    ):
        by[row["region_path"]].alerts_open += row["open"]
        by[row["region_path"]].alerts_closed += row["closed"]
    _by_path(
        (
            (r["region_path"], r["n"])
            for r in grouped(Case.objects.filter(report_on=day), n=Count("id"))
        ),
        by,
        "cases",
    )
    _by_path(
        (
            (r["region_path"], r["n"])
            for r in grouped(Contact.objects.filter(created_at__date=day), n=Count("id"))
        ),
        by,
        "contacts",
    )
    for row in grouped(
        Passage.objects.filter(on=day),
        n=Count("id"),
        back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)),
    ):
        by[row["region_path"]].passages += row["n"]
        by[row["region_path"]].turned_back += row["back"]
    _expected(scope, region, day, by)
    return dict(by)


def _watched(scope: Scope, region: Region, day: dt.date, by: dict[str, DayFigures]) -> None:
    """People under watch by kind; each period is due to report, and counted reported when
    its person checked in that day: the numerator is a subset of the denominator's own rows,
    whoever else reported."""
    reported = CheckIn.objects.filter(person_id=OuterRef("person_id"), on=day)
    rows = (
        watched_on(scope, region, day)
        .values("region_path", "kind")
        .annotate(n=Count("id"), done=Count("id", filter=Q(Exists(reported))))
        .order_by()
    )
    for row in rows:
        f = by[row["region_path"]]
        f.watched[row["kind"]] = f.watched.get(row["kind"], 0) + row["n"]
        f.expected += row["n"]
        f.expected_reported += row["done"]


def _expected(scope: Scope, region: Region, day: dt.date, by: dict[str, DayFigures]) -> None:
    """Residents per path; who was due: those under watch (counted by ``_watched``), or every
    resident where the path's rule says all report."""
    residents = (
        scope.filter(Person.objects.filter(region_path__startswith=region.path))
        .values("region_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in residents:
        by[row["region_path"]].residents = row["n"]
    everyone = everyone_reports(by)
    universal = [p for p in by if everyone[p]]
    for path in by:
        by[path].due_among = RESIDENTS if path in universal else WATCHED
    if not universal:
        return
    # the residents of a path who reported that day (their check-ins are where they live)
    reported = (
        CheckIn.objects.filter(
            on=day,
            region_path__startswith=region.path,
            person__region_path__startswith=region.path,
        )
        .values("person__region_path")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    done = {r["person__region_path"]: r["n"] for r in reported}
    for path in universal:
        by[path].expected = by[path].residents
        by[path].expected_reported = done.get(path, 0)


def watched_list(
    scope: Scope, region: Region, day: dt.date, kind: str = ""
) -> QuerySet[Observation]:
    """The people behind a "under watch" figure."""
    scope.require(Cap.HEALTH_VIEW)
    qs = watched_on(scope, region, day).select_related("person")
    if kind in ObservationKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("end_on", "id")


def checked_in_list(scope: Scope, region: Region, day: dt.date) -> QuerySet[CheckIn]:
    scope.require(Cap.HEALTH_VIEW)
    return (
        scope.filter(CheckIn.objects.filter(on=day, region_path__startswith=region.path))
        .select_related("person")
        .order_by("-measured_at")[:500]
    )


def cases_in(scope: Scope, region: Region) -> QuerySet[Case]:
    scope.require(Cap.HEALTH_VIEW)
    return (
        scope.filter(Case.objects.filter(region_path__startswith=region.path))
        .select_related("person")
        .order_by("-report_on", "-id")
    )


@dataclass(frozen=True)
class Linked:
    """A person reached through a record in scope (a case's contact, a contact's case), as the
    viewer may see them: inside their scope by name with the id to link to; outside it only
    as "a contact in another area" — no name, no id, no link."""

    name: str
    pk: int | None  # the person (or case) to link to; None outside the scope


CONTACT_ELSEWHERE = _("a contact in another area")
CASE_ELSEWHERE = _("a case in another area")


def linked(
    scope: Scope, person: Person, elsewhere: str, *, pk: int | None = None, path: str = ""
) -> Linked:
    """The one way a linked person is shown: ``pk`` (default the person's) is given only when
    the person, and the record at ``path`` if given, are inside the scope."""
    if scope.contains(person.region_path) and (not path or scope.contains(path)):
        return Linked(person.name, pk if pk is not None else person.pk)
    return Linked(str(elsewhere), None)


@dataclass(frozen=True)
class CaseContact:
    contact: Contact
    person: Linked
    via: Linked | None


def case_contacts(scope: Scope, case: Case) -> list[CaseContact]:
    """A case's contacts, each as the viewer may see them (some may live in other areas)."""
    scope.require(Cap.HEALTH_VIEW)
    contacts = case.contacts.select_related("person", "via__person").order_by("id")
    return [
        CaseContact(
            c,
            linked(scope, c.person, CONTACT_ELSEWHERE),
            linked(scope, c.via.person, CONTACT_ELSEWHERE) if c.via else None,
        )
        for c in contacts
    ]


def contact_of(scope: Scope, person: Person) -> list[tuple[Contact, Linked]]:
    """The cases a person is a contact of; a case outside the viewer's scope has no name."""
    scope.require(Cap.HEALTH_VIEW)
    return [
        (c, linked(scope, c.case.person, CASE_ELSEWHERE, pk=c.case_id, path=c.case.region_path))
        for c in person.contacts.select_related("case__person").order_by("-last_exposure_on")
    ]


def cases_of(scope: Scope, person: Person) -> list[tuple[Case, bool]]:
    """A person's own cases, newest first, each with whether the viewer may open its page (a
    case stays where it was reported, which may be outside the scope after a move)."""
    scope.require(Cap.HEALTH_VIEW)
    return [
        (c, scope.contains(c.region_path))
        for c in person.cases.order_by(F("closed_on").desc(nulls_first=True), "-report_on", "-id")
    ]


@dataclass
class ChainNode:
    """A case with its contacts; a contact who became a case carries that case's node."""

    case: Case
    shown: Linked
    contacts: list[tuple[Contact, Linked, ChainNode | None, list[tuple[Contact, Linked]]]] = field(
        default_factory=list
    )


def transmission_chains(scope: Scope, region: Region) -> list[ChainNode]:
    """Cases and contacts of a region as trees: case → close contacts (→ their secondary
    contacts); a contact later reported as a case continues the chain under it. A contact in
    another area is shown without a name."""
    cases = list(cases_in(scope, region))
    contacts = list(Contact.objects.filter(case__in=cases).select_related("person").order_by("id"))
    case_of_person = {c.person_id: c for c in cases}
    nodes = {c.pk: ChainNode(c, linked(scope, c.person, CASE_ELSEWHERE, pk=c.pk)) for c in cases}
    secondary: dict[int, list[tuple[Contact, Linked]]] = defaultdict(list)
    for contact in contacts:
        if contact.via_id:
            secondary[contact.via_id].append(
                (contact, linked(scope, contact.person, CONTACT_ELSEWHERE))
            )
    children: set[int] = set()
    for contact in contacts:
        if contact.via_id:
            continue
        became = case_of_person.get(contact.person_id)
        if became is not None and became.pk != contact.case_id:
            children.add(became.pk)
        nodes[contact.case_id].contacts.append(
            (
                contact,
                linked(scope, contact.person, CONTACT_ELSEWHERE),
                nodes.get(became.pk) if became is not None else None,
                secondary[contact.pk],
            )
        )
    return [n for pk, n in nodes.items() if pk not in children]


def checkpoints_in(scope: Scope, region: Region) -> QuerySet[Checkpoint]:
    require_checkpoints(scope)
    return scope.filter(Checkpoint.objects.filter(region_path__startswith=region.path))


def passages_on(scope: Scope, checkpoint: Checkpoint, day: dt.date) -> QuerySet[Passage]:
    """The day's passages as the post needs them: direction, temperature, outcome, and for a
    person only ``under_watch`` (kept in today by a watch that keeps people in, ``CONFINING``:
    yes or no) — never who they are."""
    watched = Observation.objects.filter(
        person_id=OuterRef("person_id"), kind__in=CONFINING, start_on__lte=day, end_on__gte=day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    return scope.filter(Passage.objects.filter(checkpoint=checkpoint, on=day)).annotate(
        under_watch=Exists(watched)
    )


# Kinds of watch under which a person should not be out at all (health monitoring may be).
CONFINING = (
    ObservationKind.HOME_OBSERVATION,
    ObservationKind.HOME_ISOLATION,
    ObservationKind.CENTRAL_QUARANTINE,
)


@dataclass(frozen=True)
class PassageFollowUp:
    """What the post is told after logging a known person: only what it must act on."""

    confined: str | None  # the ObservationKind keeping them in today, if any
    alerted: bool  # the reading opened a fever alert for their grid


def passage_follow_up(scope: Scope, passage: Passage) -> PassageFollowUp:
    if passage.person_id is None:
        return PassageFollowUp(None, False)
    day = passage.on
    confined = (
        Observation.objects.filter(
            person_id=passage.person_id, kind__in=CONFINING, start_on__lte=day, end_on__gte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("kind", flat=True)
        .first()
    )
    alerted = Alert.objects.filter(
        person_id=passage.person_id, check_in__client_id=passage.client_id
    ).exists()
    return PassageFollowUp(confined, alerted)


def passage_person(scope: Scope, id_number: str) -> tuple[int, str] | None:
    """The person behind an ID number typed at a checkpoint, inside the checkpoint staff's
    scope: their id and region path, which the passage and the audit keep and the page never
    shows."""
    number = normalise(id_number)
    if not number:
        return None
    return (
        scope.filter(Person.objects.filter(id_number=number))
        .order_by()
        .values_list("id", "region_path")
        .first()
    )


def passage_counts(scope: Scope, checkpoint: Checkpoint, days: int = 7) -> list[dict]:
    """Passages and turn-backs per day, the last ``days`` days."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    return list(
        scope.filter(Passage.objects.filter(checkpoint=checkpoint, on__gte=since))
        .values("on")
        .annotate(n=Count("id"), back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)))
        .order_by("-on")
    )
