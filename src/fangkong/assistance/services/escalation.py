"""Overdue requests go up the tree as fever alerts do (health's ``escalate_overdue_alerts``):
the community's to the street, the street's to the district, each with ESCALATED_MINUTES to act
before it goes up again. A step of the ``fangkong escalate`` timer (common/timers.py)."""

from __future__ import annotations

import datetime as dt

from ..choices import OPEN_STATUSES
from ..deadlines import ESCALATED_MINUTES, NEXT_LEVEL
from ..models import HelpRequest

BATCH = 2000


def escalate_overdue_requests(now: dt.datetime, *, batch: int = BATCH) -> tuple[int, bool]:
    """Move up to ``batch`` overdue open requests of each level one level up; (how many moved,
    whether more are waiting). A request moves only if it is still at the level it was read
    at, so two passes at once move it once."""
    moved = 0
    more = False
    deadline = now + dt.timedelta(minutes=ESCALATED_MINUTES)
    # the street's first: a request moved up from the community in this pass is not moved again
    for level, up in reversed(list(NEXT_LEVEL.items())):
        ids = list(
            HelpRequest.objects.filter(status__in=OPEN_STATUSES, level=level, deadline_at__lt=now)
            .order_by("deadline_at")
            .values_list("id", flat=True)[:batch]
        )
        more = more or len(ids) == batch
        if ids:
            moved += HelpRequest.objects.filter(
                pk__in=ids, level=level, status__in=OPEN_STATUSES
            ).update(level=up, escalated_at=now, deadline_at=deadline)
    return moved, more
