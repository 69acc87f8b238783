"""Panels an app adds to a user's first page (their own region's page): "my tasks" from
mass testing, and whatever later apps give a person to do.

The page's app knows no domain: each app registers a function of the request that returns a
``Panel`` (a template and its context) or None, once, in its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


_PANELS: list[Callable] = []


def register_panel(fn: Callable) -> None:
    if fn not in _PANELS:
        _PANELS.append(fn)


def panels_for(request) -> list[Panel]:
    """The panels for this user's first page, in the order the apps registered them."""
    return [p for p in (fn(request) for fn in _PANELS) if p is not None]
