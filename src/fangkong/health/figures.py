"""Keeping the staff view's cached figures fresh: what a user just did shows at once.

The day's figures of a region are counted once and kept (``DAY_FIGURES_SECONDS``), under a key
that carries a version per region path and one for everything. A write that changes figures
calls ``figures_changed(paths)``; once its transaction commits, the versions of those paths and
of all their ancestors are replaced, so the next read of any of them counts afresh, for every
day at once (closing an alert changes the open count of past days too). Reads of untouched
regions keep their cache.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from fangkong.regions.models import PATH_SEP

# The day's figures scan the day's check-ins under the region (a third of a second for a
# district of a million), so they are kept this long unless a write under the region comes
# first; the page says when they were counted.
DAY_FIGURES_SECONDS = 60

_EVERYTHING = "health-figures:v"


def _version_key(path: str) -> str:
    return f"health-figures:v:{path}"


def ancestors(path: str) -> list[str]:
    """``path`` and every region path above it ("43/4301/" → "43/", "43/4301/")."""
    codes = [c for c in path.split(PATH_SEP) if c]
    return [PATH_SEP.join(codes[: i + 1]) + PATH_SEP for i in range(len(codes))]


def figures_key(path: str, day: dt.date) -> str:
    """The cache key of a region's figures of a day, as of the latest change under it."""
    keys = [_EVERYTHING, _version_key(path)]
    versions = cache.get_many(keys)
    for key in keys:
        if key not in versions:  # never set, or evicted: a new version no old entry carries
            cache.add(key, uuid.uuid4().hex, None)
            versions[key] = cache.get(key)
    return f"health-day:{path}:{day}:{versions[_EVERYTHING]}:{versions[_version_key(path)]}"


def figures_changed(paths: Iterable[str] | None) -> None:
    """The figures of these region paths (and so of their ancestors) change when the current
    transaction commits; ``None``: every region's (a rule or a person's region changed)."""
    if paths is None:
        keys = [_EVERYTHING]
    else:
        keys = sorted({_version_key(a) for p in set(paths) for a in ancestors(p)})
    if keys:
        transaction.on_commit(lambda: cache.set_many({k: uuid.uuid4().hex for k in keys}, None))
