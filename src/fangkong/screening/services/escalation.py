"""Retests and re-samples not taken in time go up the tree as fever alerts and help requests
do (health's ``escalate_overdue_alerts``, assistance's ``escalate_overdue_requests``): the grid
worker's to the community, the community's to the street, the street's to the district, each
level with ESCALATED_MINUTES to have the person swabbed before it goes up again. A step of the
``fangkong escalate`` timer (common/timers.py), registered from ``ScreeningConfig.ready``.

The task keeps its assignee (the grid worker still has it on their phone) and its deadline
(the person's); what changes is who else answers for it: ``level``, reached at
``escalated_at``. A swab closes it whatever its level (``tasks.do_close_tasks_by_swabs``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from ..choices import TaskLevel, TaskStatus
from ..labmodels import Task

BATCH = 2000
# A level has two hours to get the person swabbed (the grid worker had the task's own
# deadline: 12 hours for a retest, 24 for a re-sample) before the level above hears of it.
ESCALATED_MINUTES = 120
NEXT_LEVEL: dict[str, str] = {
    TaskLevel.GRID: TaskLevel.COMMUNITY,
    TaskLevel.COMMUNITY: TaskLevel.STREET,
    TaskLevel.STREET: TaskLevel.DISTRICT,
}


def _overdue(level: str, now: dt.datetime) -> Q:
    """Open tasks of ``level`` whose time at that level is up at ``now``."""
    if level == TaskLevel.GRID:
        return Q(deadline_at__lt=now)
    return Q(escalated_at__lte=now - dt.timedelta(minutes=ESCALATED_MINUTES))


def escalate_overdue_tasks(now: dt.datetime, *, batch: int = BATCH) -> tuple[int, bool]:
    """Move up to ``batch`` overdue open tasks of each level one level up; (how many moved,
    whether more are waiting). A task moves only if it is still open at the level it was read
    at, so two passes at once move it once, and a pass run again within the interval moves
    nothing."""
    moved = 0
    more = False
    # the top first: a task moved up in this pass is not moved again
    for level, up in reversed(list(NEXT_LEVEL.items())):
        ids = list(
            Task.objects.filter(_overdue(level, now), status=TaskStatus.OPEN, level=level)
            .order_by("deadline_at", "id")
            .values_list("id", flat=True)[:batch]
        )
        more = more or len(ids) == batch
        if ids:
            moved += Task.objects.filter(pk__in=ids, level=level, status=TaskStatus.OPEN).update(
                level=up, escalated_at=now
            )
    return moved, more
