"""Rows for volunteers: 李志愿 of 红星第1网格 stands shifts at 红星路卡口 for 红星第一小组
(a team of 红星社区); 陈自荐 has applied from the recruiting link; the ``volunteer``
persona is a volunteer of 红星社区 signed in at the checkpoint. Staff from the grid worker up
see the volunteers of their region, community and street staff manage them, and a volunteer
sees only their own shifts, hours and certificate — nothing of the registry
(docs/volunteers.md)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse

from .common import E, Endpoint

VIEWERS = {"hq", "district", "street", "community", "grid_a", "grid_b"}
MANAGERS = {"street", "community"}
COMMUNITY_UP = {"hq", "district", "street", "community"}


def of_grid_a(persona: str):
    """A volunteer of grid A: every viewer whose region holds grid A."""
    if persona in VIEWERS - {"grid_b"}:
        return 200
    return 404 if persona == "grid_b" else 403


def of_community_a(persona: str):
    """A team or post of 红星社区: viewers of the community and up; grid workers' scope is
    their grid."""
    if persona in COMMUNITY_UP:
        return 200
    return 404 if persona in {"grid_a", "grid_b"} else 403


def listed(persona: str):
    if persona in VIEWERS - {"grid_b"}:
        return "shown"
    return "hidden" if persona == "grid_b" else 403


def listed_by_community(persona: str):
    if persona in COMMUNITY_UP:
        return "shown"
    return "hidden" if persona in {"grid_a", "grid_b"} else 403


def managers(ok: int):
    return lambda persona: ok if persona in MANAGERS else 403


def on_duty(ok: int):
    return lambda persona: ok if persona == "volunteer" else 403


def _world(tree):
    from fangkong.accounts.models import User
    from fangkong.volunteers.choices import Source, VolunteerStatus
    from fangkong.volunteers.models import Volunteer
    from fangkong.volunteers.services import (
        Profile,
        check_add_member,
        check_apply,
        check_create_post,
        check_create_team,
        check_register,
        check_sign_in,
        check_sign_out,
    )

    li = check_register(
        profile=Profile(name="李志愿", phone="13907310101", home_area=tree.grid_a), by=None
    ).volunteer
    team = check_create_team(name="红星第一小组", kind="team", region=tree.community_a, by=None)
    check_add_member(team=team, volunteer=li)
    post = check_create_post(name="红星路卡口", kind="checkpoint", region=tree.community_a)
    shift = check_sign_in(volunteer=li, post=post, client_id=uuid.uuid4())
    check_sign_out(volunteer=li, shift=shift)
    check_apply(
        region=tree.community_a,
        profile=Profile(name="陈自荐", phone="13907310102", home_area=tree.grid_a),
        client_id=uuid.uuid4(),
    )
    user = User.objects.get(username="volunteer")
    # the help requests' rows may have made the persona's record (tests/matrix/assistance.py)
    mine = Volunteer.objects.filter(user=user).first() or Volunteer.objects.create(
        user=user,
        name="赵志愿",
        phone="13907310103",
        status=VolunteerStatus.ACTIVE,
        source=Source.COMMUNITY,
        home_area=tree.community_a,
        region_path=tree.community_a.path,
    )
    check_sign_in(volunteer=mine, post=post, client_id=uuid.uuid4())


def _li(t):
    from fangkong.volunteers.models import Volunteer

    return Volunteer.objects.get(name="李志愿")


def _pending(t):
    from fangkong.volunteers.models import Volunteer

    return Volunteer.objects.get(name="陈自荐").pk


def _team(t):
    from fangkong.volunteers.models import Team

    return Team.objects.get(name="红星第一小组").pk


def _post(t):
    from fangkong.volunteers.models import Post

    return Post.objects.get(name="红星路卡口").pk


def _shift(t):
    return _li(t).shifts.get().pk


def _open_shift(t):
    from fangkong.volunteers.models import Shift

    return Shift.objects.get(volunteer__name="赵志愿", signed_out_at__isnull=True).pk


def _u(name, *args):
    return lambda t: reverse(f"volunteers:{name}", args=[a(t) if callable(a) else a for a in args])


ROWS: dict[str, Endpoint] = {
    "volunteers:home": E(_u("home"), listed, shown=lambda t: "李志愿", setup=_world),
    "volunteers:register": E(_u("register"), managers(200), setup=_world),
    "volunteers:register?post": E(
        _u("register"),
        managers(200),
        method="post",
        form=True,
        body=lambda t: {"name": "新志愿", "phone": "13907310109", "home_area": t.grid_a.pk},
        setup=_world,
    ),
    "volunteers:campaign_link": E(_u("campaign_link"), managers(200), setup=_world),
    "volunteers:volunteer": E(_u("volunteer", lambda t: _li(t).pk), of_grid_a, setup=_world),
    "volunteers:decide": E(
        _u("decide", _pending),
        managers(200),
        method="post",
        form=True,
        body=lambda t: {"decision": "approve"},
        setup=_world,
    ),
    "volunteers:teams": E(
        _u("teams"), listed_by_community, shown=lambda t: "红星第一小组", setup=_world
    ),
    "volunteers:teams?post": E(
        _u("teams"),
        managers(302),
        method="post",
        form=True,
        body=lambda t: {"name": "新小组", "kind": "team", "region": t.community_a.pk},
        setup=_world,
    ),
    "volunteers:team": E(_u("team", _team), of_community_a, setup=_world),
    "volunteers:team_members": E(
        _u("team_members", _team),
        managers(302),
        method="post",
        form=True,
        body=lambda t: {"volunteer": _li(t).pk, "action": "leader"},
        setup=_world,
    ),
    "volunteers:league": E(
        _u("league"), listed_by_community, shown=lambda t: "红星第一小组", setup=_world
    ),
    "volunteers:posts": E(
        _u("posts"), listed_by_community, shown=lambda t: "红星路卡口", setup=_world
    ),
    "volunteers:posts?post": E(
        _u("posts"),
        managers(302),
        method="post",
        form=True,
        body=lambda t: {"name": "采样点", "kind": "sampling", "region": t.community_a.pk},
        setup=_world,
    ),
    "volunteers:roster": E(
        _u("roster", _post),
        managers(302),
        method="post",
        form=True,
        body=lambda t: {
            "volunteer": _li(t).pk,
            "day": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            "start": "08:00",
            "end": "12:00",
        },
        setup=_world,
    ),
    "volunteers:correct": E(
        _u("correct", _shift),
        managers(302),
        method="post",
        form=True,
        body=lambda t: {"out": "23:59"},
        setup=_world,
    ),
    "volunteers:me": E(_u("me"), on_duty(200), setup=_world),
    "volunteers:sign_in": E(
        _u("sign_in"),
        on_duty(302),
        method="post",
        form=True,
        body=lambda t: {"client_id": str(uuid.uuid4()), "post": _post(t)},
        setup=_world,
    ),
    "volunteers:sign_out": E(
        _u("sign_out", _open_shift),
        on_duty(302),
        method="post",
        form=True,
        body=lambda t: {},
        setup=_world,
    ),
    "volunteers:certificate": E(_u("certificate"), on_duty(200), setup=_world),
    "volunteers:availability": E(
        _u("availability"),
        on_duty(302),
        method="post",
        form=True,
        body=lambda t: {"on_call": "on", "weekdays": ["0", "1"]},
        setup=_world,
    ),
}
