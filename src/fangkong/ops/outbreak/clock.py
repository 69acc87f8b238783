"""The outbreak's clock: events replayed in time order, each with "now" set to its moment.

The health services date what they write by ``timezone.now()`` (an alert opens when its
check-in arrives, a contact's period starts on the day it is registered, a record's
``created_at``). Replaying two weeks through those services, each event runs with Django's
clock set to the moment it happened, so the rules apply exactly as they would have then. Only
the seeding process is affected, and only while an event runs (seeding is single-threaded and
happens before the server starts).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def clock_at(at: dt.datetime) -> Iterator[None]:
    real = timezone.now
    timezone.now = lambda: at  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real  # type: ignore[assignment]


class Timeline:
    """Events in time order; an event may schedule later ones. Nothing after ``end`` runs."""

    def __init__(self, end: dt.datetime):
        self.end = end
        self._heap: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, when: dt.datetime, action: Callable[[], None]) -> None:
        if when <= self.end:
            heapq.heappush(self._heap, (when, next(self._seq), action))

    def run(self) -> None:
        while self._heap:
            when, _n, action = heapq.heappop(self._heap)
            with clock_at(when):
                action()


@functools.lru_cache(maxsize=8192)  # asked for a hundred thousand times a replay
def local(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware moment of a local day (the project's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))
