"""A request given to a volunteer and worked on their phone: dispatched by hand, accepted or
declined, picked up, delivered or could not be done. Every step is a conditional update whose
row count is checked, so a step pressed twice (or resent by a phone) happens once, and two
dispatchers cannot give one request to two volunteers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.volunteers.choices import VolunteerStatus
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.services import team_of

from ..choices import OPEN_STATUSES, WORKING_TASK, Status, StopStatus, TaskStatus
from ..models import BuildingPoint, HelpRequest, Stop, Task
from .errors import HelpInvalid
from .volunteering import km_apart, live_counts, needs_of, skill_label, skills_of_volunteer

MAX_REASON = 200


def _reason(text: str, what: str) -> str:
    text = " ".join((text or "").split())[:MAX_REASON]
    if not text:
        raise HelpInvalid({"reason": what})
    return text


def km_between(request: HelpRequest, volunteer: Volunteer) -> float | None:
    building = request.household.building_id
    point = BuildingPoint.objects.filter(building_id=building).first() if building else None
    if point is None or volunteer.home_lat is None or volunteer.home_lon is None:
        return None
    return km_apart(point.lat, point.lon, volunteer.home_lat, volunteer.home_lon)


def check_dispatch(*, scope: Scope, user: User, request: HelpRequest, volunteer: Volunteer) -> Task:
    """Give a waiting request to one volunteer by hand: active, on call, inside the
    dispatcher's area, with every skill the kind needs and room for another task."""
    scope.require(Cap.HELP_DISPATCH)
    if not scope.contains(request.region_path) or not scope.contains(volunteer.region_path):
        raise HelpInvalid({"volunteer": _("no such volunteer in your area")})
    if request.status != Status.OPEN:
        raise HelpInvalid({"request": _("this request is not waiting for a volunteer")})
    if request.round_id is not None:
        raise HelpInvalid({"request": _("this request is delivered by its round")})
    if (
        volunteer.user_id is None
        or volunteer.status != VolunteerStatus.ACTIVE
        or not volunteer.on_call
    ):
        raise HelpInvalid({"volunteer": _("this volunteer is not on call now")})
    missing = [s for s in needs_of(request.kind) if s not in skills_of_volunteer(volunteer)]
    if missing:
        raise HelpInvalid(
            {
                "volunteer": _("this request needs %(skills)s, which this volunteer has not")
                % {"skills": "、".join(skill_label(s) for s in missing)}
            }
        )
    if live_counts([volunteer.pk]).get(volunteer.pk, 0) >= volunteer.capacity:
        raise HelpInvalid(
            {
                "volunteer": _("this volunteer already holds %(n)d tasks, their most at a time")
                % {"n": volunteer.capacity}
            }
        )
    km = km_between(request, volunteer)
    explain = {
        "zh": f"由{user.username}指派" + (f"，相距 {km:g} 公里" if km is not None else ""),
        "en": f"given by {user.username}" + (f", {km:g} km away" if km is not None else ""),
    }
    return do_offer(request=request, volunteer=volunteer, user=user, km=km, explain=explain)


def do_offer(
    *,
    request: HelpRequest,
    volunteer: Volunteer,
    user: User | None,
    km: float | None,
    explain: dict,
    now: dt.datetime | None = None,
) -> Task:
    now = now or timezone.now()
    try:
        with transaction.atomic():
            moved = HelpRequest.objects.filter(pk=request.pk, status=Status.OPEN).update(
                status=Status.OFFERED
            )
            if not moved:
                raise HelpInvalid({"request": _("this request is not waiting for a volunteer")})
            return Task.objects.create(
                request=request,
                volunteer=volunteer,
                region_path=request.region_path,
                km=km,
                explain=explain,
                dispatched_by=user,
                offered_at=now,
            )
    except IntegrityError as e:  # helptask_one_live_per_request: given at the same moment
        raise HelpInvalid({"request": _("this request was just given to someone else")}) from e


