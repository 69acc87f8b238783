"""Supervisors' pages: the region's volunteers and applications, registering, teams and their
day, posts and rosters, the league table."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.scope import Cap, scope_of
from fangkong.common.paging import page_of
from fangkong.common.params import day_or, int_or, time_or
from fangkong.common.qr import qr_svg
from fangkong.regions.choices import Level
from fangkong.regions.models import Region
from fangkong.regions.selectors import region_or_home, regions

from .. import selectors
from ..choices import PostKind, TeamBasis, TeamDuty, TeamKind, VolunteerStatus
from ..league import league
from ..services import (
    VolunteerInvalid,
    campaign_token,
    check_add_member,
    check_approve,
    check_correct,
    check_create_post,
    check_create_team,
    check_decline,
    check_plan,
    check_register,
    check_remove_member,
    check_set_leader,
)
from .common import client_id, form_context, profile_from

PAGE = 50


def _scope(request, cap: Cap):
    scope = scope_of(request.user)
    scope.require(cap)
    return scope


def _areas(scope) -> list[Region]:
    return list(regions(scope).filter(level__in=[Level.COMMUNITY, Level.GRID])[:300])


def _show_errors(request, error: VolunteerInvalid) -> None:
    for text in error.errors.values():
        messages.error(request, text)


@login_required
def home(request):
    """The region's volunteers (search by name or phone tail, by status), applications waiting,
    the figures at a glance."""
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    qs = selectors.volunteers(scope).filter(region_path__startswith=region.path)
    status = request.GET.get("status", "")
    if status in VolunteerStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:30]
    if q:
        qs = qs.filter(Q(name__startswith=q) | Q(phone__endswith=q))
    page = page_of(qs.select_related("home_area"), int_or(request.GET.get("page"), 1), PAGE)
    pending = list(
        selectors.volunteers(scope)
        .filter(region_path__startswith=region.path, status=VolunteerStatus.PENDING)
        .select_related("home_area")
        .order_by("created_at")[:50]
    )
    return render(
        request,
        "volunteers/home.html",
        {
            "region": region,
            "page": page,
            "pending": pending,
            "totals": selectors.totals(scope, region),
            "statuses": VolunteerStatus.choices,
            "status": status,
            "q": q,
            "manage": scope.can(Cap.VOLUNTEERS_MANAGE),
        },
    )


@login_required
def register(request):
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    areas = _areas(scope)
    errors: dict[str, str] = {}
    if request.method == "POST":
        profile = profile_from(request.POST, areas, errors)
        if profile is not None:
            try:
                done = check_register(
                    profile=profile, by=request.user, client_id=client_id(request)
                )
                return render(request, "volunteers/registered.html", {"done": done})
            except VolunteerInvalid as e:
                errors = e.errors
    return render(
        request,
        "volunteers/register.html",
        {
            "areas": areas,
            "errors": errors,
            "posted": request.POST,
            "client_id": client_id(request),
            **form_context(),
        },
        status=400 if errors else 200,
    )


@login_required
def volunteer_page(request, pk):
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    volunteer = selectors.volunteer_or_404(scope, pk, cap=Cap.VOLUNTEERS_VIEW)
    shifts = list(volunteer.shifts.select_related("post", "team").order_by("-day", "-id")[:30])
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": volunteer,
            "shifts": shifts,
            "teams": list(
                selectors.teams(scope).filter(
                    memberships__volunteer=volunteer, memberships__left_on__isnull=True
                )
            ),
            "manage": scope.can(Cap.VOLUNTEERS_MANAGE),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    """Approve (the account is made, its initial password shown once) or decline."""
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    volunteer = selectors.volunteer_or_404(scope, pk, cap=Cap.VOLUNTEERS_MANAGE)
    try:
        if request.POST.get("decision") == "approve":
            done = check_approve(volunteer=volunteer, by=request.user)
            return render(request, "volunteers/registered.html", {"done": done})
        check_decline(volunteer=volunteer, by=request.user)
        messages.success(request, _("The application was declined."))
    except VolunteerInvalid as e:
        _show_errors(request, e)
    return redirect("volunteers:home")


@login_required
def campaign_link(request):
    """The link (and its QR code) a community posts to recruit volunteers."""
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    url = request.build_absolute_uri(reverse("volunteers:apply", args=[campaign_token(region)]))
    return render(
        request,
        "volunteers/campaign_link.html",
        {"region": region, "url": url, "svg": qr_svg(url)},
    )


@login_required
def teams_page(request):
    """The region's teams and branches; supervisors form new ones."""
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    if request.method == "POST":
        scope.require(Cap.VOLUNTEERS_MANAGE)
        _create_team(request, scope)
        return redirect("volunteers:teams")
    all_teams = list(selectors.teams(scope).order_by("kind", "region_path", "name")[:300])
    return render(
        request,
        "volunteers/teams.html",
        {
            "teams": all_teams,
            "branches": [t for t in all_teams if t.kind == TeamKind.BRANCH],
            "areas": _areas(scope),
            "kinds": TeamKind.choices,
            "duties": TeamDuty.choices,
            "bases": TeamBasis.choices,
            "manage": scope.can(Cap.VOLUNTEERS_MANAGE),
            "client_id": client_id(request),
        },
    )


