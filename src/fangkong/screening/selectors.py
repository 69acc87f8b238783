"""Reads of mass testing for pages, the API, the command line and the daily report; each takes
the viewer's scope first.

A campaign is seen by everyone whose area it covers (a grid worker sees the street's
campaign) and by everyone whose area holds it; what they count of it is only their part of it.
Coverage counts people, not swabs: the target (residents of the region, those with a tag, or
those under observation during the campaign), those of them sampled, resulted and positive,
and the untested. ``resulted`` and ``positive`` come from the swabs' tubes
(``_resulted_swabs``, ``_positive_swabs``: the tube's ``LabResult``, an invalid one not
counted as resulted). ``exact_values`` counts them so from the raw rows; ``coverage_values``
reads a campaign of every resident from the coverage counters (services/counters.py), which
give the same answer (docs/screening.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.health.choices import ObservationKind
from fangkong.health.models import Observation
from fangkong.people.choices import TagKind
from fangkong.people.models import Person, PersonTag
from fangkong.people.selectors import residents_by_path
from fangkong.regions.models import Building, Region

from .choices import READABLE, CampaignStatus, Result, Target, TubeStatus
from .models import Campaign, CoverageHour, Sample, SampledPerson, Tube, Untested
from .services.counters import FIGURES, TIMES, hour_of

MAX_UNTESTED = 500  # households of a grid listed at once (a grid has 200–1,000)


def _ancestors(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[:n]) + "/" for n in range(1, len(codes))]


def _visible(scope: Scope) -> Q:
    """Campaigns inside the scope, or covering it."""
    if scope.path is None:
        return Q(pk__in=[])
    return Q(region_path__startswith=scope.path) | Q(region_path__in=_ancestors(scope.path))


def require_screening(scope: Scope) -> None:
    """Any part of mass testing: those who follow campaigns, and those who sample."""
    if not (scope.can(Cap.SCREENING_VIEW) or scope.can(Cap.SAMPLING)):
        scope.require(Cap.SCREENING_VIEW)


def campaigns_running(
    scope: Scope, path: str, day: dt.date, last: dt.date | None = None
) -> QuerySet[Campaign]:
    """Campaigns running on ``day`` (with ``last``: on any day from ``day`` to ``last``) that
    cover ``path`` or lie under it."""
    return (
        Campaign.objects.filter(_visible(scope))
        .filter(Q(region_path__startswith=path) | Q(region_path__in=_ancestors(path)))
        .filter(start_on__lte=last or day, end_on__gte=day)
        .select_related("region")
    )


def campaigns_for(scope: Scope, *, open_only: bool = False) -> QuerySet[Campaign]:
    require_screening(scope)
    qs = Campaign.objects.filter(_visible(scope)).select_related("region")
    if open_only:
        qs = qs.filter(status=CampaignStatus.OPEN)
    return qs


def campaign_or_404(scope: Scope, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for(scope), pk=pk)


def part_of(scope: Scope, campaign: Campaign) -> str:
    """The path of what the viewer counts of a campaign: the deeper of the two areas."""
    path = scope.path or ""
    return path if path.startswith(campaign.region_path) else campaign.region_path


def tubes_of(scope: Scope, campaign: Campaign) -> QuerySet[Tube]:
    require_screening(scope)
    return scope.filter(Tube.objects.filter(campaign=campaign)).annotate(n=Count("samples"))


def tube_or_404(scope: Scope, pk: int) -> Tube:
    require_screening(scope)
    return get_object_or_404(scope.filter(Tube.objects.select_related("campaign")), pk=pk)


def tube_by_barcode(scope: Scope, campaign: Campaign, barcode: str) -> Tube | None:
    return scope.filter(Tube.objects.filter(campaign=campaign, barcode=barcode)).first()


def tube_swabs(scope: Scope, tube: Tube) -> QuerySet[Sample]:
    """The swabs of a tube that the viewer's scope holds (a tube's members from another area
    are counted, not shown)."""
    return scope.filter(tube.samples.select_related("person", "person__household")).order_by(
        "sampled_at", "id"
    )


def sample_or_404(scope: Scope, pk: int) -> Sample:
    scope.require(Cap.SAMPLING)
    return get_object_or_404(scope.filter(Sample.objects.select_related("tube")), pk=pk)


def open_tubes(scope: Scope, campaign: Campaign, *, user_id: int | None) -> QuerySet[Tube]:
    """The tubes this sampler has open in the campaign (a phone goes on with them)."""
    return tubes_of(scope, campaign).filter(status=TubeStatus.OPEN, opened_by_id=user_id)


# Coverage


def target_of(campaign: Campaign, path: str) -> QuerySet[Person]:
    """The people the campaign must sample under ``path``."""
    qs = Person.objects.filter(region_path__startswith=path)
    if campaign.target == Target.TAG:
        qs = qs.filter(
            Exists(PersonTag.objects.filter(person=OuterRef("pk"), kind=campaign.target_tag))
        )
    elif campaign.target == Target.WATCHED:
        watched = Observation.objects.filter(
            person=OuterRef("pk"), start_on__lte=campaign.end_on, end_on__gte=campaign.start_on
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=campaign.start_on))
        qs = qs.filter(Exists(watched))
    return qs


def _swabs(campaign: Campaign, until: dt.datetime | None = None) -> QuerySet[Sample]:
    qs = Sample.objects.filter(campaign=campaign, person=OuterRef("pk"))
    return qs if until is None else qs.filter(sampled_at__lt=until)


def _resulted_swabs(campaign: Campaign, until: dt.datetime | None) -> QuerySet[Sample]:
    """Swabs in a tube with a result that says something (an invalid tube is sampled again)."""
    return _swabs(campaign, until).filter(
        tube__status=TubeStatus.RESULTED, tube__result__result__in=READABLE
    )


def _positive_swabs(campaign: Campaign, until: dt.datetime | None) -> QuerySet[Sample]:
    """Swabs in a tube the lab found positive."""
    return _swabs(campaign, until).filter(tube__result__result=Result.POSITIVE)


def _with_status(
    campaign: Campaign, qs: QuerySet[Person], until: dt.datetime | None = None
) -> QuerySet[Person]:
    return qs.annotate(
        is_sampled=Exists(_swabs(campaign, until)),
        is_resulted=Exists(_resulted_swabs(campaign, until)),
        is_positive=Exists(_positive_swabs(campaign, until)),
    )


_COUNTS = {
    "target": Count("id"),
    "sampled": Count("id", filter=Q(is_sampled=True)),
    "resulted": Count("id", filter=Q(is_resulted=True)),
    "positive": Count("id", filter=Q(is_positive=True)),
}


@dataclass
class Figures:
    target: int = 0
    sampled: int = 0
    resulted: int = 0
    positive: int = 0

    @property
    def untested(self) -> int:
        return self.target - self.sampled

    @property
    def share(self) -> float | None:
        return self.sampled / self.target if self.target else None

    def add(self, row: dict) -> None:
        for key in ("target", "sampled", "resulted", "positive"):
            setattr(self, key, getattr(self, key) + row[key])

    def as_dict(self) -> dict[str, int]:
        """The command line's JSON contract: ``{target, sampled, resulted, positive, untested}``."""
        return {
            "target": self.target,
            "sampled": self.sampled,
            "resulted": self.resulted,
            "positive": self.positive,
            "untested": self.untested,
        }