def _volunteer_of(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def _own(task: Task, user: User) -> None:
    if task.volunteer.user_id != user.pk:
        raise HelpInvalid({"task": _("this is not your task")})


def check_answer(*, user: User, task: Task, accept: bool, reason: str = "") -> Task:
    """The volunteer says yes (the request is theirs) or no, saying why (it waits again)."""
    _own(task, user)
    if task.status in (TaskStatus.ACCEPTED, TaskStatus.DECLINED) and (
        (task.status == TaskStatus.ACCEPTED) == accept
    ):
        return task  # the same answer again: a resent form
    if task.status != TaskStatus.OFFERED:
        raise HelpInvalid({"task": _("this task is no longer waiting for your answer")})
    if not accept:
        reason = _reason(reason, _("say why you cannot take it (busy, too far, cannot carry it)"))
    return do_answer(task=task, accept=accept, reason=reason)


def do_answer(*, task: Task, accept: bool, reason: str = "") -> Task:
    now = timezone.now()
    with transaction.atomic():
        done = Task.objects.filter(pk=task.pk, status=TaskStatus.OFFERED).update(
            status=TaskStatus.ACCEPTED if accept else TaskStatus.DECLINED,
            answered_at=now,
            reason=reason,
            done_at=None if accept else now,
        )
        if not done:
            raise HelpInvalid({"task": _("this task is no longer waiting for your answer")})
        HelpRequest.objects.filter(pk=task.request_id, status=Status.OFFERED).update(
            status=Status.ACCEPTED if accept else Status.OPEN
        )
    task.refresh_from_db()
    return task


STEPS = ("picked_up", "delivered", "could_not")


def check_progress(*, user: User, task: Task, step: str, reason: str = "") -> Task:
    """Picked up, delivered, or could not be done (saying why: the request waits for another
    volunteer). The same step again changes nothing."""
    _own(task, user)
    target = {
        "picked_up": TaskStatus.PICKED_UP,
        "delivered": TaskStatus.DELIVERED,
        "could_not": TaskStatus.COULD_NOT,
    }.get(step)
    if target is None:
        raise HelpInvalid({"step": _("allowed: picked up, delivered, could not")})
    if task.status == target:
        return task
    allowed_from: list[str] = (
        [TaskStatus.ACCEPTED] if target == TaskStatus.PICKED_UP else list(WORKING_TASK)
    )
    if task.status not in allowed_from:
        raise HelpInvalid({"task": _("this task is %(s)s") % {"s": task.get_status_display()}})
    if target == TaskStatus.COULD_NOT:
        reason = _reason(reason, _("say why it could not be done"))
    return do_progress(task=task, target=target, allowed_from=allowed_from, reason=reason)


def do_progress(*, task: Task, target: str, allowed_from: Sequence[str], reason: str = "") -> Task:
    now = timezone.now()
    fields: dict = {"status": target}
    if target == TaskStatus.PICKED_UP:
        fields["picked_up_at"] = now
    else:
        fields.update(done_at=now, reason=reason)
    if target == TaskStatus.DELIVERED:
        fields["team"] = team_of(task.volunteer)  # whom the league counts it for
    with transaction.atomic():
        if not Task.objects.filter(pk=task.pk, status__in=allowed_from).update(**fields):
            raise HelpInvalid({"task": _("this task changed meanwhile; reload")})
        requests = HelpRequest.objects.filter(pk=task.request_id, status__in=OPEN_STATUSES)
        if target == TaskStatus.PICKED_UP:
            requests.update(status=Status.PICKED_UP)
        elif target == TaskStatus.DELIVERED:
            requests.update(status=Status.DELIVERED, closed_at=now)
            Stop.objects.filter(request_id=task.request_id).update(
                status=StopStatus.DELIVERED, marked_at=now, marked_by=task.volunteer.user_id
            )
        else:
            requests.update(status=Status.OPEN)
    task.refresh_from_db()
    return task


def check_withdraw(*, scope: Scope, user: User, task: Task, reason: str) -> Task:
    """The community takes a task back (the volunteer cannot be reached); the request waits."""
    scope.require(Cap.HELP_DISPATCH)
    if not task.is_live:
        raise HelpInvalid({"task": _("this task is already over")})
    reason = _reason(reason, _("say why the task is taken back"))
    now = timezone.now()
    with transaction.atomic():
        if not Task.objects.filter(pk=task.pk, status=task.status).update(
            status=TaskStatus.WITHDRAWN, done_at=now, reason=reason
        ):
            raise HelpInvalid({"task": _("this task changed meanwhile; reload")})
        HelpRequest.objects.filter(pk=task.request_id, status__in=OPEN_STATUSES).update(
            status=Status.OPEN
        )
    task.refresh_from_db()
    return task
