"""Reads for labs and for the tasks results give.

A lab operator reads through their lab, never through a region: the tubes sent to it (barcode,
swab count, when sent, the result), its imports and its conflicts; never who is in a tube.
Another lab's tube, or an id guessed, is simply not there (404). Tasks are read by their
assignee, inside the assignee's scope, and, once a task is overdue and has gone up the tree
(services/escalation.py), by the staff of the level it reached and of the levels below it,
inside their scope (a community's staff see what reached their community or went on to the
street; the street's staff what reached the street or the district).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from fangkong.accounts.choices import Role
from fangkong.accounts.scope import Cap, Scope

from .choices import TaskLevel, TaskStatus, TubeStatus
from .labmodels import Lab, LabImport, LabOperator, ResultConflict, Task
from .models import Tube

MAX_LISTED = 200


def lab_or_none(user, scope: Scope) -> Lab | None:
    """The lab of a lab operator, None for one not yet given a lab; 403 for anyone else."""
    scope.require(Cap.LAB_RESULTS)
    operator = LabOperator.objects.select_related("lab").filter(user_id=user.pk).first()
    return operator.lab if operator is not None else None


def lab_of(user, scope: Scope) -> Lab:
    """The lab of a lab operator; 403 for anyone else (or an operator not yet given a lab)."""
    lab = lab_or_none(user, scope)
    if lab is None:
        raise PermissionDenied
    return lab


def lab_tubes(lab: Lab) -> QuerySet[Tube]:
    """The tubes sent to ``lab``: barcode, swab count, when sent; no people."""
    return (
        Tube.objects.filter(dispatch__lab=lab)
        .annotate(n=Count("samples"))
        .select_related("dispatch", "result")
        .only(
            "id",
            "barcode",
            "pool_size",
            "status",
            "closed_at",
            "dispatch__sent_at",
            "result__result",
            "result__ct_orf1ab",
            "result__ct_n",
            "result__reported_at",
        )
    )


def lab_waiting(lab: Lab) -> QuerySet[Tube]:
    """The lab's tubes with no result yet, the oldest sent first."""
    return lab_tubes(lab).filter(result__isnull=True).order_by("dispatch__sent_at", "id")


def lab_tube_or_404(lab: Lab, barcode: str) -> Tube:
    return get_object_or_404(lab_tubes(lab), barcode=barcode)


def lab_imports(lab: Lab) -> QuerySet[LabImport]:
    return LabImport.objects.filter(lab=lab).order_by("-at", "-id")


def lab_conflicts(lab: Lab, *, open_only: bool = True) -> QuerySet[ResultConflict]:
    qs = ResultConflict.objects.filter(lab=lab).select_related("tube").order_by("-created_at")
    return qs.filter(confirmed_at__isnull=True) if open_only else qs


def lab_conflict_or_404(lab: Lab, pk: int) -> ResultConflict:
    return get_object_or_404(lab_conflicts(lab, open_only=False), pk=pk)


def lab_counts(lab: Lab) -> dict[str, int]:
    return lab_tubes(lab).aggregate(
        sent=Count("id"),
        waiting=Count("id", filter=Q(result__isnull=True)),
        positive=Count("id", filter=Q(result__result="positive")),
    )


# The level of the tree a role's staff answer for; an escalated task is theirs from the level
# it reached up to theirs. Grid workers answer for the tasks assigned to them.
ANSWERS_AT: dict[str, str] = {
    Role.COMMUNITY: TaskLevel.COMMUNITY,
    Role.STREET: TaskLevel.STREET,
    Role.DISTRICT: TaskLevel.DISTRICT,
}
_LEVELS = list(TaskLevel.values)


def follows_tasks(scope: Scope) -> bool:
    """Whether the user has a task list: samplers (their own tasks) and the staff of a level
    that escalated tasks reach."""
    return scope.can(Cap.SAMPLING) or (scope.role in ANSWERS_AT and scope.can(Cap.SCREENING_VIEW))


def _answered_by(user, scope: Scope) -> Q:
    """The tasks the user answers for: assigned to them, or escalated to their level or
    above."""
    q = Q(assignee_id=user.pk) if scope.can(Cap.SAMPLING) else Q(pk__in=[])
    level = ANSWERS_AT.get(scope.role)
    if level is not None and scope.can(Cap.SCREENING_VIEW):
        q |= Q(level__in=_LEVELS[_LEVELS.index(level) :])
    return q


def my_tasks(user, scope: Scope, *, done: bool = False) -> QuerySet[Task]:
    """The tasks the user answers for (assigned to them, or escalated to their level), inside
    their scope: open ones by deadline, the most overdue first (done ones, newest first, with
    ``done``)."""
    if not follows_tasks(scope):
        raise PermissionDenied
    qs = scope.filter(Task.objects.filter(_answered_by(user, scope))).select_related(
        "person", "person__grid", "person__household", "person__household__building", "tube"
    )
    if done:
        return qs.filter(status=TaskStatus.DONE).order_by("-closed_at", "-id")
    return qs.filter(status=TaskStatus.OPEN).order_by("deadline_at", "id")


def my_task_or_404(user, scope: Scope, pk: int) -> Task:
    """One of the tasks the user answers for and may swab, open or done (a retried post finds
    it done); else 404."""
    scope.require(Cap.SAMPLING)
    return get_object_or_404(scope.filter(Task.objects.filter(_answered_by(user, scope))), pk=pk)


def sendable_tubes(scope: Scope) -> QuerySet[Tube]:
    """Closed tubes of the viewer's area not yet sent to a lab."""
    scope.require(Cap.SAMPLING)
    return scope.filter(
        Tube.objects.filter(status=TubeStatus.CLOSED, dispatch__isnull=True)
    ).order_by("closed_at", "id")