@dataclass
class Coverage:
    campaign: Campaign
    region: Region
    total: Figures
    rows: list[tuple[object, Figures]] = field(default_factory=list)  # child region or building
    by_building: bool = False


def coverage_values(
    scope: Scope, campaign: Campaign, path: str, until: dt.datetime | None = None
) -> dict[str, Figures]:
    """Figures per region path (grid) under ``path``, of the swabs taken before ``until``
    (None: all). A campaign of every resident: the registry's residents per grid and the
    coverage counters, never a scan of the target; one of a tag or of those under watch
    (a few in a thousand residents): ``exact_values``."""
    scope.require(Cap.SCREENING_VIEW)
    if campaign.target != Target.RESIDENTS:
        return exact_values(scope, campaign, path, until)
    region = Region.objects.filter(path=path).first() or Region(path=path)
    counted = _counted(campaign, path, until)
    out = {}
    # the target is everyone living there now, whatever ``until`` (as the exact query counts)
    for grid, n in residents_by_path(region, timezone.now()).items():
        if scope.contains(grid):
            out[grid] = Figures(n, *counted.get(grid, (0, 0, 0)))
    return out


def coverage_totals(
    scope: Scope, campaign: Campaign, area: Region, untils: list[dt.datetime]
) -> list[dict[str, int]]:
    """The totals of ``coverage_values`` under ``path`` at each of several moments (oldest
    first): for a campaign of every resident whose moments fall on the hour (the trend's day
    ends), the counters' hours summed once by hour and added up, and the residents read once;
    otherwise ``coverage_values`` at each. ``area``: the region counted (the report's, or the
    campaign's where it is smaller)."""
    scope.require(Cap.SCREENING_VIEW)
    path = area.path
    if campaign.target != Target.RESIDENTS or any(u != hour_of(u) for u in untils):
        return [
            {
                "target": sum(f.target for f in values.values()),
                "sampled": sum(f.sampled for f in values.values()),
                "positive": sum(f.positive for f in values.values()),
            }
            for values in (coverage_values(scope, campaign, path, u) for u in untils)
        ]
    target = sum(
        n for grid, n in residents_by_path(area, timezone.now()).items() if scope.contains(grid)
    )
    by_hour = (
        scope.filter(
            CoverageHour.objects.filter(
                campaign=campaign, region_path__startswith=path, hour__lt=max(untils)
            )
        )
        .values("hour")
        .annotate(s=Sum("sampled"), p=Sum("positive"))
        .order_by("hour")
        .values_list("hour", "s", "p")
    )
    hours = list(by_hour)
    out, i, sampled, positive = [], 0, 0, 0
    for until in untils:
        while i < len(hours) and hours[i][0] < until:
            sampled, positive = sampled + hours[i][1], positive + hours[i][2]
            i += 1
        out.append({"target": target, "sampled": sampled, "positive": positive})
    return out


