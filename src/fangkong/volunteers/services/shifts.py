"""Shifts at posts: rostered by a supervisor or started on the spot, signed in and out on the
volunteer's phone, and counted into the volunteer's totals and the team's day.

One open sign-in per volunteer is a database constraint; a sign-in carries the phone's client
id, so a double tap or a retry returns the same shift; a sign-out is a conditional update, so
the second one changes nothing. A forgotten sign-out is closed by ``close_forgotten`` (or when
the volunteer next signs in) at the planned end, or ``UNPLANNED_CREDIT`` after the sign-in for
a shift without a plan, and flagged ``auto`` for a supervisor to correct."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User

from ..choices import ShiftClose, TeamKind, VolunteerStatus
from ..models import Membership, Post, Shift, Team, TeamDay, Volunteer
from .errors import VolunteerInvalid

# how long after the planned end an open sign-in counts as forgotten
GRACE = dt.timedelta(hours=2)
# a shift without a plan: forgotten after MAX_OPEN, credited UNPLANNED_CREDIT
MAX_OPEN = dt.timedelta(hours=12)
UNPLANNED_CREDIT = dt.timedelta(hours=4)
# the longest plan a roster accepts
MAX_PLAN = dt.timedelta(hours=16)


def team_of(volunteer: Volunteer) -> Team | None:
    """The team a shift counts for: the volunteer's current team, else their party branch."""
    rows = (
        Membership.objects.filter(volunteer=volunteer, left_on__isnull=True, team__active=True)
        .select_related("team")
        .order_by("id")
    )
    teams = [m.team for m in rows]
    return next((t for t in teams if t.kind == TeamKind.TEAM), teams[0] if teams else None)


def check_plan(
    *, post: Post, volunteer: Volunteer, start_at: dt.datetime, end_at: dt.datetime, by: User
) -> Shift:
    """Roster a volunteer at a post from ``start_at`` to ``end_at``."""
    errors: dict[str, str] = {}
    if volunteer.status != VolunteerStatus.ACTIVE:
        errors["volunteer"] = _("only an active volunteer is rostered")
    if not start_at < end_at <= start_at + MAX_PLAN:
        errors["end_at"] = _("a shift ends after it starts, within 16 hours")
    elif Shift.objects.filter(
        volunteer=volunteer,
        signed_out_at__isnull=True,
        planned_start_at__lt=end_at,
        planned_end_at__gt=start_at,
    ).exists():
        errors["start_at"] = _("the volunteer already has a shift at that time")
    if errors:
        raise VolunteerInvalid(errors)
    return Shift.objects.create(
        volunteer=volunteer,
        post=post,
        team=team_of(volunteer),
        region_path=post.region_path,
        day=timezone.localdate(start_at),
        planned_start_at=start_at,
        planned_end_at=end_at,
        created_by=by,
    )


def _forgotten_end(shift: Shift) -> dt.datetime:
    assert shift.signed_in_at is not None
    if shift.planned_end_at is not None:
        return max(shift.planned_end_at, shift.signed_in_at)
    return shift.signed_in_at + UNPLANNED_CREDIT


def is_forgotten(shift: Shift, now: dt.datetime) -> bool:
    if shift.signed_in_at is None or shift.signed_out_at is not None:
        return False
    if shift.planned_end_at is not None:
        return now > shift.planned_end_at + GRACE
    return now > shift.signed_in_at + MAX_OPEN


def _credit(shift: Shift, minutes: int, shifts: int) -> None:
    """Add to the volunteer's totals and the team's day (negative: a correction)."""
    Volunteer.objects.filter(pk=shift.volunteer_id).update(
        minutes_total=F("minutes_total") + minutes, shifts_total=F("shifts_total") + shifts
    )
    if shift.team_id is None:
        return
    team_path = Team.objects.values_list("region_path", flat=True).get(pk=shift.team_id)
    day, _created = TeamDay.objects.get_or_create(
        team_id=shift.team_id, day=shift.day, defaults={"region_path": team_path}
    )
    TeamDay.objects.filter(pk=day.pk).update(
        minutes=F("minutes") + minutes, shifts=F("shifts") + shifts
    )


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def do_close(*, shift: Shift, at: dt.datetime, how: ShiftClose) -> Shift:
    """Close an open shift at ``at``; a shift already closed is returned as it is."""
    with transaction.atomic():
        assert shift.signed_in_at is not None
        at = max(at, shift.signed_in_at)
        minutes = _minutes(shift.signed_in_at, at)
        closed = Shift.objects.filter(pk=shift.pk, signed_out_at__isnull=True).update(
            signed_out_at=at, closed_how=how, minutes=minutes
        )
        if closed:
            _credit(shift, minutes, 1)
    shift.refresh_from_db()
    return shift


