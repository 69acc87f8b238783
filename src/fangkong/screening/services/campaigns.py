"""Testing campaigns: planned by street staff and above for a region in their scope, with
their sampling points and door-to-door teams."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.people.choices import TagKind
from fangkong.regions.models import Region

from ..choices import PoolSize, Target
from ..models import Campaign, DoorTeam, SamplingPoint
from .errors import ScreeningInvalid


def default_name(region: Region, start_on: dt.date) -> str:
    return _("%(region)s testing %(day)s") % {
        "region": region.name,
        "day": f"{start_on.month}/{start_on.day}",
    }


def check_create_campaign(
    *,
    user: User | None,
    scope: Scope | None,
    region: Region,
    start_on: dt.date,
    pool_size: int,
    end_on: dt.date | None = None,
    name: str = "",
    target: str = Target.RESIDENTS,
    target_tag: str = "",
    client_id: uuid.UUID | None = None,
) -> Campaign:
    """Validate a campaign, then create it. ``scope`` None: the command line (no limit)."""
    if scope is not None:
        scope.require(Cap.SCREENING_PLAN)
        if not scope.contains(region.path):
            raise ScreeningInvalid({"region": _("the region is outside your area")})
    if client_id is not None:
        made = Campaign.objects.filter(client_id=client_id).first()
        if made is not None:
            return made  # the same form sent again
    end_on = end_on or start_on
    errors = _campaign_errors(start_on, end_on, pool_size, target, target_tag)
    name = " ".join(name.split())[:100]
    if errors:
        raise ScreeningInvalid(errors)
    return do_create_campaign(
        user=user,
        region=region,
        start_on=start_on,
        end_on=end_on,
        pool_size=pool_size,
        name=name or default_name(region, start_on),
        target=target,
        target_tag=target_tag if target == Target.TAG else "",
        client_id=client_id,
    )


def _campaign_errors(
    start_on: dt.date, end_on: dt.date, pool_size: int, target: str, target_tag: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if pool_size not in PoolSize.values:
        errors["pool_size"] = _("swabs a tube: 1, 5, 10 or 20, not %(n)s") % {"n": pool_size}
    if end_on < start_on:
        errors["end_on"] = _("the last day (%(end)s) is before the first (%(start)s)") % {
            "end": end_on.isoformat(),
            "start": start_on.isoformat(),
        }
    elif (end_on - start_on).days > 30:
        errors["end_on"] = _("a campaign lasts at most 31 days; plan another round after it")
    if target not in Target.values:
        errors["target"] = _("target: every resident, residents with a tag, or people under watch")
    elif target == Target.TAG and target_tag not in TagKind.values:
        errors["target_tag"] = _("choose the tag whose residents are to be tested")
    return errors


def do_create_campaign(
    *,
    user: User | None,
    region: Region,
    start_on: dt.date,
    end_on: dt.date,
    pool_size: int,
    name: str,
    target: str,
    target_tag: str,
    client_id: uuid.UUID | None,
) -> Campaign:
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                client_id=client_id,
                name=name,
                region=region,
                region_path=region.path,
                start_on=start_on,
                end_on=end_on,
                pool_size=pool_size,
                target=target,
                target_tag=target_tag,
                created_by=user if user is not None and user.pk else None,
            )
    except IntegrityError:  # the same client id, sent twice at once
        return Campaign.objects.get(client_id=client_id)


def _hours_errors(opens_at: dt.time | None, closes_at: dt.time | None) -> dict[str, str]:
    if opens_at and closes_at and closes_at <= opens_at:
        return {
            "closes_at": _("it closes (%(c)s) before it opens (%(o)s)")
            % {"o": f"{opens_at:%H:%M}", "c": f"{closes_at:%H:%M}"}
        }
    return {}


def check_add_point(
    *,
    scope: Scope,
    campaign: Campaign,
    name: str,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
) -> SamplingPoint:
    """A sampling point of the campaign, with its hours; a name already there is updated."""
    scope.require(Cap.SCREENING_PLAN)
    name = " ".join(name.split())[:100]
    errors = {} if name else {"name": _("name the sampling point")}
    errors |= _hours_errors(opens_at, closes_at)
    if errors:
        raise ScreeningInvalid(errors)
    point, _created = SamplingPoint.objects.update_or_create(
        campaign=campaign,
        name=name,
        defaults={"opens_at": opens_at, "closes_at": closes_at},
        create_defaults={
            "opens_at": opens_at,
            "closes_at": closes_at,
            "region_path": campaign.region_path,
        },
    )
    return point


def check_add_team(*, scope: Scope, campaign: Campaign, name: str, members: str = "") -> DoorTeam:
    """A door-to-door team of the campaign (its members as names); a name already there is
    updated."""
    scope.require(Cap.SCREENING_PLAN)
    name = " ".join(name.split())[:100]
    if not name:
        raise ScreeningInvalid({"name": _("name the team")})
    team, _created = DoorTeam.objects.update_or_create(
        campaign=campaign,
        name=name,
        defaults={"members": " ".join(members.split())[:300]},
        create_defaults={
            "members": " ".join(members.split())[:300],
            "region_path": campaign.region_path,
        },
    )
    return team
