"""The window a health date must fall in: nothing before 2000, nothing in the future."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

# Before this no record of this system can be dated: a year-1 date is a slip, not history.
EARLIEST = dt.date(2000, 1, 1)


def date_problem(value: dt.date | None, today: dt.date) -> str | None:
    """What is wrong with ``value`` (None: nothing, or no date given)."""
    if value is None or EARLIEST <= value <= today:
        return None
    return _("the date %(d)s is outside %(first)s to today (%(today)s)") % {
        "d": value.isoformat(),
        "first": EARLIEST.isoformat(),
        "today": today.isoformat(),
    }


def check_dates(errors: dict[str, str], today: dt.date, **dates: dt.date | None) -> None:
    """Add a message to ``errors`` for each date outside the window."""
    for name, value in dates.items():
        problem = date_problem(value, today)
        if problem is not None:
            errors.setdefault(name, problem)