def _open_shift(volunteer: Volunteer) -> Shift | None:
    return (
        Shift.objects.filter(
            volunteer=volunteer, signed_in_at__isnull=False, signed_out_at__isnull=True
        )
        .select_related("post")
        .first()
    )


def _still_open(volunteer: Volunteer, now: dt.datetime) -> VolunteerInvalid | None:
    """An error naming the shift still open; a forgotten one is closed on the way."""
    open_shift = _open_shift(volunteer)
    if open_shift is None:
        return None
    if is_forgotten(open_shift, now):
        do_close(shift=open_shift, at=_forgotten_end(open_shift), how=ShiftClose.AUTO)
        return None
    return VolunteerInvalid(
        {
            "shift": _("you are still signed in at %(post)s since %(t)s: sign out there first")
            % {
                "post": open_shift.post.name,
                "t": timezone.localtime(open_shift.signed_in_at).strftime("%H:%M"),
            }
        }
    )


def check_sign_in(
    *,
    volunteer: Volunteer,
    client_id: uuid.UUID,
    shift: Shift | None = None,
    post: Post | None = None,
    now: dt.datetime | None = None,
) -> Shift:
    """Sign in to a rostered ``shift`` or, without one, to a ``post`` on the spot. The same
    client id returns the same shift; a second open sign-in is refused."""
    now = now or timezone.now()
    if (done := Shift.objects.filter(sign_in_client_id=client_id).first()) is not None:
        return done
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise VolunteerInvalid({"volunteer": _("only an active volunteer signs in")})
    if (shift is None) == (post is None):
        raise VolunteerInvalid({"shift": _("sign in to one rostered shift or one post")})
    if shift is not None and (shift.volunteer_id != volunteer.pk or shift.signed_in_at):
        raise VolunteerInvalid({"shift": _("this shift is not yours to sign in to")})
    if (error := _still_open(volunteer, now)) is not None:
        raise error
    return do_sign_in(volunteer=volunteer, client_id=client_id, shift=shift, post=post, now=now)


def do_sign_in(
    *,
    volunteer: Volunteer,
    client_id: uuid.UUID,
    shift: Shift | None,
    post: Post | None,
    now: dt.datetime,
) -> Shift:
    try:
        with transaction.atomic():
            if shift is not None:
                started = Shift.objects.filter(pk=shift.pk, signed_in_at__isnull=True).update(
                    signed_in_at=now, sign_in_client_id=client_id
                )
                if not started:
                    raise VolunteerInvalid({"shift": _("this shift was signed in already")})
                shift.refresh_from_db()
                return shift
            assert post is not None
            return Shift.objects.create(
                volunteer=volunteer,
                post=post,
                team=team_of(volunteer),
                region_path=post.region_path,
                day=timezone.localdate(now),
                signed_in_at=now,
                sign_in_client_id=client_id,
                created_by=volunteer.user,
            )
    except IntegrityError as e:
        # the same tap twice at once (one client id), or a second sign-in from another phone
        done = Shift.objects.filter(sign_in_client_id=client_id).first()
        if done is not None:
            return done
        raise _still_open(volunteer, now) or VolunteerInvalid(
            {"shift": _("you are signed in elsewhere already")}
        ) from e


def check_sign_out(*, volunteer: Volunteer, shift: Shift, now: dt.datetime | None = None) -> Shift:
    """Sign out of one's open shift (signed out already: the shift as it was closed)."""
    if shift.volunteer_id != volunteer.pk or shift.signed_in_at is None:
        raise VolunteerInvalid({"shift": _("this shift is not yours to sign out of")})
    return do_close(shift=shift, at=now or timezone.now(), how=ShiftClose.SELF)


