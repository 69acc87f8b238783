"""The steps the one background timer runs (``fangkong escalate``, docs/architecture.md).

Anything with a deadline escalates from the same timer: an app registers a step from its
``AppConfig.ready``; the command runs the fever alerts' own pass and then each registered
step. A step is ``fn(now) -> (done, more)``: it does one bounded batch and says how many it
handled and whether work is left, and the command calls it again until it says no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

Step = Callable[[dt.datetime], tuple[int, bool]]


@dataclass(frozen=True)
class TimerStep:
    name: str  # what the command prints: "escalated N <name>"
    fn: Step


_STEPS: dict[str, TimerStep] = {}


def register_step(name: str, fn: Step) -> None:
    _STEPS[name] = TimerStep(name, fn)


def registered_steps() -> list[TimerStep]:
    return list(_STEPS.values())


def run_step(step: TimerStep, now: dt.datetime, *, max_batches: int = 1000) -> int:
    """Run a step batch after batch until it has no more work (or ``max_batches``)."""
    total = 0
    for _batch in range(max_batches):
        done, more = step.fn(now)
        total += done
        if not more:
            break
    return total
