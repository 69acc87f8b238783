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

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common.masking import mask_text
from fangkong.people.models import Person

from ..choices import LIVE_TASK, WORKING_TASK
from ..models import Task

RECENT_DAYS = 7


def my_tasks(scope: Scope) -> QuerySet[Task]:
    """The volunteer's tasks: live ones first (by due time), then those over in the last week."""
    scope.require(Cap.HELP_TASKS)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    live = Case(
        When(status__in=LIVE_TASK, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Task.objects.filter(volunteer__user_id=scope.user_id)
        .exclude(~Q(status__in=LIVE_TASK) & Q(done_at__lt=since))
        .select_related("request", "request__household", "request__household__building")
        .annotate(order=live)
        .order_by("order", "request__due_at", "-id")
    )


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
