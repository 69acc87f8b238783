"""Reads of help requests for pages, the API, the report and the volunteers' league; each takes
the scope (or, for a resident, the proven household) first."""

from .requests import (
    Step,
    Triage,
    household_requests,
    progress_of,
    request_or_404,
    requests,
    team_done,
    triage,
)

__all__ = [
    "Triage",
    "Step",
    "household_requests",
    "progress_of",
    "request_or_404",
    "requests",
    "team_done",
    "triage",
]
from .tasks import TaskCard, card, contact_phone, my_task_or_404, my_tasks  # noqa: E402

__all__ += ["TaskCard", "card", "contact_phone", "my_task_or_404", "my_tasks"]
from .staff import (  # noqa: E402
    Suggestion,
    advance_or_404,
    request_advances,
    request_tasks,
    suggestions,
)

__all__ += ["Suggestion", "advance_or_404", "request_advances", "request_tasks", "suggestions"]
