"""Mass testing's panel on a sampler's first page: their open retests and re-samples (and, for
the staff of a community, street or district, those escalated to them)."""

from __future__ import annotations

from django.utils import timezone

from fangkong.accounts.panels import Panel, register_panel
from fangkong.accounts.scope import Cap, scope_of

from . import labselectors

SHOWN = 3


def my_tasks_panel(request) -> Panel | None:
    scope = scope_of(request.user)
    if not labselectors.follows_tasks(scope):
        return None
    tasks = list(labselectors.my_tasks(request.user, scope)[: SHOWN + 1])
    if not tasks:
        return None
    return Panel(
        "screening/_tasks_panel.html",
        {
            "tasks": tasks[:SHOWN],
            "more": len(tasks) > SHOWN,
            "named": scope.can(Cap.VIEW_PEOPLE),
            "now": timezone.now(),
        },
    )


def register() -> None:
    register_panel(my_tasks_panel)
