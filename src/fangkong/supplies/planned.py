"""Planned use of supplies that other apps know of (a testing campaign's swabs, tubes and
suits), handed to the forecast through a registration hook so that supplies imports none of
them: a provider takes a region path and a span of days and returns what it expects to use.
The composition root (``fangkong.ops``) registers the providers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlannedUse:
    item: str  # a catalog item's name
    day: dt.date
    qty: float
    source: str  # what plans it ("第3轮全员核酸")


Provider = Callable[[str, dt.date, dt.date], list[PlannedUse]]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace) the provider called ``name``."""
    _PROVIDERS[name] = provider


def planned_use(path: str, first: dt.date, last: dt.date) -> list[PlannedUse]:
    """Every provider's planned use in the region ``path`` from ``first`` to ``last``."""
    out: list[PlannedUse] = []
    for provider in _PROVIDERS.values():
        out.extend(u for u in provider(path, first, last) if first <= u.day <= last)
    return out
