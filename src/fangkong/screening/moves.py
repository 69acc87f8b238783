"""What of mass testing follows a person to another grid (registered in apps.py): their place in
the coverage counters, as coverage counts everyone where they live now (docs/screening.md).
The swabs, tubes and tasks themselves stay where they were taken.

A merge moves the dropped record's swabs to the kept person before it calls the movers: the
kept person is recounted in each campaign of their swabs, and the dropped record (found
through ``PersonMerge``) stops counting there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from fangkong.people.models import PersonMerge

from .models import Sample
from .services.counters import recount_persons

CHUNK = 2000  # ids per statement: under SQLite's limit on query parameters


def move_screening_counts(person_ids: Collection[int]) -> None:
    """Recount these persons (and the records merged into them) in every campaign they were
    swabbed in, in the mover's transaction."""
    ids = list(person_ids)
    pairs: set[tuple[int, int]] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        campaigns: dict[int, set[int]] = defaultdict(set)
        for campaign_id, person_id in (
            Sample.objects.filter(person_id__in=chunk)
            .order_by()
            .values_list("campaign_id", "person_id")
            .distinct()
        ):
            campaigns[person_id].add(campaign_id)
            pairs.add((campaign_id, person_id))
        for keep, dropped in PersonMerge.objects.filter(person_id__in=chunk).values_list(
            "person_id", "dropped_id"
        ):
            pairs.update((c, dropped) for c in campaigns[keep])
    recount_persons(pairs)