def _create_team(request, scope) -> None:
    post = request.POST
    region = next((a for a in _areas(scope) if str(a.pk) == post.get("region")), None)
    branch = None
    if post.get("branch"):
        branch = selectors.teams(scope).filter(pk=int_or(post["branch"], 0)).first()
    if region is None:
        messages.error(request, _("choose the team's area from the list"))
        return
    try:
        team = check_create_team(
            name=post.get("name", "")[:120],
            kind=post.get("kind", ""),
            duty=post.get("duty", TeamDuty.MIXED),
            basis=post.get("basis", TeamBasis.COMMUNITY),
            compound=post.get("compound", "")[:120],
            region=region,
            branch=branch,
            by=request.user,
            client_id=client_id(request),
        )
        messages.success(request, _("Team %(n)s formed.") % {"n": team.name})
    except VolunteerInvalid as e:
        _show_errors(request, e)


@login_required
def team_page(request, pk):
    """A team's day: each member's shifts, who is on duty, hours, forgotten sign-outs."""
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    team = selectors.team_or_404(scope, pk, cap=Cap.VOLUNTEERS_VIEW)
    day = day_or(request.GET.get("day"), timezone.localdate())
    manage = scope.can(Cap.VOLUNTEERS_MANAGE)
    candidates = []
    if manage:
        candidates = list(
            selectors.volunteers(scope)
            .filter(status=VolunteerStatus.ACTIVE)
            .filter(Q(region_path__startswith=team.region_path))
            .exclude(memberships__team=team, memberships__left_on__isnull=True)
            .order_by("name")[:200]
        )
    return render(
        request,
        "volunteers/team.html",
        {
            "view": selectors.team_day(team, day),
            "team": team,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "manage": manage,
            "candidates": candidates,
        },
    )


@login_required
@require_POST
def team_members(request, pk):
    """Add a member, make one leader, or end a membership."""
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    team = selectors.team_or_404(scope, pk, cap=Cap.VOLUNTEERS_MANAGE)
    volunteer = selectors.volunteer_or_404(
        scope, int_or(request.POST.get("volunteer"), 0), cap=Cap.VOLUNTEERS_MANAGE
    )
    action = request.POST.get("action", "add")
    try:
        if action == "leader":
            check_set_leader(team=team, volunteer=volunteer)
        elif action == "remove":
            check_remove_member(team=team, volunteer=volunteer)
        else:
            check_add_member(team=team, volunteer=volunteer)
    except VolunteerInvalid as e:
        _show_errors(request, e)
    return redirect("volunteers:team", pk=team.pk)


@login_required
def league_page(request):
    """The evening comparison: teams and branches ranked per member, for a day or a span."""
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    region = region_or_home(scope, request.GET.get("region", ""), request.user.scope_region)
    until = day_or(request.GET.get("until"), timezone.localdate())
    since = day_or(request.GET.get("since"), until)
    if since > until or (until - since).days > 366:
        since = until
    return render(
        request,
        "volunteers/league.html",
        {"table": league(scope, region, since=since, until=until), "region": region},
    )


