"""Sampling: opening a tube by its barcode, swabbing people into it, closing it.

Every write a phone sends carries a client id (the tube's open request, each swab), so an
upload retried from a stairwell with a bad signal is stored once. A tube closes by itself at
its pool size; a person swabbed twice in a campaign is stored and flagged (``Sample.repeat``),
because the swab is already in the tube; a barcode used before is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import record_audit
from fangkong.people.models import Person

from ..choices import CampaignStatus, SampleSource, TubeStatus, UntestedReason
from ..models import Campaign, Sample, SamplingPoint, Tube, Untested
from ..samplefile import BarcodeInvalid, clean_barcode
from .counters import deadlocked, recount_persons
from .errors import ScreeningInvalid
from .tasks import do_close_tasks_by_swabs

MAX_BATCH = 200  # swabs a request: a phone's queue after a long stairwell
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"


def deeper_path(a: str, b: str) -> str:
    """The deeper of two paths when one holds the other, else the first."""
    if b.startswith(a):
        return b
    return a


def check_sampling_day(campaign: Campaign, when: dt.datetime) -> str | None:
    """Why a swab at ``when`` does not belong to the campaign, or None."""
    day = timezone.localtime(when).date()
    if campaign.start_on <= day <= campaign.end_on:
        return None
    return _("%(campaign)s runs %(start)s to %(end)s; this swab is dated %(day)s") % {
        "campaign": campaign.name,
        "start": campaign.start_on.isoformat(),
        "end": campaign.end_on.isoformat(),
        "day": day.isoformat(),
    }


def outside_region(campaign: Campaign) -> str:
    """Why a person is not swabbed into the campaign: they live outside its region (they are
    in no part of its target, and coverage would never count them)."""
    return _("the person lives outside the campaign's region (%(region)s)") % {
        "region": campaign.region.name
    }


def _reused(tube: Tube, campaign: Campaign) -> str:
    """Why a barcode already stored cannot be opened again."""
    if tube.campaign_id != campaign.pk:
        return _(
            "tube %(code)s was used in another campaign (%(other)s); a tube is used once: "
            "take a new one"
        ) % {"code": tube.barcode, "other": tube.campaign.name}
    return _(
        "tube %(code)s is %(status)s (since %(time)s, %(n)d swabs); a tube is used once: take a "
        "new one"
    ) % {
        "code": tube.barcode,
        "status": tube.get_status_display(),
        "time": time_format(timezone.localtime(tube.closed_at or tube.opened_at), "H:i"),
        "n": tube.samples.count(),
    }


def check_open_tube(
    *,
    user: User,
    scope: Scope,
    campaign: Campaign,
    barcode: str,
    client_id: uuid.UUID | None = None,
) -> tuple[Tube, bool]:
    """Open a tube for swabs, or go on with one of this campaign that is still open
    (created False). A barcode closed, sent, or used in another campaign is refused."""
    scope.require(Cap.SAMPLING)
    try:
        code = clean_barcode(barcode)
    except BarcodeInvalid as e:
        raise ScreeningInvalid({"barcode": str(e)}) from None
    retried = _retried_tube(client_id, campaign, code)
    if retried is not None:
        return retried, False
    if campaign.status != CampaignStatus.OPEN:
        raise ScreeningInvalid({"campaign": _("%(c)s is closed") % {"c": campaign.name}})
    why = check_sampling_day(campaign, timezone.now())
    if why:
        raise ScreeningInvalid({"campaign": why})
    for _attempt in range(2):
        existing = Tube.objects.select_related("campaign").filter(barcode=code).first()
        if existing is not None:
            if existing.campaign_id == campaign.pk and existing.status == TubeStatus.OPEN:
                return existing, False
            raise ScreeningInvalid({"barcode": _reused(existing, campaign)})
        try:
            with transaction.atomic():
                tube = Tube.objects.create(
                    client_id=client_id,
                    campaign=campaign,
                    barcode=code,
                    pool_size=campaign.pool_size,
                    region_path=deeper_path(campaign.region_path, scope.path or ""),
                    opened_by=user,
                    opened_at=timezone.now(),
                )
        except IntegrityError:  # opened at the same moment by another phone: read it again
            continue
        return tube, True
    raise ScreeningInvalid(
        {"barcode": _("tube %(code)s is being opened; try again") % {"code": code}}
    )


def _retried_tube(client_id: uuid.UUID | None, campaign: Campaign, code: str) -> Tube | None:
    """The tube an open request with this client id made before, if any. A retry sends what
    it sent; another barcode under the same id is a second scan (a page kept from before),
    refused rather than answered with the first tube."""
    retried = Tube.objects.filter(client_id=client_id).first() if client_id else None
    if retried is not None and (retried.barcode, retried.campaign_id) != (code, campaign.pk):
        raise ScreeningInvalid(
            {"barcode": _("this client id was sent for another tube; scan again")}
        )
    return retried


@dataclass(frozen=True)
class SwabData:
    """One swab as a phone or another system sends it."""

    client_id: uuid.UUID
    person_id: int
    sampled_at: dt.datetime | None = None  # default: now
    point_id: int | None = None


@dataclass
class SwabResult:
    tube: Tube
    created: int = 0
    duplicates: int = 0  # a retry of a swab already stored
    repeats: list[int] = field(default_factory=list)  # persons already swabbed in the campaign
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index, reason)
    closed: bool = False  # this batch filled the tube


def check_add_swabs(
    *,
    user: User,
    scope: Scope,
    tube: Tube,
    items: list[SwabData],
    source: str = SampleSource.PHONE,
) -> SwabResult:
    """Swab people into an open tube; a retried client id is a duplicate, never a second
    swab. Each refused item says why (not in your area, already in this tube, the tube full or
    closed); the rest are stored, and the tube closes when it holds its pool size."""
    scope.require(Cap.SAMPLING)
    if len(items) > MAX_BATCH:
        raise ScreeningInvalid({"records": _("at most %(n)d swabs a request") % {"n": MAX_BATCH}})
    for attempt in range(2):
        try:
            with transaction.atomic():
                # Lock the tube alone: FOR UPDATE over the join would lock the campaign's row
                # too, and every phone of the campaign would wait for every other one.
                locked = (
                    Tube.objects.select_for_update(of=("self",))
                    .select_related("campaign")
                    .get(pk=tube.pk)
                )
                return _add_swabs(user, scope, locked, items, source)
        except IntegrityError:
            # a client id stored at this moment through another tube: read again, it is
            # refused then ("sent for another tube")
            if attempt:
                raise
        except OperationalError as e:
            # a move of several of these people locked them in another order than this batch
            # (services/counters.py) and PostgreSQL failed the batch to let the move go on:
            # once the move is done, the batch goes through
            if attempt or not deadlocked(e):
                raise
    raise AssertionError("unreachable")


def _add_swabs(user, scope, tube: Tube, items: list[SwabData], source: str) -> SwabResult:
    result = SwabResult(tube=tube)
    stored = {
        client_id: (tube_id, person_id)
        for client_id, tube_id, person_id in Sample.objects.filter(
            client_id__in=[i.client_id for i in items]
        ).values_list("client_id", "tube_id", "person_id")
    }
    persons = dict(
        scope.filter(Person.objects.filter(pk__in={i.person_id for i in items}))
        .order_by()
        .values_list("id", "region_path")
    )
    points = set(
        SamplingPoint.objects.filter(
            campaign_id=tube.campaign_id, pk__in={i.point_id for i in items if i.point_id}
        ).values_list("id", flat=True)
    )
    in_tube = set(tube.samples.values_list("person_id", flat=True))
    room = tube.pool_size - len(in_tube)
    seen: dict[uuid.UUID, tuple[int, int]] = {}
    now = timezone.now()
    new: list[Sample] = []
    for index, item in enumerate(items):
        sent = stored.get(item.client_id) or seen.get(item.client_id)
        if sent is not None:
            why = _not_a_retry(sent, tube, item)
            if why:
                result.rejected.append((index, why))
            else:
                result.duplicates += 1
            continue
        why = _refusal(tube, item, persons, points, in_tube, room - len(new), now)
        if why:
            result.rejected.append((index, why))
            continue
        seen[item.client_id] = (tube.pk, item.person_id)
        in_tube.add(item.person_id)
        new.append(
            Sample(
                client_id=item.client_id,
                campaign_id=tube.campaign_id,
                tube=tube,
                person_id=item.person_id,
                region_path=persons[item.person_id],
                sampled_at=item.sampled_at or now,
                sampled_by=user if user.pk else None,
                point_id=item.point_id,
                source=source,
            )
        )
    _flag_repeats(tube, new)
    Sample.objects.bulk_create(new)
    do_close_tasks_by_swabs(swabs=[(tube.pk, tube.pool_size, s.person_id) for s in new])
    result.created = len(new)
    result.repeats = [s.person_id for s in new if s.repeat]
    if new and len(in_tube) >= tube.pool_size:
        Tube.objects.filter(pk=tube.pk).update(status=TubeStatus.CLOSED, closed_at=now)
        tube.status, tube.closed_at, result.closed = TubeStatus.CLOSED, now, True
    recount_persons([(tube.campaign_id, s.person_id) for s in new], lock_persons=True)
    return result


def _not_a_retry(sent: tuple[int, int], tube: Tube, item: SwabData) -> str | None:
    """Why a client id already stored is not this swab sent again (None: a retry). The same
    id with another person is refused, never counted as the first swab: the person would be
    shown as swabbed while no swab of theirs is in any tube."""
    tube_id, person_id = sent
    if tube_id != tube.pk:
        return _("this client id was sent for another tube")
    if person_id != item.person_id:
        return _("this client id was sent for another person; scan them again")
    return None


def _refusal(tube, item: SwabData, persons, points, in_tube, room: int, now) -> str | None:
    if tube.status != TubeStatus.OPEN:
        return _("tube %(code)s is closed; open a new tube") % {"code": tube.barcode}
    if item.person_id not in persons:
        return _("no person with id %(id)s in your area") % {"id": item.person_id}
    if not persons[item.person_id].startswith(tube.campaign.region_path):
        return outside_region(tube.campaign)
    if item.person_id in in_tube:
        return _("this person is already in tube %(code)s") % {"code": tube.barcode}
    if room <= 0:
        return _("tube %(code)s is full (%(n)d swabs); open a new tube") % {
            "code": tube.barcode,
            "n": tube.pool_size,
        }
    if item.point_id and item.point_id not in points:
        return _("no sampling point %(id)s in this campaign") % {"id": item.point_id}
    if item.sampled_at is not None:
        if item.sampled_at > now + CLOCK_SKEW:
            return _("the sampling time is in the future")
        return check_sampling_day(tube.campaign, item.sampled_at)
    return None


def _flag_repeats(tube: Tube, new: list[Sample]) -> None:
    """A person already swabbed in this campaign (another tube) is flagged, not refused."""
    before = set(
        Sample.objects.filter(
            campaign_id=tube.campaign_id, person_id__in=[s.person_id for s in new]
        ).values_list("person_id", flat=True)
    )
    for s in new:
        s.repeat = s.person_id in before


def check_close_tube(*, scope: Scope, tube: Tube) -> Tube:
    """Close a tube before it is full (the last swabs of a building, a point closing)."""
    scope.require(Cap.SAMPLING)
    with transaction.atomic():
        tube = Tube.objects.select_for_update().get(pk=tube.pk)
        if tube.status != TubeStatus.OPEN:
            raise ScreeningInvalid(
                {
                    "tube": _("tube %(code)s is already %(s)s")
                    % {"code": tube.barcode, "s": tube.get_status_display()}
                }
            )
        if not tube.samples.exists():
            raise ScreeningInvalid(
                {"tube": _("tube %(code)s has no swabs; nothing to close") % {"code": tube.barcode}}
            )
        tube.status, tube.closed_at = TubeStatus.CLOSED, timezone.now()
        tube.save(update_fields=["status", "closed_at"])
    return tube


def check_remove_swab(
    *,
    user: User,
    scope: Scope,
    sample: Sample,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Remove a swab added to the wrong person or tube, with a reason (audited); a tube that
    has gone to the lab keeps its swabs (the lab is told instead)."""
    scope.require(Cap.SAMPLING)
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise ScreeningInvalid({"reason": _("say why the swab is removed")})
    with transaction.atomic():
        tube = Tube.objects.select_for_update().get(pk=sample.tube_id)
        if tube.status in (TubeStatus.SENT, TubeStatus.RESULTED):
            raise ScreeningInvalid(
                {
                    "tube": _("tube %(code)s has gone to the lab; tell the lab instead")
                    % {"code": tube.barcode}
                }
            )
        pk = sample.pk
        detail = {
            "client_id": str(sample.client_id),
            "tube": tube.barcode,
            "campaign": sample.campaign_id,
            "person": sample.person_id,
            "sampled_at": sample.sampled_at.isoformat(),
            "reason": reason,
        }
        sample.delete()
        recount_persons([(sample.campaign_id, sample.person_id)])
        record_audit(
            user=user,
            action=AuditAction.DELETE,
            object_type="sample",
            object_id=pk,
            region_path=sample.region_path,
            request=request,
            detail=detail,
        )


def check_record_untested(
    *,
    user: User,
    scope: Scope,
    campaign: Campaign,
    person: Person,
    reason: str,
    note: str = "",
) -> Untested | None:
    """Why a resident has not been sampled (away, in hospital, refused), as their grid
    worker records it; a blank reason clears it."""
    scope.require(Cap.SAMPLING)
    scope.require(Cap.VIEW_PEOPLE)
    if not scope.contains(person.region_path):
        raise ScreeningInvalid({"person": _("the person is outside your area")})
    if not reason:
        Untested.objects.filter(campaign=campaign, person=person).delete()
        return None
    if reason not in UntestedReason.values:
        allowed = "、".join(str(label) for label in UntestedReason.labels)
        raise ScreeningInvalid({"reason": _("the reason is one of: %(a)s") % {"a": allowed}})
    untested, _created = Untested.objects.update_or_create(
        campaign=campaign,
        person=person,
        defaults={
            "reason": reason,
            "note": " ".join(note.split())[:200],
            "region_path": person.region_path,
            "recorded_by": user,
        },
    )
    return untested
