"""Bulk rounds: "gas canisters (or vegetable packs) to every household of this compound that
asks" as one round. Its list is the households' open requests of its kind in the compound, and
every request of that kind raised while it is under way joins it; delivery is marked door by
door, and closing the round hands what is left back to dispatch."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.choices import Level as RegionLevel
from fangkong.regions.models import Region

from ..choices import Kind, Status, StopStatus
from ..models import HelpRequest, Round, Stop
from .errors import HelpInvalid

ROUND_KINDS = (Kind.GAS, Kind.FOOD, Kind.MEDICINE)
MARKERS = (Cap.HELP_DISPATCH, Cap.HELP_RAISE)  # community staff and grid workers at the doors


def check_open_round(*, scope: Scope, user: User, region: Region, kind: str, title: str) -> Round:
    """Open a round for a grid or community in the user's area."""
    scope.require(Cap.HELP_DISPATCH)
    if not scope.contains(region.path):
        raise HelpInvalid({"region": _("no such area in your scope")})
    if region.level not in (RegionLevel.GRID, RegionLevel.COMMUNITY):
        raise HelpInvalid({"region": _("a round is for one compound: a grid or a community")})
    if kind not in ROUND_KINDS:
        raise HelpInvalid(
            {
                "kind": _("a round delivers %(kinds)s")
                % {"kinds": "、".join(str(Kind(k).label) for k in ROUND_KINDS)}
            }
        )
    title = " ".join((title or "").split())[:100]
    if not title:
        raise HelpInvalid({"title": _("say what is delivered (e.g. gas canisters)")})
    return do_open_round(user=user, region=region, kind=kind, title=title)


def do_open_round(*, user: User, region: Region, kind: str, title: str) -> Round:
    now = timezone.now()
    try:
        with transaction.atomic():
            live = Round.objects.create(
                region=region,
                region_path=region.path,
                kind=kind,
                title=title,
                created_by=user,
                opened_at=now,
            )
            waiting = list(
                HelpRequest.objects.select_for_update()
                .filter(
                    region_path__startswith=region.path,
                    kind=kind,
                    status=Status.OPEN,
                    round__isnull=True,
                )
                .values_list("id", "region_path")
            )
            HelpRequest.objects.filter(pk__in=[pk for pk, _p in waiting]).update(round=live)
            Stop.objects.filter(request_id__in=[pk for pk, _p in waiting]).delete()
            Stop.objects.bulk_create(
                [Stop(round=live, request_id=pk, region_path=path) for pk, path in waiting],
                batch_size=1000,
            )
    except IntegrityError as e:
        raise HelpInvalid(
            {"kind": _("a round of this kind is already under way in this area")}
        ) from e
    return live


def _may_mark(scope: Scope, path: str) -> None:
    if not any(scope.can(c) for c in MARKERS):
        scope.require(Cap.HELP_DISPATCH)
    if not scope.contains(path):
        raise HelpInvalid({"stop": _("no such door in your area")})


def check_mark_stop(
    *, scope: Scope, user: User, stop: Stop, delivered: bool, reason: str = ""
) -> Stop:
    """Delivered to this door (its request is done), or not (saying why: nobody home)."""
    _may_mark(scope, stop.region_path)
    if stop.round.closed_at is not None:
        raise HelpInvalid({"stop": _("this round is closed")})
    target = StopStatus.DELIVERED if delivered else StopStatus.COULD_NOT
    if stop.status == target:
        return stop
    if stop.status == StopStatus.DELIVERED:
        raise HelpInvalid({"stop": _("already delivered")})
    reason = " ".join((reason or "").split())[:200]
    if not delivered and not reason:
        raise HelpInvalid({"reason": _("say why it could not be delivered (nobody home)")})
    now = timezone.now()
    with transaction.atomic():
        if not Stop.objects.filter(pk=stop.pk, status=stop.status).update(
            status=target, reason=reason, marked_at=now, marked_by=user
        ):
            raise HelpInvalid({"stop": _("this door changed meanwhile; reload")})
        if delivered:
            HelpRequest.objects.filter(
                pk=stop.request_id, status__in=(Status.OPEN, Status.OFFERED)
            ).update(status=Status.DELIVERED, closed_at=now)
    stop.refresh_from_db()
    return stop


def check_close_round(*, scope: Scope, user: User, round: Round) -> Round:
    """Close the round; its doors not delivered go back to dispatch."""
    scope.require(Cap.HELP_DISPATCH)
    if not scope.contains(round.region_path):
        raise HelpInvalid({"round": _("no such round in your area")})
    with transaction.atomic():
        if not Round.objects.filter(pk=round.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        ):
            return round
        HelpRequest.objects.filter(round=round, status=Status.OPEN).update(round=None)
    round.refresh_from_db()
    return round