def exact_values(
    scope: Scope, campaign: Campaign, path: str, until: dt.datetime | None = None
) -> dict[str, Figures]:
    """``coverage_values`` counted from the raw rows: each person of the target with a probe
    of their swabs (one grouped query; grows with the target)."""
    scope.require(Cap.SCREENING_VIEW)
    people = _with_status(campaign, scope.filter(target_of(campaign, path)), until)
    out: dict[str, Figures] = defaultdict(Figures)
    for row in people.values("region_path").annotate(**_COUNTS).order_by():
        out[row["region_path"]].add(row)
    return dict(out)


HALF_HOUR = dt.timedelta(minutes=30)
# a moment this close to now is the live report's (until_of: now, read a moment before): the
# part of its hour after it holds the swabs of that last moment and a phone's clock ahead
NOW = dt.timedelta(minutes=1)


def _counted(campaign: Campaign, path: str, until: dt.datetime | None) -> dict[str, list[int]]:
    """Sampled, resulted and positive per grid path under ``path`` from the counters: the
    hours before ``until``, and for a moment inside an hour, the persons first counted in
    the part of that hour nearer to it (added, or taken from the whole hour; for now, the
    part after it, which only the last moment and a phone's clock ahead can hold)."""
    hours = CoverageHour.objects.filter(campaign=campaign, region_path__startswith=path)
    part = None
    if until is not None:
        start = hour_of(until)
        if until == start:
            hours = hours.filter(hour__lt=start)
        elif until - start >= HALF_HOUR or until >= timezone.now() - NOW:
            hours = hours.filter(hour__lte=start)
            part = (-1, until, start + 2 * HALF_HOUR)
        else:
            hours = hours.filter(hour__lt=start)
            part = (1, start, until)
    sums = {f"n_{f}": Sum(f) for f in FIGURES}  # another name: not the column it sums
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in hours.values("region_path").annotate(**sums).order_by():
        out[row["region_path"]] = [row[f"n_{f}"] for f in FIGURES]
    if part is not None:
        sign, first, last = part
        # who has a swab in that part of the hour (a first swab is one of theirs), then whose
        # first swab, first resulted, first positive falls in it
        swabbed = Sample.objects.filter(
            campaign=campaign, sampled_at__gte=first, sampled_at__lt=last
        ).values("person_id")
        people = SampledPerson.objects.filter(
            campaign=campaign, region_path__startswith=path, person_id__in=swabbed
        )
        within = {
            f"n_{t}": Count("person_id", filter=Q(**{f"{t}__gte": first, f"{t}__lt": last}))
            for t in TIMES
        }
        for row in people.values("region_path").annotate(**within).order_by():
            counts = out[row["region_path"]]
            for i, t in enumerate(TIMES):
                counts[i] += sign * row[f"n_{t}"]
    return out


