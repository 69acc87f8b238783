"""Reads of volunteers for screens, reports and dispatch; each takes the scope first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from fangkong.common.scope import Scope
from fangkong.regions.models import Region

from .choices import PostKind, ShiftClose, VolunteerStatus
from .league import done_figures, has_done
from .models import Post, Shift, Team, TeamDay, Volunteer


@dataclass(frozen=True)
class Available:
    """What dispatch needs of one volunteer (``lat``/``lon`` None: no home point recorded;
    ``capacity``: tasks at a time, before the caller subtracts tasks already in hand)."""

    id: int
    user_id: int
    name: str
    skills: list[str]
    has_vehicle: bool
    vehicle_kind: str
    capacity: int
    home_area_id: int
    region_path: str
    lat: float | None
    lon: float | None


def volunteers(scope: Scope) -> QuerySet[Volunteer]:
    """Every volunteer whose home area is inside the scope."""
    return scope.filter(Volunteer.objects.all())


def _available_at(qs: QuerySet[Volunteer], at: datetime) -> QuerySet[Volunteer]:
    local = timezone.localtime(at)
    t = local.time()
    bit = 1 << local.weekday()
    any_hour = Q(available_from__isnull=True, available_until__isnull=True)
    same_day = (
        Q(available_from__lte=F("available_until"))
        & Q(available_from__lte=t)
        & Q(available_until__gte=t)
    )
    # a window past midnight (20:00-06:00)
    overnight = Q(available_from__gt=F("available_until")) & (
        Q(available_from__lte=t) | Q(available_until__gte=t)
    )
    from_only = Q(available_until__isnull=True, available_from__lte=t)
    until_only = Q(available_from__isnull=True, available_until__gte=t)
    return (
        qs.annotate(day_bit=F("weekdays").bitand(bit))
        .filter(day_bit__gt=0)
        .filter(any_hour | same_day | overnight | from_only | until_only)
    )


def available(
    scope: Scope, region: Region, *, at: datetime | None = None, skills: list[str] | None = None
) -> list[Available]:
    """Volunteers dispatch may give a task to: active, with an account, on call, whose home is
    inside ``region`` (and the scope), available at ``at`` (default now: weekday and hours),
    having every skill in ``skills``. Ordered by id."""
    if not scope.contains(region.path):
        return []
    qs = volunteers(scope).filter(
        region_path__startswith=region.path,
        status=VolunteerStatus.ACTIVE,
        on_call=True,
        user__isnull=False,
    )
    qs = _available_at(qs, at or timezone.now())
    rows = qs.order_by("id").values_list(
        "id",
        "user_id",
        "name",
        "skills",
        "has_vehicle",
        "vehicle_kind",
        "capacity",
        "home_area_id",
        "region_path",
        "home_lat",
        "home_lon",
    )
    need = set(skills or [])
    return [Available(*row) for row in rows if need.issubset(row[3])]


# --- a volunteer's own page -------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    """The user's own volunteer record (active or paused), or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Volunteer.objects.filter(user=user)
        .exclude(status__in=[VolunteerStatus.PENDING, VolunteerStatus.REJECTED])
        .select_related("home_area")
        .first()
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def posts_near(volunteer: Volunteer) -> QuerySet[Post]:
    """Active posts a volunteer may sign in to on the spot: in their home area, or in an area
    containing it (a community's checkpoint for a volunteer of one of its grids)."""
    path = volunteer.region_path
    return Post.objects.filter(active=True).filter(
        Q(region_path__startswith=path) | Q(region_path__in=_ancestor_paths(path))
    )


@dataclass(frozen=True)
class MyDuty:
    volunteer: Volunteer
    open_shift: Shift | None
    upcoming: list[Shift]
    recent: list[Shift]
    posts: list[Post]
    teams: list[Team]


def my_duty(volunteer: Volunteer, *, now: datetime | None = None) -> MyDuty:
    """What the volunteer's phone shows: the open sign-in, rostered shifts to come, recent
    shifts, posts to sign in to, their teams."""
    now = now or timezone.now()
    mine = Shift.objects.filter(volunteer=volunteer).select_related("post")
    open_shift = mine.filter(signed_in_at__isnull=False, signed_out_at__isnull=True).first()
    upcoming = list(
        mine.filter(signed_in_at__isnull=True, planned_end_at__gte=now).order_by(
            "planned_start_at"
        )[:10]
    )
    recent = list(mine.filter(signed_out_at__isnull=False).order_by("-signed_in_at")[:10])
    teams = list(
        Team.objects.filter(
            memberships__volunteer=volunteer, memberships__left_on__isnull=True
        ).select_related("leader")
    )
    return MyDuty(
        volunteer=volunteer,
        open_shift=open_shift,
        upcoming=upcoming,
        recent=recent,
        posts=list(posts_near(volunteer)[:50]),
        teams=teams,
    )


def my_shift(volunteer: Volunteer, pk: int) -> Shift:
    """One of the volunteer's own shifts, or 404."""
    shift = Shift.objects.filter(volunteer=volunteer, pk=pk).select_related("post").first()
    if shift is None:
        raise Http404
    return shift


