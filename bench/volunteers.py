"""Volunteers' hours and the league table: `python -m bench.volunteers` (PostgreSQL from
DATABASE_URL; the database is re-created).

A city of 400 communities (10 districts × 5 streets × 8 communities, two grids each) with
20,000 volunteers (default), each with an account; a temporary party branch and four teams a
community (2,000 teams, every volunteer in one team); three posts a community; and 30 days
(default) of shifts, two days in three for each volunteer, written by COPY, the counters
rebuilt from them (``services.recount``). Measured (median and p99 of 20 calls): the city's
hours and league table for a day and for the 30 days (``league.league``), the city's figures
at a glance (``selectors.totals``), one team's day, the daily report's section for the city,
a volunteer's page and certificate figures, dispatch's ``available`` for a district; and 200
sign-ins each followed by its sign-out through the phone's services. The issue's goal: hours
and league table for the city under 200 ms with 20,000 volunteers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import uuid

from bench.__main__ import fresh_postgres, machine, publish

DISTRICTS, STREETS, COMMUNITIES = 10, 5, 8


def _city():
    from fangkong.regions.models import Region

    def node(code, name, level, parent):
        path = Region.child_path(parent.path if parent else "", code)
        return Region(
            code=code,
            name=name,
            level=level,
            parent=parent,
            path=path,
            depth=(parent.depth + 1) if parent else 0,
        )

    province = node("430000", "湖南省", "province", None)
    province.save()
    city = node("430100", "长沙市", "city", province)
    city.save()
    districts = [
        node(f"4301{d:02d}", f"第{d}区", "district", city) for d in range(1, DISTRICTS + 1)
    ]
    Region.objects.bulk_create(districts)
    streets = [
        node(f"{d.code}{s:03d}000", f"{d.name}第{s}街道", "street", d)
        for d in districts
        for s in range(1, STREETS + 1)
    ]
    Region.objects.bulk_create(streets)
    communities = [
        node(f"{s.code[:9]}{c:03d}", f"{s.name}第{c}社区", "community", s)
        for s in streets
        for c in range(1, COMMUNITIES + 1)
    ]
    Region.objects.bulk_create(communities)
    grids = [
        node(f"{c.code}{g:03d}", f"{c.name}第{g}网格", "grid", c)
        for c in communities
        for g in (1, 2)
    ]
    Region.objects.bulk_create(grids)
    return city, districts, communities, grids


def _people(grids, n: int):
    """n volunteers spread over the grids, each with an account (one password hash)."""
    from django.contrib.auth.hashers import make_password

    from fangkong.accounts.models import User
    from fangkong.volunteers.models import Volunteer

    rng = random.Random(1)
    password = make_password(None)
    skills = ["driving", "medical", "lifting", "language"]
    users, people = [], []
    for i in range(n):
        grid = grids[i % len(grids)]
        phone = str(19900000000 + i)
        users.append(
            User(
                username=phone, password=password, role="volunteer", scope_region=grid, phone=phone
            )
        )
        people.append(
            Volunteer(
                name=f"志愿者{i}",
                phone=phone,
                status="active",
                skills=sorted(rng.sample(skills, rng.randint(0, 2))),
                has_vehicle=i % 4 == 0,
                vehicle_kind="car" if i % 4 == 0 else "",
                home_area=grid,
                region_path=grid.path,
                home_lat=28.1 + rng.random() / 5,
                home_lon=112.9 + rng.random() / 5,
            )
        )
    for batch in range(0, n, 5000):
        made = User.objects.bulk_create(users[batch : batch + 5000])
        for u, v in zip(made, people[batch : batch + 5000], strict=True):
            v.user = u
    Volunteer.objects.bulk_create(people, batch_size=5000)
    return list(Volunteer.objects.order_by("id"))


def _teams(communities, people):
    from fangkong.volunteers.models import Membership, Post, Team

    branches = Team.objects.bulk_create(
        Team(name=f"{c.name}临时党支部", kind="branch", region=c, region_path=c.path)
        for c in communities
    )
    teams = Team.objects.bulk_create(
        Team(name=f"{c.name}第{k}组", kind="team", region=c, region_path=c.path, branch=b)
        for c, b in zip(communities, branches, strict=True)
        for k in range(1, 5)
    )
    by_community: dict[str, list] = {}
    for t in teams:
        by_community.setdefault(t.region_path, []).append(t)
    start = dt.date.today() - dt.timedelta(days=400)
    rows = []
    team_of = {}
    for i, v in enumerate(people):
        community_path = v.region_path[: v.region_path.rstrip("/").rfind("/") + 1]
        team = by_community[community_path][i % 4]
        team_of[v.pk] = team
        rows.append(
            Membership(team=team, volunteer=v, region_path=team.region_path, joined_on=start)
        )
    Membership.objects.bulk_create(rows, batch_size=5000)
    posts = Post.objects.bulk_create(
        Post(name=f"{c.name}{label}", kind=kind, region=c, region_path=c.path)
        for c in communities
        for kind, label in (("checkpoint", "卡口"), ("sampling", "采样点"), ("delivery", "配送"))
    )
    posts_of: dict[str, list] = {}
    for p in posts:
        posts_of.setdefault(p.region_path, []).append(p)
    return branches, teams, team_of, posts_of


def _shifts(people, team_of, posts_of, days: int) -> tuple[int, float]:
    """Two days in three for each volunteer, 3-5 hours, signed out: COPY, then the counters."""
    from django.db import connection
    from django.utils import timezone

    from fangkong.common.db import BulkWriter
    from fangkong.volunteers.models import Shift
    from fangkong.volunteers.services import recount

    rng = random.Random(2)
    started = time.perf_counter()
    writer = BulkWriter(
        Shift,
        [
            "volunteer",
            "post",
            "team",
            "region_path",
            "day",
            "planned_start_at",
            "planned_end_at",
            "signed_in_at",
            "signed_out_at",
            "closed_how",
            "minutes",
            "created_at",
        ],
    )
    today = timezone.localdate()
    n = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        base = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
        for v in people:
            if rng.random() < 1 / 3:
                continue
            team = team_of[v.pk]
            post = posts_of[team.region_path][v.pk % 3]
            start = base + dt.timedelta(hours=rng.choice((0, 6)))
            minutes = rng.randint(180, 300)
            out = start + dt.timedelta(minutes=minutes)
            writer.rows.append(
                (
                    v.pk,
                    post.pk,
                    team.pk,
                    post.region_path,
                    day,
                    start,
                    start + dt.timedelta(hours=4),
                    start,
                    out,
                    "self",
                    minutes,
                    start,
                )
            )
            n += 1
            if len(writer.rows) >= 50_000:
                writer.flush()
    writer.flush()
    recount()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return n, time.perf_counter() - started


def _ms(fn, n: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]


def _row(label: str, figures: tuple[float, float]) -> str:
    return f"| {label} | {figures[0]:.1f} | {figures[1]:.1f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    pg_version = fresh_postgres()
    if pg_version is None:
        return 2
    from django.utils import timezone

    from fangkong.common.scope import Scope
    from fangkong.reports.sections import until_of
    from fangkong.volunteers import selectors
    from fangkong.volunteers.league import league
    from fangkong.volunteers.report import volunteers_figures
    from fangkong.volunteers.services import check_sign_in, check_sign_out

    t = time.perf_counter()
    city, districts, communities, grids = _city()
    people = _people(grids, args.volunteers)
    branches, teams, team_of, posts_of = _teams(communities, people)
    loaded = time.perf_counter() - t
    shifts, shift_seconds = _shifts(people, team_of, posts_of, args.days)
    scope = Scope(
        user_id=None,
        role="",
        path=city.path,
        caps=frozenset({"volunteers_view", "volunteers_manage"}),
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=args.days - 1)
    table = league(scope, city, since=yesterday, until=yesterday)
    assert len(table.teams) == len(teams) and len(table.branches) == len(branches)
    assert sum(r.members for r in table.teams) == len(people)
    day_league = _ms(lambda: league(scope, city, since=yesterday, until=yesterday))
    month_league = _ms(lambda: league(scope, city, since=first, until=yesterday))
    city_totals = _ms(lambda: selectors.totals(scope, city))
    team_day = _ms(lambda: selectors.team_day(teams[0], yesterday))
    section = _ms(lambda: volunteers_figures(scope, city, yesterday, until_of(yesterday)))
    someone = people[len(people) // 2]
    my_page = _ms(lambda: selectors.my_duty(someone))
    my_hours = _ms(lambda: selectors.hours_of(someone))
    dispatch = _ms(lambda: selectors.available(scope, districts[0]))
    rng = random.Random(3)

    def stand():
        v = rng.choice(people)
        post = posts_of[team_of[v.pk].region_path][0]
        shift = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4())
        check_sign_out(volunteer=v, shift=shift)

    phone = _ms(stand, 200)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Volunteers {stamp} — {machine()}, PostgreSQL {pg_version}",
            "",
            f"{len(people):,} volunteers with accounts in {len(communities)} communities, "
            f"{len(teams):,} teams and {len(branches)} party branches (loaded in {loaded:.1f} s); "
            f"{shifts:,} shifts over {args.days} days by COPY with the counters rebuilt from "
            f"them in {shift_seconds:.1f} s. Goal: hours and league table for the city under "
            "200 ms.",
            "",
            "| read | median ms | p99 ms |",
            "|---|---:|---:|",
            _row("league table of the city, one day (2,000 teams, 400 branches)", day_league),
            _row(f"league table of the city, {args.days} days", month_league),
            _row("the city's volunteers, on duty and hours (totals)", city_totals),
            _row("one team's day (members and their shifts)", team_day),
            _row("daily report section for the city", section),
            _row("a volunteer's page (open shift, rosters, recent, posts)", my_page),
            _row("a volunteer's hours for the certificate", my_hours),
            _row(f"available volunteers of a district ({len(people) // DISTRICTS:,})", dispatch),
            _row("sign in and sign out (two services, 200 in a row)", phone),
            "",
        ]
    )
    publish(text, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
