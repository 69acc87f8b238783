"""What of a person's health record follows them to another grid (registered in apps.py).

What is still going on follows: the open alert (the new grid worker must act on it, the old
one no longer can), observation periods not yet over, and today's check-ins (so today's
"missing" list and coverage of the new grid count them). What happened stays where it
happened: past days' check-ins, closed alerts, periods already over, cases, contacts and
checkpoint passages — each day's figures of a region stay what they were (docs/health.md).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from fangkong.people.models import Person

from .figures import figures_changed
from .models import Alert, CheckIn, Observation

# ids per statement: under SQLite's limit on query parameters
CHUNK = 2000


def move_health_records(person_ids: Collection[int]) -> None:
    """One UPDATE per table (per 2,000 persons): each row takes its person's path."""
    today = timezone.localdate()
    path = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("region_path")[:1])
    ids = list(person_ids)
    figures_changed(None)  # the old and the new regions' figures both change
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        Alert.objects.filter(person_id__in=chunk, closed_at__isnull=True).update(region_path=path)
        Observation.objects.filter(person_id__in=chunk, end_on__gte=today).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        ).update(region_path=path)
        CheckIn.objects.filter(person_id__in=chunk, on__gte=today).update(region_path=path)
