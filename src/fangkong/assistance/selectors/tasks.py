"""A volunteer's own tasks, and what they may see of each: the least they need.

Offered (not yet accepted): the kind, how urgent, what is needed, the building and how far;
no door, no phone. Accepted and under way: the address to the door and the phone to call, in
full on the task's own page only, each showing audited (``view_unmasked``). Over: the address
without the door, and no phone. No name is ever shown. The phone is never shown masked to a
volunteer either: its last four digits are what opens the household on the building's QR page
(health's resident page), and a volunteer stands in that stairwell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common.masking import mask_text
from fangkong.people.models import Person

from ..choices import LIVE_TASK, WORKING_TASK, TaskStatus
from ..models import Task

OVER_TASK = (
    TaskStatus.DELIVERED,
    TaskStatus.COULD_NOT,
    TaskStatus.DECLINED,
    TaskStatus.WITHDRAWN,
)

RECENT_DAYS = 7


MAX_LISTED = 100


def my_tasks(scope: Scope, limit: int = MAX_LISTED) -> list[Task]:
    """The volunteer's tasks: live ones first (by due time), then those over in the last week
    (latest first). Two queries, each led by the volunteer on ``helptask_mine``
    (volunteer, status, …), so a city's tasks are never scanned."""
    scope.require(Cap.HELP_TASKS)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    mine = Task.objects.filter(volunteer__user_id=scope.user_id).select_related(
        "request", "request__household", "request__household__building"
    )
    live = list(mine.filter(status__in=LIVE_TASK).order_by("request__due_at", "id")[:limit])
    over = list(
        mine.filter(status__in=OVER_TASK, done_at__gte=since).order_by("-done_at", "-id")[
            : max(0, limit - len(live))
        ]
    )
    return live + over


def my_task_or_404(scope: Scope, pk: int) -> Task:
    """One of the volunteer's own tasks; another's answers 404, as if it did not exist."""
    scope.require(Cap.HELP_TASKS)
    task = (
        Task.objects.filter(pk=pk, volunteer__user_id=scope.user_id)
        .select_related(
            "request", "request__household", "request__household__building", "volunteer"
        )
        .first()
    )
    if task is None:
        raise Http404
    return task


@dataclass(frozen=True)
class TaskCard:
    """What a volunteer reads of a task."""

    task: Task
    place: str  # the building (offered, over) or the address to the door (working)
    needed: str  # identifiers in it masked
    phone: str  # in full while working, on the task's page only; else ""
    working: bool


def contact_phone(task: Task) -> str:
    """The phone the request gave, or the household's first registered one (the head first)."""
    if task.request.phone:
        return task.request.phone
    rows = list(
        Person.objects.filter(household_id=task.request.household_id)
        .exclude(phone="")
        .order_by("id")
        .values_list("relation", "phone")
    )
    for relation, phone in rows:
        if relation == "户主":
            return phone
    return rows[0][1] if rows else ""


def _place(task: Task, working: bool) -> str:
    household = task.request.household
    building = household.building
    if building is None:
        return household.address if working else ""
    where = building.address or building.name
    if not working:
        return f"{building.name} {building.address}".strip()
    return f"{where} {household.label}" if building.address else household.label


def card(task: Task, *, detail: bool = False, request=None, user=None) -> TaskCard:
    """A task as its volunteer may read it; the phone only on its page while working, and that
    showing is audited."""
    working = task.status in WORKING_TASK
    phone = ""
    if detail and working:
        phone = contact_phone(task)
        if phone:
            record_audit(
                user=user,
                action=AuditAction.VIEW_UNMASKED,
                object_type="help_request",
                object_id=task.request_id,
                region_path=task.region_path,
                request=request,
                detail={"via": "volunteer_task", "task": task.pk, "fields": ["phone", "door"]},
            )
    return TaskCard(
        task=task,
        place=_place(task, working),
        needed=mask_text(task.request.needed),
        phone=phone,
        working=working,
    )
