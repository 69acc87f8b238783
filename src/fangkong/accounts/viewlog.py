"""The buffer behind the read log: views of persons' records, kept in the process and written
in bulk (``services.flush_person_views``), never a row per request in the request's transaction.

A flush happens after a response when the buffer holds VIEW_LOG_BATCH views or its oldest is
VIEW_LOG_SECONDS old; in a server process (``fangkong.wsgi``) a daemon thread also flushes every
VIEW_LOG_SECONDS when no request comes, and the process flushes at exit. A crash (kill -9,
power) loses at most the views of the last VIEW_LOG_SECONDS. See docs/scope.md.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

# When a flush fails (the database is away) the views are kept for the next one, up to this
# many; beyond it the oldest are dropped (and the drop logged) rather than the process's memory.
MAX_KEPT = 100_000


@dataclass(frozen=True, slots=True)
class View:
    at: dt.datetime
    user_id: int | None
    username: str
    person_id: int
    region_path: str
    ip: str | None
    path: str


class ViewBuffer:
    """Views waiting to be written, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: list[View] = []
        self._since = 0.0  # monotonic time of the oldest waiting view

    def add(self, view: View) -> None:
        with self._lock:
            if not self._views:
                self._since = time.monotonic()
            self._views.append(view)

    def due(self, *, batch: int, seconds: float) -> bool:
        n = len(self._views)  # a racy read is fine: a flush merely comes one request later
        return n >= batch or (n > 0 and time.monotonic() - self._since >= seconds)

    def take(self) -> list[View]:
        with self._lock:
            views, self._views = self._views, []
            return views

    def put_back(self, views: list[View]) -> int:
        """Return views a failed flush took; how many had to be dropped."""
        with self._lock:
            if not self._views:
                self._since = time.monotonic()
            merged = views + self._views
            dropped = max(0, len(merged) - MAX_KEPT)
            self._views = merged[dropped:]
            return dropped

    def __len__(self) -> int:
        return len(self._views)


class Flusher:
    """A daemon thread calling ``flush`` every ``seconds`` while it returns True (started once
    per process, again after a fork: a forked worker does not inherit the thread)."""

    def __init__(self) -> None:
        self._pid = 0
        self._lock = threading.Lock()

    def ensure_running(self, flush, seconds: float) -> None:
        import os

        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            threading.Thread(
                target=self._loop, args=(flush, seconds), name="fangkong-view-log", daemon=True
            ).start()

    @staticmethod
    def _loop(flush, seconds: float) -> None:
        while True:
            time.sleep(seconds)
            if not flush():
                return
