"""Raising help requests (a resident from the QR page, a grid worker or hotline staff for
them), merging duplicates and cancelling; the deadline comes from kind × urgency."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.common.phones import InvalidPhone, normalise
from fangkong.regions.models import Household

from ..choices import (
    LIVE_TASK,
    OPEN_STATUSES,
    URGENCY_ORDER,
    Kind,
    Source,
    Status,
    TaskStatus,
    Urgency,
)
from ..deadlines import due_at
from ..models import HelpRequest, Round, Stop, Task
from .errors import HelpInvalid

MAX_NEEDED = 300
MAX_QTY = 50
MAX_OPEN_PER_HOUSEHOLD = 10  # more open at once is a page pressed in a loop, not a household
MAX_REASON = 200


@dataclass(frozen=True)
class Ask:
    """What is asked, as typed."""

    kind: str
    urgency: str
    needed: str
    qty: int | str = 1
    phone: str = ""


@dataclass(frozen=True)
class Cleaned:
    kind: str
    urgency: str
    needed: str
    qty: int
    phone: str


def _clean(ask: Ask) -> tuple[Cleaned, dict[str, str]]:
    """The request as stored, and what is wrong with it (field -> message)."""
    errors: dict[str, str] = {}
    if ask.kind not in Kind.values:
        errors["kind"] = _("choose what is needed; allowed: %(a)s") % {
            "a": ", ".join(str(label) for label in Kind.labels)
        }
    if ask.urgency not in Urgency.values:
        errors["urgency"] = _("choose how urgent it is; allowed: %(a)s") % {
            "a": ", ".join(str(label) for label in Urgency.labels)
        }
    needed = " ".join((ask.needed or "").split())
    if not needed:
        errors["needed"] = _("say what is needed (for medicine: its name and how much)")
    elif len(needed) > MAX_NEEDED:
        errors["needed"] = _("at most %(n)d characters, got %(got)d") % {
            "n": MAX_NEEDED,
            "got": len(needed),
        }
    try:
        qty = int(str(ask.qty).strip() or 1)
    except ValueError:
        qty = 0
    if not 1 <= qty <= MAX_QTY:
        errors["qty"] = _("how many: a whole number from 1 to %(n)d") % {"n": MAX_QTY}
    phone = ""
    if (ask.phone or "").strip():
        try:
            phone = normalise(ask.phone.strip())
        except InvalidPhone as e:
            errors["phone"] = str(e)
    return Cleaned(ask.kind, ask.urgency, needed, qty, phone), errors


def source_of(user: User | None) -> str:
    if user is None:
        return Source.RESIDENT
    return Source.GRID_WORKER if user.role == Role.GRID_WORKER else Source.HOTLINE


def check_raise_request(
    *,
    household: Household,
    ask: Ask,
    client_id: uuid.UUID,
    user: User | None = None,
    scope: Scope | None = None,
    now: dt.datetime | None = None,
) -> HelpRequest:
    """Validate a request and raise it. Without a user it comes from the resident's QR page
    (the view has checked their proof of the household); staff need ``help_raise`` and the
    household in their scope. The same ``client_id`` again returns the request it made."""
    if user is not None:
        if scope is None:
            raise ValueError("staff raise requests within their scope")
        scope.require(Cap.HELP_RAISE)
        if not scope.contains(household.region_path):
            raise HelpInvalid({"household": _("no such household in your area")})
    made = HelpRequest.objects.filter(client_id=client_id).first()
    clean, errors = _clean(ask)
    if made is not None:
        return _same_request(made, household, clean)
    if errors:
        raise HelpInvalid(errors)
    open_now = HelpRequest.objects.filter(household=household, status__in=OPEN_STATUSES).count()
    if open_now >= MAX_OPEN_PER_HOUSEHOLD:
        raise HelpInvalid(
            {
                "household": _(
                    "this household already has %(n)d requests waiting; call your grid worker"
                )
                % {"n": open_now}
            }
        )
    return do_raise_request(
        household=household,
        kind=clean.kind,
        urgency=clean.urgency,
        needed=clean.needed,
        qty=clean.qty,
        phone=clean.phone,
        client_id=client_id,
        user=user,
        now=now,
    )


def _same_request(made: HelpRequest, household: Household, clean: Cleaned) -> HelpRequest:
    """The request a form raised, when the same form comes again; HelpInvalid when it comes
    back (the browser's back button keeps its client id) for another household or asking for
    something else: it was taken for the first, and the second request vanished."""
    if made.household_id != household.pk:
        message = _("this form was sent already for another household; open the form again")
    elif (made.kind, made.needed) != (clean.kind, clean.needed):
        message = _(
            "this form was sent already (%(kind)s: %(needed)s); open the form again to ask "
            "for something else"
        ) % {"kind": made.get_kind_display(), "needed": made.needed[:50]}
    else:
        return made
    raise HelpInvalid({"client_id": message})


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def do_raise_request(
    *,
    household: Household,
    kind: str,
    urgency: str,
    needed: str,
    qty: int,
    phone: str,
    client_id: uuid.UUID,
    user: User | None,
    now: dt.datetime | None = None,
) -> HelpRequest:
    """Store the request with its due time; a gas or food request raised while a round of its
    kind is under way in the compound joins the round's list."""
    now = now or timezone.now()
    due = due_at(kind, urgency, now)
    try:
        with transaction.atomic():
            request = HelpRequest.objects.create(
                household=household,
                region_path=household.region_path,
                kind=kind,
                urgency=urgency,
                needed=needed,
                qty=qty,
                phone=phone,
                source=source_of(user),
                raised_by=user,
                client_id=client_id,
                raised_at=now,
                due_at=due,
                deadline_at=due,
            )
            live = Round.objects.filter(
                kind=kind,
                closed_at__isnull=True,
                region_path__in=_ancestor_paths(household.region_path),
            ).first()
            if live is not None:
                request.round = live
                request.save(update_fields=["round"])
                Stop.objects.create(round=live, request=request, region_path=request.region_path)
    except IntegrityError:  # the same client id at the same moment: the other one stored it
        made = HelpRequest.objects.filter(client_id=client_id).first()
        if made is None:
            raise
        return made
    return request


def check_merge_requests(
    *, scope: Scope, keep: HelpRequest, duplicates: list[HelpRequest], user: User
) -> HelpRequest:
    """Fold duplicates (same household, same kind, waiting for a volunteer) into ``keep``,
    which takes the earliest due time and the highest urgency of them all."""
    scope.require(Cap.HELP_DISPATCH)
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        raise HelpInvalid({"duplicates": _("choose at least one other request to merge")})
    if not keep.is_open:
        raise HelpInvalid({"keep": _("the request kept must still be open")})
    for d in duplicates:
        if d.household_id != keep.household_id or d.kind != keep.kind:
            raise HelpInvalid(
                {"duplicates": _("only requests of the same household and kind are merged")}
            )
        if d.status != Status.OPEN:
            raise HelpInvalid(
                {
                    "duplicates": _(
                        "a request already offered to a volunteer is not merged: withdraw it first"
                    )
                }
            )
    return do_merge_requests(keep=keep, duplicates=duplicates, user=user)


def do_merge_requests(
    *, keep: HelpRequest, duplicates: list[HelpRequest], user: User
) -> HelpRequest:
    now = timezone.now()
    ids = [d.pk for d in duplicates]
    with transaction.atomic():
        moved = HelpRequest.objects.filter(pk__in=ids, status=Status.OPEN).update(
            status=Status.MERGED,
            merged_into=keep,
            closed_at=now,
            close_reason=_("merged into request %(n)d") % {"n": keep.pk},
        )
        if moved != len(ids):
            raise HelpInvalid({"duplicates": _("another user changed these requests; reload")})
        survivor = HelpRequest.objects.select_for_update().get(pk=keep.pk)
        texts = [survivor.needed] + [d.needed for d in duplicates if d.needed != survivor.needed]
        survivor.needed = "；".join(dict.fromkeys(texts))[:MAX_NEEDED]
        survivor.due_at = min([survivor.due_at, *(d.due_at for d in duplicates)])
        survivor.deadline_at = min([survivor.deadline_at, *(d.deadline_at for d in duplicates)])
        survivor.urgency = min(
            [survivor.urgency, *(d.urgency for d in duplicates)],
            key=lambda u: URGENCY_ORDER.index(u),
        )
        survivor.save(update_fields=["needed", "due_at", "deadline_at", "urgency"])
    return survivor


def check_cancel_request(
    *, scope: Scope, request: HelpRequest, reason: str, user: User
) -> HelpRequest:
    """Close a request nobody needs any more (the family found a way, moved out), saying why;
    a volunteer's offer or task on it is withdrawn."""
    scope.require(Cap.HELP_DISPATCH)
    reason = " ".join((reason or "").split())[:MAX_REASON]
    if not reason:
        raise HelpInvalid({"reason": _("say why the request is cancelled")})
    now = timezone.now()
    with transaction.atomic():
        done = HelpRequest.objects.filter(pk=request.pk, status__in=OPEN_STATUSES).update(
            status=Status.CANCELLED, closed_at=now, close_reason=reason
        )
        if not done:
            raise HelpInvalid({"request": _("this request is already closed")})
        Task.objects.filter(request=request, status__in=LIVE_TASK).update(
            status=TaskStatus.WITHDRAWN, done_at=now, reason=reason
        )
    request.refresh_from_db()
    return request
