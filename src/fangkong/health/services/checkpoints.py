"""Checkpoints (卡口) and the passage log."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.common.masking import mask_id_number
from fangkong.people.models import Person
from fangkong.regions.models import Region

from .. import selectors
from ..choices import Direction, PassageOutcome, Source
from ..models import Checkpoint, Passage
from .checkins import CLOCK_SKEW, CheckInData, CheckInInvalid, clean_temperature, record_check_ins


def check_create_checkpoint(
    *,
    scope: Scope,
    region: Region,
    name: str,
    opens_at: dt.time,
    closes_at: dt.time,
    overnight: bool = False,
) -> Checkpoint:
    """A checkpoint with its hours; hours past midnight (23:00–01:00) only when it says so."""
    scope.require(Cap.CHECKPOINT)
    errors = {}
    if not name.strip():
        errors["name"] = _("name the checkpoint")
    hours = {"o": f"{opens_at:%H:%M}", "c": f"{closes_at:%H:%M}"}
    if not overnight and closes_at <= opens_at:
        errors["closes_at"] = (
            _(
                "it opens at %(o)s and closes at %(c)s: if it closes the next day, tick "
                "“spans midnight”"
            )
            % hours
        )
    elif overnight and closes_at > opens_at:
        errors["closes_at"] = (
            _("it opens at %(o)s and closes at %(c)s the same day: untick “spans midnight”") % hours
        )
    if errors:
        raise CheckInInvalid(errors)
    return Checkpoint.objects.create(
        region=region,
        region_path=region.path,
        name=name.strip()[:100],
        opens_at=opens_at,
        closes_at=closes_at,
        overnight=overnight,
    )


def check_log_passage(
    *,
    user: User,
    scope: Scope,
    checkpoint: Checkpoint,
    client_id: uuid.UUID,
    direction: str,
    outcome: str,
    temperature: Decimal | str | None = None,
    person_id: int | None = None,
    plate: str = "",
    reason: str = "",
    passed_at: dt.datetime | None = None,
) -> tuple[Passage, bool]:
    """Log one passage; the same ``client_id`` again returns the first (created False)."""
    scope.require(Cap.CHECKPOINT)
    now = timezone.now()
    passed_at = passed_at or now
    errors: dict[str, str] = {}
    t = None
    if temperature not in (None, ""):
        try:
            t = clean_temperature(temperature)  # type: ignore[arg-type]
        except CheckInInvalid as e:
            errors.update(e.errors)
    if direction not in Direction.values:
        errors["direction"] = _("in or out")
    if outcome not in PassageOutcome.values:
        errors["outcome"] = _("allowed or turned back")
    if outcome == PassageOutcome.TURNED_BACK and not reason.strip():
        errors["reason"] = _("say why the person was turned back")
    if passed_at > now + CLOCK_SKEW:
        errors["passed_at"] = _("the time is in the future")
    if errors:
        raise CheckInInvalid(errors)
    try:
        with transaction.atomic():
            passage = Passage.objects.create(
                client_id=client_id,
                checkpoint=checkpoint,
                region_path=checkpoint.region_path,
                passed_at=passed_at,
                on=timezone.localtime(passed_at).date(),
                direction=direction,
                person_id=person_id,
                plate=plate.strip().upper()[:12],
                temperature=t,
                outcome=outcome,
                reason=reason.strip()[:100],
                operator=user,
            )
            if person_id is not None and t is not None:
                _record_reading(passage, user, person_id, t)
    except IntegrityError:
        return Passage.objects.get(client_id=client_id), False
    return passage, True


def _record_reading(passage: Passage, user: User, person_id: int, t: Decimal) -> None:
    """A temperature taken at a checkpoint from a known person is a check-in like any other
    (in the person's own region, so a fever opens an alert for their grid), under the
    passage's client id: a passage logged once is read once."""
    path = Person.objects.filter(pk=person_id).values_list("region_path", flat=True).first()
    if path is None:
        return
    record_check_ins(
        items=[
            CheckInData(
                client_id=passage.client_id,
                person_id=person_id,
                temperature=t,
                measured_at=passage.passed_at,
                source=Source.CHECKPOINT,
            )
        ],
        persons={person_id: path},
        recorded_by=user,
    )


# ID numbers typed at a checkpoint, per account and hour: a post logs a few hundred passages a
# day, few with a number; trying candidates (a masked role knows the birth year and last four,
# ~32 candidates) to find the registered one stops here.
LOOKUPS_PER_HOUR = 120
_LOOKUP_WINDOW = dt.timedelta(hours=1)


def check_look_up_passage_person(
    *,
    user: User,
    scope: Scope,
    checkpoint: Checkpoint,
    id_number: str,
    request: HttpRequest | None = None,
) -> int | None:
    """The person in the staff's scope behind an ID number typed at a checkpoint, or None.

    The answer is only kept on the passage: the post is told "under observation" or nothing,
    the same for a number not registered here as for one registered and not watched, so trying
    numbers tells nothing. Limited per account (``LOOKUPS_PER_HOUR``); every lookup by a role
    that may not unmask is audited."""
    if not id_number.strip():
        return None
    scope.require(Cap.CHECKPOINT)
    _count_lookup(user)
    found = selectors.passage_person(scope, id_number)
    if not scope.can(Cap.UNMASK):
        record_audit(
            user=user,
            action=AuditAction.VIEW,
            object_type="person" if found else "",
            object_id=found[0] if found else "",
            region_path=found[1] if found else checkpoint.region_path,
            request=request,
            detail={
                "via": "checkpoint",
                "checkpoint": checkpoint.pk,
                "typed": mask_id_number(id_number.strip()[:40]),
            },
        )
    return found[0] if found else None


def _count_lookup(user: User) -> None:
    """Count one lookup for ``user``; CheckInInvalid, saying when to retry, past the limit."""
    key = f"checkpoint-lookups:{user.pk}"
    window = int(_LOOKUP_WINDOW.total_seconds())
    cache.add(f"{key}:until", timezone.now() + _LOOKUP_WINDOW, window)
    cache.add(key, 0, window)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        n = 1
    if n > LOOKUPS_PER_HOUR:
        until = cache.get(f"{key}:until") or timezone.now() + _LOOKUP_WINDOW
        raise CheckInInvalid(
            {
                "id_number": _(
                    "%(n)d ID numbers looked up in an hour, the most an account may; log the "
                    "passage without the number, or try again after %(time)s"
                )
                % {"n": LOOKUPS_PER_HOUR, "time": time_format(timezone.localtime(until), "H:i")}
            }
        )