def check_correct(*, shift: Shift, signed_out_at: dt.datetime, by: User) -> Shift:
    """A supervisor sets the true sign-out time of a closed or open shift (a forgotten
    sign-out, a wrong tap); the totals move by the difference."""
    if shift.signed_in_at is None:
        raise VolunteerInvalid({"shift": _("this shift was never signed in")})
    if not shift.signed_in_at <= signed_out_at <= shift.signed_in_at + MAX_PLAN:
        raise VolunteerInvalid(
            {"signed_out_at": _("the sign-out must be after the sign-in, within 16 hours")}
        )
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.signed_out_at is None:
            return do_close(shift=locked, at=signed_out_at, how=ShiftClose.SUPERVISOR)
        minutes = _minutes(shift.signed_in_at, signed_out_at)
        _credit(locked, minutes - locked.minutes, 0)
        locked.signed_out_at, locked.minutes = signed_out_at, minutes
        locked.closed_how = ShiftClose.SUPERVISOR
        locked.save(update_fields=["signed_out_at", "minutes", "closed_how"])
    return locked


def close_forgotten(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Close up to ``limit`` forgotten sign-outs; returns how many (more work while > 0)."""
    now = now or timezone.now()
    rows = Shift.objects.filter(
        signed_in_at__isnull=False, signed_out_at__isnull=True, signed_in_at__lt=now - GRACE
    ).order_by("signed_in_at")[: limit * 4]
    closed = 0
    for shift in rows:
        if closed >= limit:
            break
        if is_forgotten(shift, now):
            do_close(shift=shift, at=_forgotten_end(shift), how=ShiftClose.AUTO)
            closed += 1
    return closed


def recount(*, region_path: str = "") -> int:
    """Rebuild the counters from the closed shifts (after a bulk load, or to repair): each
    volunteer's totals and every team's days under ``region_path``, with grouped queries.
    Returns the number of teams' days written."""
    from django.db.models import Count, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    closed = Shift.objects.filter(signed_out_at__isnull=False)
    with transaction.atomic():
        mine = closed.filter(volunteer_id=OuterRef("pk")).order_by().values("volunteer_id")
        Volunteer.objects.filter(region_path__startswith=region_path).update(
            minutes_total=Coalesce(Subquery(mine.annotate(m=Sum("minutes")).values("m")), 0),
            shifts_total=Coalesce(Subquery(mine.annotate(n=Count("id")).values("n")), 0),
        )
        TeamDay.objects.filter(region_path__startswith=region_path).delete()
        days = (
            closed.filter(team__region_path__startswith=region_path, team__isnull=False)
            .values("team_id", "team__region_path", "day")
            .annotate(m=Sum("minutes"), n=Count("id"))
            .order_by()
        )
        rows = [
            TeamDay(
                team_id=d["team_id"],
                region_path=d["team__region_path"],
                day=d["day"],
                minutes=d["m"] or 0,
                shifts=d["n"],
            )
            for d in days
        ]
        TeamDay.objects.bulk_create(rows, batch_size=5000)
        _recount_sizes(region_path)
    return len(rows)


def _recount_sizes(region_path: str) -> None:
    """Each team's size: its current people, each once (a branch with its teams' people)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    current = Membership.objects.filter(left_on__isnull=True)
    own = current.filter(team_id=OuterRef("pk")).order_by().values("team_id")
    family = (
        current.filter(Q(team_id=OuterRef("pk")) | Q(team__branch_id=OuterRef("pk")))
        .order_by()
        .annotate(k=Value(1))
        .values("k")
    )
    teams = Team.objects.filter(region_path__startswith=region_path)
    teams.filter(kind=TeamKind.TEAM).update(
        size=Coalesce(Subquery(own.annotate(n=Count("volunteer_id", distinct=True)).values("n")), 0)
    )
    teams.filter(kind=TeamKind.BRANCH).update(
        size=Coalesce(
            Subquery(family.annotate(n=Count("volunteer_id", distinct=True)).values("n")), 0
        )
    )