def coverage(scope: Scope, campaign: Campaign, region: Region) -> Coverage:
    """A region's coverage in the campaign, with a row per child region (a grid: per
    building). ``region`` must be in the viewer's scope and the campaign's region."""
    scope.require(Cap.SCREENING_VIEW)
    total = Figures()
    if not region.path.startswith(campaign.region_path):
        return Coverage(campaign, region, total)
    values = coverage_values(scope, campaign, region.path)
    for figures in values.values():
        total.add(figures.__dict__)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    if not children:
        return Coverage(campaign, region, total, _by_building(scope, campaign, region), True)
    rows = []
    for child in children:
        f = Figures()
        for path, figures in values.items():
            if path.startswith(child.path):
                f.add(figures.__dict__)
        rows.append((child, f))
    return Coverage(campaign, region, total, rows)


def _by_building(scope: Scope, campaign: Campaign, grid: Region) -> list[tuple[object, Figures]]:
    people = _with_status(campaign, scope.filter(target_of(campaign, grid.path)))
    grouped = people.values("household__building").annotate(**_COUNTS).order_by()
    names = dict(Building.objects.filter(grid=grid).values_list("id", "name"))
    rows = []
    for row in grouped:
        f = Figures()
        f.add(row)
        rows.append((names.get(row["household__building"], ""), f))
    rows.sort(key=lambda r: (r[0] == "", str(r[0])))
    return rows


@dataclass
class UntestedHousehold:
    """A door to knock on: its label and the members of the target not yet sampled."""

    label: str
    people: list[Person]


def untested_households(scope: Scope, campaign: Campaign, grid: Region) -> list[UntestedHousehold]:
    """The call-and-knock list of a grid: household by household, the target's members not
    sampled, each with the reason a grid worker recorded (``person.untested_reason``)."""
    scope.require(Cap.SCREENING_VIEW)
    scope.require(Cap.VIEW_PEOPLE)
    people = (
        scope.filter(target_of(campaign, grid.path))
        .filter(~Exists(_swabs(campaign)))
        .select_related("household", "household__building")
    )
    # households first, door by door; those without one (floating population) last
    people = people.order_by(
        *(
            F(f).asc(nulls_last=True)
            for f in ("household__building__name", "household__unit", "household__door")
        ),
        F("household_id").asc(nulls_last=True),
        "id",
    )[: MAX_UNTESTED * 4]
    reasons = {
        u.person_id: u
        for u in Untested.objects.filter(campaign=campaign, region_path__startswith=grid.path)
    }
    households: dict[object, UntestedHousehold] = {}
    for p in people:
        p.untested = reasons.get(p.pk)
        key = p.household_id or f"p{p.pk}"
        if key not in households:
            if len(households) >= MAX_UNTESTED:
                break
            label = p.household.label if p.household else ""
            households[key] = UntestedHousehold(label, [])
        households[key].people.append(p)
    return list(households.values())


