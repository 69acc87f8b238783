"""Teams and party branches, their members and leaders; posts of duty."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.regions.models import Region

from ..choices import PostKind, TeamBasis, TeamDuty, TeamKind, VolunteerStatus
from ..models import Membership, Post, Team, Volunteer
from .errors import VolunteerInvalid


def _clean_team(
    *,
    name: str,
    kind: str,
    duty: str,
    basis: str,
    compound: str,
    region: Region,
    branch: Team | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = _("a name of 1 to 100 characters is needed")
    for field, value, choices in (
        ("kind", kind, TeamKind),
        ("duty", duty, TeamDuty),
        ("basis", basis, TeamBasis),
    ):
        if value not in choices.values:
            errors[field] = _("%(v)s is not one of: %(allowed)s") % {
                "v": value,
                "allowed": ", ".join(choices.values),
            }
    if basis == TeamBasis.COMPOUND and not compound:
        errors["compound"] = _("a team formed by compound names its compound")
    elif len(compound) > 100:
        errors["compound"] = _("a compound's name is at most 100 characters")
    if branch is not None and (
        branch.kind != TeamKind.BRANCH
        or kind != TeamKind.TEAM
        or not region.path.startswith(branch.region_path)
    ):
        errors["branch"] = _("a team may belong to a party branch of its own area")
    return errors


def check_create_team(
    *,
    name: str,
    kind: str,
    region: Region,
    by: User | None,
    duty: str = TeamDuty.MIXED,
    basis: str = TeamBasis.COMMUNITY,
    compound: str = "",
    branch: Team | None = None,
    client_id: uuid.UUID | None = None,
) -> Team:
    """Form a temporary team or party branch in ``region`` (names unique in a region)."""
    if client_id is not None and (done := Team.objects.filter(client_id=client_id).first()):
        return done
    name, compound = name.strip(), compound.strip()
    errors = _clean_team(
        name=name,
        kind=kind,
        duty=duty,
        basis=basis,
        compound=compound,
        region=region,
        branch=branch,
    )
    if not errors and Team.objects.filter(region=region, name=name).exists():
        errors["name"] = _("%(r)s already has a team named %(n)s") % {"r": region.name, "n": name}
    if errors:
        raise VolunteerInvalid(errors)
    team = Team(
        name=name,
        kind=kind,
        duty=duty,
        basis=basis,
        compound=compound,
        region=region,
        region_path=region.path,
        branch=branch,
        created_by=by,
        client_id=client_id,
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as e:
        raise VolunteerInvalid({"name": _("a team of that name exists already")}) from e
    return team


def _family(team_id: int):
    """Current memberships of a team and, for a branch, of its teams."""
    return Membership.objects.filter(left_on__isnull=True).filter(
        Q(team_id=team_id) | Q(team__branch_id=team_id)
    )


def _sizes_to_move(team: Team) -> list[int]:
    """The teams whose size a membership of ``team`` counts in: itself and its branch, locked
    (so two supervisors adding the same volunteer at once count them once)."""
    ids = [team.pk] + ([team.branch_id] if team.branch_id else [])
    list(Team.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return ids


def check_add_member(*, team: Team, volunteer: Volunteer, on: dt.date | None = None) -> Membership:
    """Add an active volunteer of the team's area to it (already a member: that membership)."""
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise VolunteerInvalid({"volunteer": _("only an active volunteer joins a team")})
    if not (
        volunteer.region_path.startswith(team.region_path)
        or team.region_path.startswith(volunteer.region_path)
    ):
        raise VolunteerInvalid({"volunteer": _("the volunteer lives outside the team's area")})
    with transaction.atomic():
        ids = _sizes_to_move(team)
        current = Membership.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True)
        if (found := current.first()) is not None:
            return found
        new_in = [t for t in ids if not _family(t).filter(volunteer=volunteer).exists()]
        membership = Membership.objects.create(
            team=team,
            volunteer=volunteer,
            region_path=team.region_path,
            joined_on=on or timezone.localdate(),
        )
        Team.objects.filter(pk__in=new_in).update(size=F("size") + 1)
    return membership


def check_remove_member(*, team: Team, volunteer: Volunteer, on: dt.date | None = None) -> int:
    """End a volunteer's membership (a leader who leaves is no longer leader)."""
    with transaction.atomic():
        ids = _sizes_to_move(team)
        left = Membership.objects.filter(
            team=team, volunteer=volunteer, left_on__isnull=True
        ).update(left_on=on or timezone.localdate())
        if left:
            gone = [t for t in ids if not _family(t).filter(volunteer=volunteer).exists()]
            Team.objects.filter(pk__in=gone).update(size=F("size") - 1)
        Team.objects.filter(pk=team.pk, leader=volunteer).update(leader=None)
    return left


def check_set_leader(*, team: Team, volunteer: Volunteer) -> Team:
    """Make a member the team's leader (adding them as a member if they are not one)."""
    with transaction.atomic():
        check_add_member(team=team, volunteer=volunteer)
        Team.objects.filter(pk=team.pk).update(leader=volunteer)
    team.leader = volunteer
    return team


def check_create_post(*, name: str, kind: str, region: Region, address: str = "") -> Post:
    """A post of duty in ``region``: a checkpoint, sampling point or delivery round."""
    name, address = name.strip(), address.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = _("a name of 1 to 100 characters is needed")
    if kind not in PostKind.values:
        errors["kind"] = _("%(v)s is not one of: %(allowed)s") % {
            "v": kind,
            "allowed": ", ".join(PostKind.values),
        }
    if not errors and Post.objects.filter(region=region, name=name).exists():
        errors["name"] = _("%(r)s already has a post named %(n)s") % {"r": region.name, "n": name}
    if errors:
        raise VolunteerInvalid(errors)
    return Post.objects.create(
        name=name, kind=kind, region=region, region_path=region.path, address=address[:200]
    )
