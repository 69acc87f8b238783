"""Reads for labs and for the tasks results give.

A lab operator reads through their lab, never through a region: the tubes sent to it (barcode,
swab count, when sent, the result), its imports and its conflicts; never who is in a tube.
Another lab's tube, or an id guessed, is simply not there (404). Tasks are read by their
assignee, inside the assignee's scope; staff with sampling see their area's open tasks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from fangkong.accounts.scope import Cap, Scope

from .choices import TaskStatus, TubeStatus
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


def my_tasks(user, scope: Scope, *, done: bool = False) -> QuerySet[Task]:
    """The tasks assigned to the user, inside their scope: open ones by deadline (done ones,
    newest first, with ``done``)."""
    scope.require(Cap.SAMPLING)
    qs = scope.filter(Task.objects.filter(assignee_id=user.pk)).select_related(
        "person", "person__household", "person__household__building", "tube"
    )
    if done:
        return qs.filter(status=TaskStatus.DONE).order_by("-closed_at", "-id")
    return qs.filter(status=TaskStatus.OPEN).order_by("deadline_at", "id")


def my_task_or_404(user, scope: Scope, pk: int) -> Task:
    """One of the user's tasks, open or done (a retried post finds it done); else 404."""
    scope.require(Cap.SAMPLING)
    return get_object_or_404(scope.filter(Task.objects.filter(assignee_id=user.pk)), pk=pk)


def area_open_tasks(scope: Scope) -> QuerySet[Task]:
    """Open tasks in the viewer's area, whoever has them (a community's staff follow them)."""
    scope.require(Cap.SAMPLING)
    return scope.filter(Task.objects.filter(status=TaskStatus.OPEN))


def open_task_count(user, scope: Scope) -> int:
    if not scope.can(Cap.SAMPLING):
        return 0
    return scope.filter(Task.objects.filter(assignee_id=user.pk, status=TaskStatus.OPEN)).count()


def sendable_tubes(scope: Scope) -> QuerySet[Tube]:
    """Closed tubes of the viewer's area not yet sent to a lab."""
    scope.require(Cap.SAMPLING)
    return scope.filter(
        Tube.objects.filter(status=TubeStatus.CLOSED, dispatch__isnull=True)
    ).order_by("closed_at", "id")
