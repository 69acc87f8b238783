"""The demo city's volunteers: in each community of the demo street a temporary party branch
with a post-duty, a delivery and a mobile-service team, a checkpoint, a sampling point and a
delivery round, some fifteen volunteers, and a week of shifts ending now — most signed out,
some on duty now, one sign-out forgotten and closed by the system, rosters for the rest of
today. The ``volunteer`` demo account is one of 红星's volunteers, with shifts of its own.
Written once: a database that already holds volunteers is left as it is."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from .choices import PostKind, ShiftClose, Skill, Source, TeamBasis, TeamDuty, TeamKind
from .choices import VolunteerStatus as St
from .models import Membership, Post, Shift, Team, Volunteer
from .services import recount

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文"
PER_COMMUNITY = 15
MAX_COMMUNITIES = 12
DAYS = 7


@dataclass
class DemoVolunteers:
    volunteers: int = 0
    teams: int = 0
    posts: int = 0
    shifts: int = 0


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _communities(home: Region) -> list[Region]:
    street = home.parent or home
    found = list(
        Region.objects.filter(path__startswith=street.path, level=Level.COMMUNITY)
        .exclude(pk=home.pk)
        .order_by("path")[: MAX_COMMUNITIES - 1]
    )
    return [home, *found]


def _skills(rng: random.Random) -> list[str]:
    return sorted(rng.sample(Skill.values, rng.choice((0, 1, 1, 2, 3))))


def _people(community: Region, rng: random.Random, phones, password: str) -> list[Volunteer]:
    grids = list(Region.objects.filter(parent=community, level=Level.GRID)) or [community]
    users, people = [], []
    for _i in range(PER_COMMUNITY):
        phone = str(next(phones))
        area = rng.choice(grids)
        car = rng.random() < 0.3
        users.append(
            User(
                username=phone,
                password=password,
                role=Role.VOLUNTEER,
                scope_region=area,
                phone=phone,
            )
        )
        people.append(
            Volunteer(
                name=_name(rng),
                phone=phone,
                status=St.ACTIVE,
                source=rng.choice((Source.COMMUNITY, Source.COMMUNITY, Source.SELF)),
                skills=_skills(rng),
                has_vehicle=car,
                vehicle_kind=rng.choice(("car", "van", "e_bike")) if car else "",
                capacity=rng.choice((2, 3, 3, 4)),
                home_area=area,
                region_path=area.path,
            )
        )
    for u, v in zip(User.objects.bulk_create(users), people, strict=True):
        v.user = u
    return Volunteer.objects.bulk_create(people)


def _teams(community: Region, people: list[Volunteer], start: dt.date) -> list[Team]:
    branch = Team.objects.create(
        name=f"{community.name}临时党支部",
        kind=TeamKind.BRANCH,
        basis=TeamBasis.COMMUNITY,
        region=community,
        region_path=community.path,
        leader=people[0],
    )
    teams = [
        Team.objects.create(
            name=f"{community.name}{label}",
            kind=TeamKind.TEAM,
            duty=duty,
            basis=TeamBasis.COMMUNITY,
            region=community,
            region_path=community.path,
            branch=branch,
            leader=people[1 + i],
        )
        for i, (duty, label) in enumerate(
            ((TeamDuty.POSTS, "执勤组"), (TeamDuty.DELIVERY, "配送组"), (TeamDuty.MOBILE, "机动组"))
        )
    ]
    rows = [
        Membership(team=teams[i % 3], volunteer=v, region_path=community.path, joined_on=start)
        for i, v in enumerate(people)
    ]
    rows.append(
        Membership(team=branch, volunteer=people[0], region_path=community.path, joined_on=start)
    )
    Membership.objects.bulk_create(rows)
    return [branch, *teams]


def _posts(community: Region) -> list[Post]:
    return Post.objects.bulk_create(
        [
            Post(
                name=f"{community.name}{label}",
                kind=kind,
                region=community,
                region_path=community.path,
            )
            for kind, label in (
                (PostKind.CHECKPOINT, "东门卡口"),
                (PostKind.SAMPLING, "核酸采样点"),
                (PostKind.DELIVERY, "物资配送"),
            )
        ]
    )


def _week(people, teams, posts, rng: random.Random, now: dt.datetime) -> list[Shift]:
    """A shift most days for most volunteers: morning or afternoon, at their team's post."""
    shifts = []
    team_of = {
        m.volunteer_id: m.team_id
        for m in Membership.objects.filter(volunteer__in=people, team__kind=TeamKind.TEAM)
    }
    duty_post = {t.pk: posts[i % len(posts)] for i, t in enumerate(teams[1:])}
    today = timezone.localdate(now)
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        for v in people:
            if rng.random() < 0.35:
                continue
            team = team_of.get(v.pk)
            post = duty_post.get(team, posts[0])
            hour = rng.choice((8, 8, 14))
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
            end = start + dt.timedelta(hours=4)
            shift = Shift(
                volunteer=v,
                post=post,
                team_id=team,
                region_path=post.region_path,
                day=day,
                planned_start_at=start,
                planned_end_at=end,
            )
            came = start + dt.timedelta(minutes=rng.randint(-10, 20))
            if came > now:  # rostered for later today
                shifts.append(shift)
                continue
            shift.signed_in_at = came
            left = end + dt.timedelta(minutes=rng.randint(-15, 40))
            if left < now:
                shift.signed_out_at, shift.closed_how = left, ShiftClose.SELF
                shift.minutes = int((left - came).total_seconds() // 60)
            shifts.append(shift)
    return shifts


def _forget_one(shifts: list[Shift], now: dt.datetime) -> None:
    """One sign-out of yesterday forgotten: the system closed it at the planned end."""
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    for s in shifts:
        if s.day == yesterday and s.signed_out_at is not None and s.planned_end_at:
            s.signed_out_at, s.closed_how = s.planned_end_at, ShiftClose.AUTO
            s.minutes = int((s.planned_end_at - s.signed_in_at).total_seconds() // 60)
            return


def _one_open_per_volunteer(shifts: list[Shift]) -> None:
    open_by: dict[int, Shift] = {}
    for s in sorted(shifts, key=lambda s: s.signed_in_at or s.planned_start_at):
        if s.signed_in_at is not None and s.signed_out_at is None:
            if s.volunteer_id in open_by:  # the older one was signed out at its planned end
                old = open_by[s.volunteer_id]
                old.signed_out_at, old.closed_how = old.planned_end_at, ShiftClose.SELF
                old.minutes = int((old.planned_end_at - old.signed_in_at).total_seconds() // 60)
            open_by[s.volunteer_id] = s


def _now_at_home(people, posts, shifts: list[Shift], now: dt.datetime) -> None:
    """Whatever the hour: three of the demo community on duty now at its checkpoint, and the
    demo account rostered there from the next hour."""
    busy = {s.volunteer_id for s in shifts if s.signed_in_at and s.signed_out_at is None}
    since = now - dt.timedelta(hours=1)
    for v in [v for v in people[1:] if v.pk not in busy][:3]:
        shifts.append(
            Shift(
                volunteer=v,
                post=posts[0],
                region_path=posts[0].region_path,
                day=timezone.localdate(since),
                signed_in_at=since,
            )
        )
    me, start = people[0], now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    clash = any(
        s.volunteer_id == me.pk
        and s.planned_start_at
        and s.signed_out_at is None
        and s.planned_start_at < start + dt.timedelta(hours=4)
        and s.planned_end_at > start
        for s in shifts
    )
    if not clash:
        shifts.append(
            Shift(
                volunteer=me,
                post=posts[0],
                region_path=posts[0].region_path,
                day=timezone.localdate(start),
                planned_start_at=start,
                planned_end_at=start + dt.timedelta(hours=4),
            )
        )


def _demo_account(home: Region, people: list[Volunteer]) -> None:
    """The ``volunteer`` demo account becomes the first volunteer of the demo community."""
    user = User.objects.filter(username="volunteer", role=Role.VOLUNTEER).first()
    if user is None:
        return
    first = people[0]
    old_user = first.user
    Volunteer.objects.filter(pk=first.pk).update(user=user, name="赵志愿")
    old_user.delete()


def demo_volunteers(*, seed: int = 1, now: dt.datetime | None = None) -> DemoVolunteers:
    """Volunteers, teams, posts and a week of shifts for the demo street (once)."""
    result = DemoVolunteers()
    volunteer_user = User.objects.filter(username="volunteer").select_related("scope_region")
    home = next((u.scope_region for u in volunteer_user if u.scope_region), None)
    if Volunteer.objects.exists() or home is None:
        return result
    if home.level == Level.GRID and home.parent is not None:
        home = home.parent
    now = now or timezone.now()
    rng = random.Random(seed)
    phones = iter(range(19900000001, 19999999999))
    password = make_password(None)  # demo volunteers other than the demo account cannot log in
    start = timezone.localdate(now) - dt.timedelta(days=DAYS + 1)
    with transaction.atomic():
        shifts = []
        for community in _communities(home):
            people = _people(community, rng, phones, password)
            teams = _teams(community, people, start)
            posts = _posts(community)
            if community == home:
                _demo_account(home, people)
            shifts += _week(people, teams, posts, rng, now)
            if community == home:
                _now_at_home(people, posts, shifts, now)
            result.volunteers += len(people)
            result.teams += len(teams)
            result.posts += len(posts)
        _forget_one(shifts, now)
        _one_open_per_volunteer(shifts)
        Shift.objects.bulk_create(shifts, batch_size=2000)
        recount(region_path=home.parent.path if home.parent else home.path)
    result.shifts = len(shifts)
    return result
