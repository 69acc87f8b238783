"""The volunteer's first page: the help tasks waiting for them (offered, accepted, on the way)."""

from __future__ import annotations

from fangkong.accounts.panels import Panel
from fangkong.accounts.scope import Cap, scope_of

from . import selectors
from .choices import LIVE_TASK

SHOWN = 3


def my_tasks_panel(request) -> Panel | None:
    scope = scope_of(request.user)
    if not scope.can(Cap.HELP_TASKS):
        return None
    live = list(selectors.my_tasks(scope).filter(status__in=LIVE_TASK)[: SHOWN + 1])
    if not live:
        return None
    return Panel(
        "assistance/_tasks_panel.html",
        {"cards": [selectors.card(t) for t in live[:SHOWN]], "more": len(live) > SHOWN},
    )