@login_required
def posts_page(request):
    """Posts of duty and their rosters of today; supervisors add posts and roster volunteers."""
    scope = _scope(request, Cap.VOLUNTEERS_VIEW)
    if request.method == "POST":
        scope.require(Cap.VOLUNTEERS_MANAGE)
        region = next((a for a in _areas(scope) if str(a.pk) == request.POST.get("region")), None)
        if region is None:
            messages.error(request, _("choose the post's area from the list"))
        else:
            try:
                check_create_post(
                    name=request.POST.get("name", "")[:120],
                    kind=request.POST.get("kind", ""),
                    region=region,
                    address=request.POST.get("address", "")[:200],
                )
            except VolunteerInvalid as e:
                _show_errors(request, e)
        return redirect("volunteers:posts")
    day = day_or(request.GET.get("day"), timezone.localdate())
    all_posts = list(selectors.posts(scope).filter(active=True).select_related("region")[:200])
    shifts = selectors.shifts_of_posts(scope, all_posts, day)
    manage = scope.can(Cap.VOLUNTEERS_MANAGE)
    return render(
        request,
        "volunteers/posts.html",
        {
            "posts": [(p, shifts.get(p.pk, [])) for p in all_posts],
            "day": day,
            "areas": _areas(scope) if manage else [],
            "kinds": PostKind.choices,
            "manage": manage,
            "volunteers": list(
                selectors.volunteers(scope)
                .filter(status=VolunteerStatus.ACTIVE)
                .order_by("name")[:300]
            )
            if manage
            else [],
        },
    )


def _moment(day: str, time: str) -> dt.datetime | None:
    """The moment a form gives as a day and a time; None for a day outside the days any page
    shows (a year 9999 overflowed into a server error) or a time that is none."""
    on, at = day_or(day, None), time_or(time, None)
    if on is None or at is None:
        return None
    return timezone.make_aware(dt.datetime.combine(on, at))


@login_required
@require_POST
def roster(request, pk):
    """Roster a volunteer at a post for a day, from a time to a time (past midnight: the next
    day)."""
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    post = selectors.post_or_404(scope, pk, cap=Cap.VOLUNTEERS_MANAGE)
    volunteer = selectors.volunteer_or_404(
        scope, int_or(request.POST.get("volunteer"), 0), cap=Cap.VOLUNTEERS_MANAGE
    )
    day = request.POST.get("day", "")
    start = _moment(day, request.POST.get("start", ""))
    end = _moment(day, request.POST.get("end", ""))
    if start is None or end is None:
        messages.error(request, _("give the day and the times as 2026-12-01 and 08:00"))
        return redirect("volunteers:posts")
    if end <= start:
        end += dt.timedelta(days=1)
    try:
        check_plan(post=post, volunteer=volunteer, start_at=start, end_at=end, by=request.user)
    except VolunteerInvalid as e:
        _show_errors(request, e)
    return redirect(f"{reverse('volunteers:posts')}?day={start.date().isoformat()}")


@login_required
@require_POST
def correct(request, pk):
    """A supervisor sets the true sign-out time of a shift (a forgotten sign-out)."""
    scope = _scope(request, Cap.VOLUNTEERS_MANAGE)
    shift = selectors.shift_or_404(scope, pk, cap=Cap.VOLUNTEERS_MANAGE)
    signed_in = timezone.localtime(shift.signed_in_at) if shift.signed_in_at else None
    out = _moment(signed_in.date().isoformat(), request.POST.get("out", "")) if signed_in else None
    if out is not None and signed_in is not None and out < signed_in:
        out += dt.timedelta(days=1)
    if out is None:
        messages.error(request, _("give the sign-out time as 17:30"))
    else:
        try:
            check_correct(shift=shift, signed_out_at=out, by=request.user)
        except VolunteerInvalid as e:
            _show_errors(request, e)
    back = int_or(request.POST.get("team"), 0)
    if back > 0:
        return redirect(f"{reverse('volunteers:team', args=[back])}?day={shift.day.isoformat()}")
    return redirect("volunteers:volunteer", pk=shift.volunteer_id)
