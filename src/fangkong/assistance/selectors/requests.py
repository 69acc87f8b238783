"""Help requests as staff read them: the triage list (open, overdue, escalated, done today),
one request, a household's requests (the resident's page) and per-team figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope

from ..choices import OPEN_STATUSES, Level, Status, TaskStatus
from ..models import HelpRequest, Task

TRIAGE_LIMIT = 300
VIEWS = ("open", "overdue", "escalated", "done")


def requests(scope: Scope) -> QuerySet[HelpRequest]:
    """The requests of the user's region (403 for a role that reads none)."""
    scope.require(Cap.HELP_VIEW)
    return scope.filter(HelpRequest.objects.all())


def request_or_404(scope: Scope, pk: int) -> HelpRequest:
    return scope.get_or_404(
        HelpRequest.objects.select_related("household", "household__building", "household__grid"),
        cap=Cap.HELP_VIEW,
        pk=pk,
    )


@dataclass
class Triage:
    """One view of the triage list, with each open request's possible duplicates."""

    view: str
    rows: list[HelpRequest]
    counts: dict[str, int]
    duplicates: dict[int, list[int]] = field(default_factory=dict)  # request -> others alike
    more: bool = False


def _view_filter(view: str, scope: Scope, now: dt.datetime) -> Q:
    if view == "overdue":
        return Q(status__in=OPEN_STATUSES, due_at__lt=now)
    if view == "escalated":
        return Q(status__in=OPEN_STATUSES) & ~Q(level=Level.COMMUNITY)
    if view == "done":
        start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time()))
        return Q(status=Status.DELIVERED, closed_at__gte=start)
    return Q(status__in=OPEN_STATUSES)


def triage(
    scope: Scope, view: str = "open", *, under: str = "", now: dt.datetime | None = None
) -> Triage:
    """What the community works from: the requests of one view (of the region path ``under``,
    else the user's whole area), most urgent due first, with the counts of every view (one
    grouped query) and the open duplicates of each row."""
    now = now or timezone.now()
    view = view if view in VIEWS else "open"
    base = requests(scope).filter(region_path__startswith=under)
    counts = base.aggregate(**{v: Count("id", filter=_view_filter(v, scope, now)) for v in VIEWS})
    rows = list(
        base.filter(_view_filter(view, scope, now))
        .select_related("household", "household__building", "household__grid")
        .order_by("due_at", "id")[: TRIAGE_LIMIT + 1]
    )
    more = len(rows) > TRIAGE_LIMIT
    rows = rows[:TRIAGE_LIMIT]
    out = Triage(view=view, rows=rows, counts=counts, more=more)
    waiting = [r for r in rows if r.status == Status.OPEN]
    if waiting:
        alike: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, household_id, kind in (
            base.filter(status=Status.OPEN, household_id__in={r.household_id for r in waiting})
            .order_by("id")
            .values_list("id", "household_id", "kind")
        ):
            alike[(household_id, kind)].append(pk)
        for r in waiting:
            others = [pk for pk in alike[(r.household_id, r.kind)] if pk != r.pk]
            if others:
                out.duplicates[r.pk] = others
    return out


def household_requests(household_id: int, *, days: int = 7) -> list[HelpRequest]:
    """A household's requests of the last ``days`` and every one still open: what the
    resident's page shows (the household proven by the resident)."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        HelpRequest.objects.filter(household_id=household_id)
        .filter(Q(raised_at__gte=since) | Q(status__in=OPEN_STATUSES))
        .exclude(status=Status.MERGED)
        .order_by("-raised_at", "-id")[:20]
    )


def team_done(team_ids: list[int], since: dt.date, until: dt.date) -> dict[int, tuple[int, int]]:
    """Requests delivered from ``since`` to ``until`` (whole days) per team, and of them those
    delivered by their due time. A delivery counts once, for the team its volunteer served
    when it was done (``volunteers.services.team_of``: their team, else their branch), as
    shifts do; the volunteers' league reads it (``volunteers.league.register_done``) and adds
    a branch's teams to it. One grouped query."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    out = {team: (0, 0) for team in team_ids}
    for i in range(0, len(team_ids), 5000):
        for row in (
            Task.objects.filter(
                status=TaskStatus.DELIVERED,
                team_id__in=team_ids[i : i + 5000],
                done_at__gte=start,
                done_at__lt=end,
            )
            .values("team_id")
            .annotate(
                done=Count("id"),
                on_time=Count("id", filter=Q(done_at__lte=F("request__due_at"))),
            )
            .order_by()
        ):
            out[row["team_id"]] = (row["done"], row["on_time"])
    return out


@dataclass(frozen=True)
class Step:
    """One step of a request's way as its household sees it."""

    label: str
    at: dt.datetime | None
    done: bool


def progress_of(r: HelpRequest) -> list[Step]:
    """Asked → a volunteer on it → picked up → delivered, with when each happened (the live or
    last task's times); nothing of the volunteer but that there is one."""
    task = r.tasks.order_by("-offered_at", "-id").first()
    live = task is not None and task.status in (
        TaskStatus.ACCEPTED,
        TaskStatus.PICKED_UP,
        TaskStatus.DELIVERED,
    )
    delivered = r.status == Status.DELIVERED
    return [
        Step(_("Asked"), r.raised_at, True),
        Step(_("A volunteer is on it"), task.answered_at if live else None, live or delivered),
        Step(
            _("Picked up, on the way"),
            task.picked_up_at if live else None,
            bool(live and task.picked_up_at) or delivered,
        ),
        Step(_("Delivered"), r.closed_at if delivered else None, delivered),
    ]
