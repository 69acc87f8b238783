"""When people move to another grid, what other apps keep about them follows.

``people`` knows nothing of the apps built on it (health, testing, help requests), so each of
them registers a mover here (in its AppConfig.ready()), and every change that moves people —
a ledger import, an edit, a merge — calls ``person_moved`` inside its own transaction, after
the persons' new ``region_path`` is saved. A mover makes one UPDATE per table for the whole
batch (a ledger import may move thousands), copying the path from the person rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

Mover = Callable[[Collection[int]], None]

_movers: list[Mover] = []


def register_mover(fn: Mover) -> Mover:
    """Add ``fn(person_ids)`` to what runs when people move (once, however often called)."""
    if fn not in _movers:
        _movers.append(fn)
    return fn


def person_moved(person_ids: Collection[int]) -> None:
    """These persons' region_path has changed (already saved): let every app move what
    follows them, in the caller's transaction."""
    ids = list(person_ids)
    if not ids:
        return
    for mover in _movers:
        mover(ids)
