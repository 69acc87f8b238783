"""Values from a query string, a form or an API body, and the bounds they must keep.

Pages forgive: a bad, missing or out-of-bounds value gives the default, never a 500. The API
refuses: its schemas use the bounded types below, so a value out of bounds is a 422 that says
the bound.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field

T = TypeVar("T")

# Ids are the database's signed 64-bit integers: a larger number cannot name a row, and
# SQLite and PostgreSQL both fail on it instead of finding nothing.
MAX_ID = 2**63 - 1
# Nobody reads page 10,001 of a list; an OFFSET that deep only costs the database.
MAX_PAGE = 10_000
# The days a screen or a report may show: from 2000-01-01 to a year ahead of today.
EARLIEST_DAY = dt.date(2000, 1, 1)
DAYS_AHEAD = 366


def latest_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DAYS_AHEAD)


def int_or(value: object, default: T) -> int | T:
    """An integer that fits the database's 64-bit columns, or ``default``."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return number if -MAX_ID <= number <= MAX_ID else default


def date_or(value: object, default: T = None) -> dt.date | T:  # type: ignore[assignment]
    try:
        return dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def day_or(value: object, default: T) -> dt.date | T:
    """A day to show, within EARLIEST_DAY .. a year from today, or ``default``."""
    day = date_or(value, None)
    if day is None or not EARLIEST_DAY <= day <= latest_day():
        return default
    return day


def time_or(value: object, default: T) -> dt.time | T:
    try:
        return dt.time.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _in_window(day: dt.date) -> dt.date:
    if not EARLIEST_DAY <= day <= latest_day():
        raise ValueError(
            _("day must be between %(first)s and %(last)s")
            % {"first": EARLIEST_DAY.isoformat(), "last": latest_day().isoformat()}
        )
    return day


# Bounded types for the API's schemas and parameters: out of bounds is a 422 naming the bound.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Day = Annotated[dt.date, AfterValidator(_in_window)]


class ErrorOut(Schema):
    """Every error the API answers: a message, messages by field, or the list ninja gives for
    a value its schema refuses."""

    detail: str | dict[str, str] | list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares, ``response={200: X, **error_responses(404)}``:
    always 400 (a NUL byte, refused for the whole site), 401 (no or a bad login) and 422 (a
    value its schema refuses), and the ``codes`` the operation adds."""
    return dict.fromkeys((400, 401, 422, *codes), ErrorOut)
