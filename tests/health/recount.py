"""The day's health figures counted again in Python from every raw row (the slow way the
report must never take), to hold the counters' figures against."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import CheckIn

TODAY = timezone.localdate

HEALTH_KEYS = ("due", "reported", "checked_in", "check_ins", "watched")


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def report_values(region, day: dt.date) -> dict:
    """The daily report's health figures per grid path (whole day, or today as of now)."""
    from fangkong.accounts.models import User
    from fangkong.health.report import health_values

    hq = scope_of(User.objects.get(username="hq"))
    values = health_values(hq, region, day, min(timezone.now(), end_of(day)))
    return {p: kept for p, v in values.items() if any(kept := [v.get(k, 0) for k in HEALTH_KEYS])}


def recounted_values(region, day: dt.date) -> dict:
    """The same figures counted again in Python from every raw row, the slow way: who is due
    by the region's rule, who of them checked in, in the grid they are due in."""
    from fangkong.health.models import Observation
    from fangkong.health.rules import everyone_reports
    from fangkong.people.models import Person

    until = min(timezone.now(), end_of(day))
    rows = [c for c in CheckIn.objects.all() if c.on == day and c.measured_at < until]
    checked = {(c.region_path, c.person_id) for c in rows}
    residents: dict[str, set[int]] = {}
    for p in Person.objects.all():
        if p.created_at < until:
            residents.setdefault(p.region_path, set()).add(p.pk)
    watched: dict[str, set[int]] = {}
    for o in Observation.objects.all():
        if o.active_on(day):
            watched.setdefault(o.region_path, set()).add(o.person_id)
    paths = {c.region_path for c in rows} | set(residents) | set(watched)
    paths = {p for p in paths if p.startswith(region.path)}
    everyone = everyone_reports(paths)
    out = {}
    for path in paths:
        persons = {pid for where, pid in checked if where == path}
        if everyone[path]:
            due = len(residents.get(path, ()))
            reported = min(len(persons), due)  # who checked in there (people who moved since
            if day == TODAY():  # stay on past days); today, those are the grid's residents
                assert persons <= residents.get(path, set())
        else:
            due = len(watched.get(path, ()))
            reported = len(watched.get(path, set()) & persons)
        kept = [
            due,
            reported,
            len(persons),
            sum(c.region_path == path for c in rows),
            len(watched.get(path, ())),
        ]
        if any(kept):
            out[path] = kept
    return out
