"""Values from a query string or a form: a bad or missing one gives the default, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

T = TypeVar("T")


def int_or(value: object, default: T) -> int | T:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def date_or(value: object, default: T = None) -> dt.date | T:  # type: ignore[assignment]
    try:
        return dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def time_or(value: object, default: T) -> dt.time | T:
    try:
        return dt.time.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
