"""Checkpoints and their passages, as a post needs them: never who passed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fangkong.accounts.scope import Scope
from fangkong.common.idnumbers import normalise
from fangkong.people.models import Person
from fangkong.regions.models import Region

from ..choices import ObservationKind, PassageOutcome
from ..models import (
    Alert,
    Checkpoint,
    Observation,
    Passage,
)
from .access import require_checkpoints


def checkpoints_in(scope: Scope, region: Region) -> QuerySet[Checkpoint]:
    require_checkpoints(scope)
    return scope.filter(Checkpoint.objects.filter(region_path__startswith=region.path))


def passages_on(scope: Scope, checkpoint: Checkpoint, day: dt.date) -> QuerySet[Passage]:
    """The day's passages as the post needs them: direction, temperature, outcome, and for a
    person only ``under_watch`` (kept in today by a watch that keeps people in, ``CONFINING``:
    yes or no) — never who they are."""
    watched = Observation.objects.filter(
        person_id=OuterRef("person_id"), kind__in=CONFINING, start_on__lte=day, end_on__gte=day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    return scope.filter(Passage.objects.filter(checkpoint=checkpoint, on=day)).annotate(
        under_watch=Exists(watched)
    )


# Kinds of watch under which a person should not be out at all (health monitoring may be).
CONFINING = (
    ObservationKind.HOME_OBSERVATION,
    ObservationKind.HOME_ISOLATION,
    ObservationKind.CENTRAL_QUARANTINE,
)


@dataclass(frozen=True)
class PassageFollowUp:
    """What the post is told after logging a known person: only what it must act on."""

    confined: str | None  # the ObservationKind keeping them in today, if any
    alerted: bool  # the reading opened a fever alert for their grid


def passage_follow_up(scope: Scope, passage: Passage) -> PassageFollowUp:
    if passage.person_id is None:
        return PassageFollowUp(None, False)
    day = passage.on
    confined = (
        Observation.objects.filter(
            person_id=passage.person_id, kind__in=CONFINING, start_on__lte=day, end_on__gte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("kind", flat=True)
        .first()
    )
    alerted = Alert.objects.filter(
        person_id=passage.person_id, check_in__client_id=passage.client_id
    ).exists()
    return PassageFollowUp(confined, alerted)


def passage_person(scope: Scope, id_number: str) -> tuple[int, str] | None:
    """The person behind an ID number typed at a checkpoint, inside the checkpoint staff's
    scope: their id and region path, which the passage and the audit keep and the page never
    shows."""
    number = normalise(id_number)
    if not number:
        return None
    return (
        scope.filter(Person.objects.filter(id_number=number))
        .order_by()
        .values_list("id", "region_path")
        .first()
    )


def passage_counts(scope: Scope, checkpoint: Checkpoint, days: int = 7) -> list[dict]:
    """Passages and turn-backs per day, the last ``days`` days."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    return list(
        scope.filter(Passage.objects.filter(checkpoint=checkpoint, on__gte=since))
        .values("on")
        .annotate(n=Count("id"), back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)))
        .order_by("-on")
    )