def swabs_between(
    scope: Scope, path: str, start: dt.datetime, until: dt.datetime
) -> QuerySet[Sample]:
    """Swabs taken under ``path`` from ``start`` until ``until`` (the daily report)."""
    return scope.filter(
        Sample.objects.filter(
            region_path__startswith=path, sampled_at__gte=start, sampled_at__lt=until
        )
    )


def campaigns_in(scope: Scope, region: Region) -> QuerySet[Campaign]:
    """The campaigns the viewer sees that cover ``region`` or lie under it, newest first."""
    return campaigns_for(scope).filter(
        Q(region_path__startswith=region.path) | Q(region_path__in=_ancestors(region.path))
    )


def target_person_or_404(scope: Scope, campaign: Campaign, pk: int) -> Person:
    """A person of the campaign's target inside the viewer's scope, else 404."""
    return get_object_or_404(scope.filter(target_of(campaign, campaign.region_path)), pk=pk)


# Capacity planning

# Who cannot come to a sampling point and is swabbed at home by a door-to-door team: the
# bedridden, the disabled, the elderly living alone, and those watched at home during the
# campaign (central quarantine is sampled where it is held, not by the community's teams).
HOME_TAGS = (TagKind.BEDRIDDEN, TagKind.DISABLED, TagKind.ELDERLY_ALONE)
HOME_WATCH = (ObservationKind.HOME_OBSERVATION, ObservationKind.HOME_ISOLATION)


def _stays_home(campaign: Campaign) -> Q:
    # ``IN (subquery)`` rather than a correlated EXISTS: PostgreSQL hashes each list once, and
    # its cost estimate stays low enough not to compile the query (JIT took 150 ms of 230).
    watched = Observation.objects.filter(
        kind__in=HOME_WATCH, start_on__lte=campaign.end_on, end_on__gte=campaign.start_on
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=campaign.start_on))
    tagged = PersonTag.objects.filter(kind__in=HOME_TAGS)
    return Q(pk__in=tagged.values("person_id")) | Q(pk__in=watched.values("person_id"))


@dataclass(frozen=True)
class PlanArea:
    """A part of the region to plan for: its label, the target, and of those still to swab,
    how many only a door-to-door team can reach."""

    id: str
    label: str
    target: int
    to_swab: int
    at_home: int


def plan_areas(
    scope: Scope, campaign: Campaign, region: Region, cover: Coverage | None = None
) -> list[PlanArea]:
    """The region's parts as the campaign page's rows (child regions; a grid: its buildings),
    each with its target, those not yet sampled, and those of them who stay at home; ``cover``
    is the region's coverage when the caller has it already."""
    cover = cover or coverage(scope, campaign, region)
    people = _with_status(campaign, scope.filter(target_of(campaign, region.path)))
    home = people.filter(_stays_home(campaign), is_sampled=False)
    if cover.by_building:
        names = dict(Building.objects.filter(grid=region).values_list("id", "name"))
        counts: dict[str, int] = defaultdict(int)
        for row in home.values("household__building").annotate(n=Count("id")).order_by():
            counts[names.get(row["household__building"], "")] += row["n"]
        return [
            PlanArea(name or "-", str(name), f.target, f.untested, counts.get(name, 0))
            for name, f in cover.rows
        ]
    by_path = {
        row["region_path"]: row["n"]
        for row in home.values("region_path").annotate(n=Count("id")).order_by()
    }
    areas = []
    for child, f in cover.rows:
        at_home = sum(n for path, n in by_path.items() if path.startswith(child.path))
        areas.append(PlanArea(child.code, child.name, f.target, f.untested, at_home))
    return areas
