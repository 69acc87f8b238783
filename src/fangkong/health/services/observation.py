"""Observation periods: started by hand or by a contact's rule, extended with a reason, ended
early with a reason, and otherwise over by themselves on their last day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.db import BulkWriter, reserve_ids
from fangkong.people.models import Person

from ..choices import FollowUp, ObservationKind
from ..models import CheckIn, Extension, Observation
from ..rules import rules_for
from . import watch
from .checkins import CheckInInvalid
from .days import check_dates

MAX_DAYS = 60


@dataclass(frozen=True)
class DayStatus:
    day: dt.date
    status: str  # FollowUp
    temperature: object = None


def _check_period(kind: str, start_on: dt.date, days: int, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ObservationKind.values:
        errors["kind"] = _("unknown kind; allowed: %(a)s") % {
            "a": ", ".join(str(k.label) for k in ObservationKind)
        }
    check_dates(errors, today, start_on=start_on)
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("a period lasts 1 to %(n)d days") % {"n": MAX_DAYS}
    return errors


def check_start_observation(
    *,
    user: User,
    scope: Scope,
    person: Person,
    kind: str,
    reason: str,
    start_on: dt.date | None = None,
    days: int | None = None,
    hotel: str = "",
    room: str = "",
) -> Observation:
    """Put any person under watch (not only a contact); the end date follows the region's rule
    unless ``days`` is given."""
    scope.require(Cap.HEALTH_RECORD)
    today = timezone.localdate()
    start_on = start_on or today
    errors = _check_period(kind, start_on, days or 1, today)
    if not reason.strip():
        errors["reason"] = _("say why the person is under watch")
    if kind == ObservationKind.CENTRAL_QUARANTINE and not hotel.strip():
        errors["hotel"] = _("central quarantine needs the hotel (and room)")
    if errors:
        raise CheckInInvalid(errors)
    # the person locked: no other period starts meanwhile, and none moves them elsewhere
    with watch.changing([person.pk]) as change:
        path = change.paths.get(person.pk, person.region_path)
        end_on = start_on + dt.timedelta(days=(days or rules_for(path).observation_days) - 1)
        clash = _overlapping(person, start_on, end_on)
        if clash is not None:
            raise CheckInInvalid(
                {
                    "start_on": _("already under %(kind)s until %(end)s")
                    % {"kind": clash.get_kind_display(), "end": clash.last_day}
                }
            )
        return Observation.objects.create(
            person=person,
            region_path=path,
            kind=kind,
            reason=reason.strip()[:200],
            start_on=start_on,
            end_on=end_on,
            hotel=hotel.strip()[:100],
            room=room.strip()[:20],
            responsible=user,
            created_by=user,
        )


BULK_BATCH = 2000
# The columns a bulk watch writes with COPY, in order.
WATCH_FIELDS = [
    "id",
    "person",
    "region_path",
    "kind",
    "reason",
    "start_on",
    "end_on",
    "end_reason",
    "hotel",
    "room",
    "created_by",
    "created_at",
]


def _db(name: str, value):
    """A value as the database stores it (a BulkWriter writes raw rows)."""
    field: Any = Observation._meta.get_field(name)
    return field.get_db_prep_value(value, connection)


def do_place_under_watch(
    *, people: list[tuple[int, str, str]], kind: str, user: User | None = None
) -> list[int]:
    """Put many people under watch from today at once (a positive pool's members), each for
    their region's ``observation_days``; someone already under watch today or later keeps
    their period. ``people`` is (person id, region path, reason); returns the ids put under
    watch. COPY (PostgreSQL) or batched inserts, never a row at a time."""
    today = timezone.localdate()
    ids = sorted({pk for pk, _path, _reason in people})
    with watch.changing(ids, since=today) as change:
        # where each lives now (the caller's paths may be older than a move)
        people = [(pk, change.paths.get(pk, path), reason) for pk, path, reason in people]
        return _place_under_watch(people, ids, kind, user, today)


def _place_under_watch(people, ids: list[int], kind: str, user: User | None, today) -> list[int]:
    user_id = user.pk if user is not None and user.pk else None
    watched: set[int] = set()
    for i in range(0, len(ids), BULK_BATCH):
        watched |= set(
            Observation.objects.filter(person_id__in=ids[i : i + BULK_BATCH], end_on__gte=today)
            .filter(ended_on__isnull=True)
            .values_list("person_id", flat=True)
        )
    new: dict[int, tuple] = {}
    # dates and times as the database stores them, converted once (raw rows for COPY)
    start, at = _db("start_on", today), _db("created_at", timezone.now())
    ends: dict[int, object] = {}
    for pk, path, reason in people:
        if pk in watched or pk in new:
            continue
        days = rules_for(path).observation_days
        if days not in ends:
            ends[days] = _db("end_on", today + dt.timedelta(days=days - 1))
        new[pk] = (pk, path, kind, reason[:200], start, ends[days], "", "", "", user_id, at)
    rows = BulkWriter(Observation, WATCH_FIELDS)
    for obs_id, row in zip(reserve_ids(Observation, len(new)), new.values(), strict=True):
        rows.rows.append((obs_id, *row))
        if len(rows.rows) >= BULK_BATCH:
            rows.flush()
    rows.flush()
    return list(new)


def _overlapping(person: Person, start_on: dt.date, end_on: dt.date) -> Observation | None:
    for o in Observation.objects.filter(person=person, start_on__lte=end_on, end_on__gte=start_on):
        if o.last_day >= start_on:
            return o
    return None


def do_observe_contact(
    *,
    person: Person,
    contact,
    last_exposure_on: dt.date,
    kind: str,
    days: int,
    home_days: int,
    user: User | None,
    reason: str,
) -> list[Observation]:
    """A contact's period(s) by rule, counted from the last exposure: ``days`` of ``kind``, then
    ``home_days`` at home ("7 + 7"). Nothing when the whole period is already over."""
    today = timezone.localdate()
    first_end = last_exposure_on + dt.timedelta(days=days)
    periods: list[Observation] = []
    if first_end >= today:
        periods.append(
            Observation(
                person=person,
                region_path=person.region_path,
                kind=kind,
                reason=reason,
                start_on=max(today, last_exposure_on),
                end_on=first_end,
                contact=contact,
                created_by=user,
            )
        )
    if home_days:
        home_end = first_end + dt.timedelta(days=home_days)
        if home_end >= today:
            periods.append(
                Observation(
                    person=person,
                    region_path=person.region_path,
                    kind=ObservationKind.HOME_OBSERVATION,
                    reason=reason,
                    start_on=max(today, first_end + dt.timedelta(days=1)),
                    end_on=home_end,
                    contact=contact,
                    created_by=user,
                )
            )
    if not periods:
        return periods
    with watch.changing([person.pk]) as change:
        _supersede(person, periods[0].start_on, reason)
        for p in periods:
            p.region_path = change.paths.get(person.pk, p.region_path)
            p.save()
        if len(periods) == 2:
            periods[1].follows = periods[0]
            periods[1].save(update_fields=["follows"])
    return periods


def _supersede(person: Person, start_on: dt.date, reason: str) -> None:
    """A contact's rule replaces the person's periods from ``start_on``: those already running
    end the day before, those not yet begun are dropped."""
    for o in Observation.objects.filter(person=person, end_on__gte=start_on, ended_on__isnull=True):
        if o.start_on < start_on:
            o.ended_on = start_on - dt.timedelta(days=1)
            o.end_reason = _("replaced: %(reason)s") % {"reason": reason}
            o.save(update_fields=["ended_on", "end_reason"])
        else:
            o.delete()


@transaction.atomic
def check_extend_observation(
    *, user: User, scope: Scope, observation: Observation, days: int, reason: str
) -> Observation:
    """Add days to a period, with the reason (kept, with who and the previous end)."""
    scope.require(Cap.HEALTH_RECORD)
    errors = {}
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("extend by 1 to %(n)d days") % {"n": MAX_DAYS}
    if not reason.strip():
        errors["reason"] = _("say why the period is extended")
    if observation.ended_on is not None:
        errors["observation"] = _("this period was ended early; start a new one")
    if errors:
        raise CheckInInvalid(errors)
    # the person read under the lock: a merge may have given the period to another
    with watch.changing([watch.person_of(observation.pk) or observation.person_id]):
        observation = Observation.objects.select_for_update().get(pk=observation.pk)
        if observation.ended_on is not None:
            raise CheckInInvalid({"observation": _("this period was ended early; start a new one")})
        Extension.objects.create(
            observation=observation,
            days=days,
            reason=reason.strip()[:200],
            previous_end_on=observation.end_on,
            by=user,
        )
        observation.end_on += dt.timedelta(days=days)
        observation.save(update_fields=["end_on"])
    return observation


def check_end_observation(
    *, user: User, scope: Scope, observation: Observation, reason: str
) -> Observation:
    """End a period early (released by the doctor, moved to hospital, ...)."""
    scope.require(Cap.HEALTH_RECORD)
    if not reason.strip():
        raise CheckInInvalid({"reason": _("say why the period ends early")})
    if not do_end_observation(observation_id=observation.pk, reason=reason):
        raise CheckInInvalid({"observation": _("this period has already ended")})
    observation.refresh_from_db()
    return observation


def do_end_observation(*, observation_id: int, reason: str) -> bool:
    """End a running period today (a contact released from central quarantine, a patient
    admitted); False when it had already ended. For other apps' services, which decide who
    may."""
    today = timezone.localdate()
    with transaction.atomic():
        person_id = watch.person_of(observation_id)  # locked: a merge may have moved it
        if person_id is None:
            return False
        with watch.changing([person_id]):
            return bool(
                Observation.objects.filter(pk=observation_id, ended_on__isnull=True).update(
                    ended_on=today, end_reason=reason.strip()[:200]
                )
            )


def follow_up(observation: Observation, *, today: dt.date | None = None) -> list[DayStatus]:
    """Each day of the period: normal, abnormal (fever or symptoms), missed, or still to come."""
    today = today or timezone.localdate()
    threshold = rules_for(observation.region_path).fever_threshold
    by_day: dict[dt.date, tuple] = {}
    for on, temperature, symptoms in CheckIn.objects.filter(
        person_id=observation.person_id,
        on__gte=observation.start_on,
        on__lte=observation.last_day,
    ).values_list("on", "temperature", "symptoms"):
        worst = by_day.get(on)
        if worst is None or temperature > worst[0] or symptoms:
            by_day[on] = (temperature, symptoms or (worst[1] if worst else []))
    days = []
    day = observation.start_on
    while day <= observation.last_day:
        seen = by_day.get(day)
        if seen is not None:
            bad = seen[0] >= threshold or bool(seen[1])
            days.append(DayStatus(day, FollowUp.ABNORMAL if bad else FollowUp.NORMAL, seen[0]))
        elif day < today:
            days.append(DayStatus(day, FollowUp.MISSED))
        elif day == today:
            days.append(DayStatus(day, FollowUp.PENDING))
        else:
            days.append(DayStatus(day, FollowUp.FUTURE))
        day += dt.timedelta(days=1)
    return days