@dataclass(frozen=True)
class Hours:
    """A volunteer's hours for the certificate: totals and by kind of post."""

    volunteer: Volunteer
    minutes: int
    shifts: int
    first_day: date | None
    last_day: date | None
    by_kind: list[tuple[str, int, int]]  # (kind label, minutes, shifts)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def hours_of(volunteer: Volunteer) -> Hours:
    """The volunteer's closed shifts, summed (the counters are the same figures, kept as
    shifts close)."""
    closed = Shift.objects.filter(volunteer=volunteer, signed_out_at__isnull=False)
    span = closed.aggregate(first=Min("day"), last=Max("day"))
    kinds = (
        closed.values("post__kind")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
        .order_by("-minutes")
    )
    by_kind = [(str(PostKind(k["post__kind"]).label), k["minutes"], k["n"]) for k in kinds]
    return Hours(
        volunteer=volunteer,
        minutes=sum(k[1] for k in by_kind),
        shifts=sum(k[2] for k in by_kind),
        first_day=span["first"],
        last_day=span["last"],
        by_kind=by_kind,
    )


# --- supervisors ------------------------------------------------------------------------


def teams(scope: Scope) -> QuerySet[Team]:
    return scope.filter(Team.objects.filter(active=True)).select_related("leader", "branch")


def posts(scope: Scope) -> QuerySet[Post]:
    return scope.filter(Post.objects.all())


def team_or_404(scope: Scope, pk: int, *, cap: str) -> Team:
    return scope.get_or_404(Team.objects.select_related("leader", "branch"), cap=cap, pk=pk)


def volunteer_or_404(scope: Scope, pk: int, *, cap: str) -> Volunteer:
    return scope.get_or_404(Volunteer.objects.select_related("user"), cap=cap, pk=pk)


def post_or_404(scope: Scope, pk: int, *, cap: str) -> Post:
    return scope.get_or_404(Post.objects.all(), cap=cap, pk=pk)


def shift_or_404(scope: Scope, pk: int, *, cap: str) -> Shift:
    return scope.get_or_404(Shift.objects.select_related("volunteer", "post"), cap=cap, pk=pk)


@dataclass(frozen=True)
class MemberDay:
    volunteer: Volunteer
    shifts: list[Shift]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.shifts)

    @property
    def on_duty(self) -> bool:
        return any(s.is_open for s in self.shifts)


@dataclass(frozen=True)
class TeamDayView:
    team: Team
    day: date
    members: list[MemberDay]
    minutes: int
    shifts: int
    done: tuple[int, int] | None  # (done, on time) from the registered providers

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def on_duty(self) -> int:
        return sum(1 for m in self.members if m.on_duty)

    @property
    def forgotten(self) -> int:
        return sum(1 for m in self.members for s in m.shifts if s.closed_how == ShiftClose.AUTO)


def team_day(team: Team, day: date) -> TeamDayView:
    """A team's day: each current member with their shifts of the day (rostered, open,
    closed), the team's hours and shifts, and what other apps count as done."""
    members = list(
        Volunteer.objects.filter(
            memberships__team=team, memberships__left_on__isnull=True
        ).order_by("name", "id")
    )
    shifts: dict[int, list[Shift]] = {m.pk: [] for m in members}
    for s in (
        Shift.objects.filter(volunteer__in=members, day=day)
        .select_related("post")
        .order_by("planned_start_at", "signed_in_at", "id")
    ):
        shifts[s.volunteer_id].append(s)
    figures = TeamDay.objects.filter(team=team, day=day).first()
    done = done_figures([team.pk], day, day).get(team.pk, (0, 0)) if has_done() else None
    return TeamDayView(
        team=team,
        day=day,
        members=[MemberDay(m, shifts[m.pk]) for m in members],
        minutes=figures.minutes if figures else 0,
        shifts=figures.shifts if figures else 0,
        done=done,
    )


@dataclass(frozen=True)
class Totals:
    volunteers: int
    active: int
    pending: int
    on_duty: int
    minutes: int  # all time, every volunteer of the region

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def totals(scope: Scope, region: Region) -> Totals:
    """The region's volunteers at a glance: how many, awaiting approval, on duty now, hours."""
    if not scope.contains(region.path):
        return Totals(0, 0, 0, 0, 0)
    mine = Volunteer.objects.filter(region_path__startswith=region.path)
    figures = mine.aggregate(
        n=Count("id"),
        active=Count("id", filter=Q(status=VolunteerStatus.ACTIVE)),
        pending=Count("id", filter=Q(status=VolunteerStatus.PENDING)),
        minutes=Sum("minutes_total"),
    )
    on_duty = Shift.objects.filter(
        region_path__startswith=region.path, signed_in_at__isnull=False, signed_out_at__isnull=True
    ).count()
    return Totals(
        volunteers=figures["n"],
        active=figures["active"],
        pending=figures["pending"],
        on_duty=on_duty,
        minutes=figures["minutes"] or 0,
    )


def shifts_of_posts(scope: Scope, posts: list[Post], day: date) -> dict[int, list[Shift]]:
    """Each post's shifts of the day (rostered and signed in), by post id."""
    out: dict[int, list[Shift]] = {p.pk: [] for p in posts}
    rows = (
        scope.filter(Shift.objects.filter(post__in=posts, day=day))
        .select_related("volunteer")
        .order_by("planned_start_at", "signed_in_at", "id")
    )
    for s in rows:
        out[s.post_id].append(s)
    return out
