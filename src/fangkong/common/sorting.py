"""Natural order for labels people read: 2栋 before 10栋, 1-101 before 1-1001."""

from __future__ import annotations

import re

_RUNS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key comparing runs of digits as numbers and the rest as (case-folded) text; a
    number sorts before text at the same place, and "01" just before "1"."""
    key = []
    for i, run in enumerate(_RUNS.split(text or "")):
        if i % 2:
            key.append((0, int(run), run))
        elif run:
            key.append((1, 0, run.casefold()))
    return tuple(key)
