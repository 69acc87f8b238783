"""Self-registration from a campaign link: anyone with the link applies without an account;
a supervisor of the area approves (which creates the account) or declines."""

from __future__ import annotations

import uuid

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.regions.models import Region

from ..choices import Source, VolunteerStatus
from ..models import Volunteer
from .errors import VolunteerInvalid
from .registry import Profile, Registered, _make_account, _volunteer, clean_profile

SALT = "fangkong.volunteers.campaign"


def campaign_token(region: Region) -> str:
    """The signed token of a campaign link for ``region`` (a community or a grid)."""
    return signing.dumps(region.pk, salt=SALT)


def region_of_token(token: str) -> Region | None:
    """The region a campaign link is for; None for a forged or mangled link."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return Region.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def check_apply(*, region: Region, profile: Profile, client_id: uuid.UUID) -> Volunteer:
    """Record an application from the link of ``region``; the home area must lie inside it.
    The same form sent twice is one application. A phone already registered (or applying)
    records nothing and gets the same answer, an unsaved application: anyone may hold the
    link, and "already registered" would tell them whose phone belongs to a volunteer."""
    done = Volunteer.objects.filter(client_id=client_id).first()
    if done is not None:
        return done
    profile = clean_profile(profile)
    if not profile.home_area.path.startswith(region.path):
        raise VolunteerInvalid(
            {"home_area": _("choose a home area inside %(r)s") % {"r": region.name}}
        )
    if (
        Volunteer.objects.filter(phone=profile.phone)
        .exclude(status=VolunteerStatus.REJECTED)
        .exists()
    ):
        return _not_recorded(profile)
    return do_apply(profile=profile, client_id=client_id)


def _not_recorded(profile: Profile) -> Volunteer:
    """The answer to an application of a phone already known: what was typed, never saved."""
    return _volunteer(profile, status=VolunteerStatus.PENDING, source=Source.SELF)


def do_apply(*, profile: Profile, client_id: uuid.UUID) -> Volunteer:
    volunteer = _volunteer(
        profile, client_id=client_id, status=VolunteerStatus.PENDING, source=Source.SELF
    )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        first = Volunteer.objects.filter(client_id=client_id).first()
        if first is not None:
            return first
        if Volunteer.objects.filter(phone=profile.phone).exists():  # applied at the same time
            return _not_recorded(profile)
        raise
    return volunteer


def _pending(volunteer: Volunteer) -> Volunteer:
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if locked.status != VolunteerStatus.PENDING:
        raise VolunteerInvalid(
            {
                "status": _("this application was already decided: %(s)s")
                % {"s": VolunteerStatus(locked.status).label}
            }
        )
    return locked


def check_approve(*, volunteer: Volunteer, by: User) -> Registered:
    """Approve an application: the volunteer becomes active with an account (username: the
    phone, an initial password returned once). Approving twice is refused."""
    with transaction.atomic():
        locked = _pending(volunteer)
        user, password = _make_account(locked)
        locked.user = user
        locked.status = VolunteerStatus.ACTIVE
        locked.approved_by = by
        locked.approved_at = timezone.now()
        locked.save(update_fields=["user", "status", "approved_by", "approved_at"])
    return Registered(volunteer=locked, password=password)


def check_decline(*, volunteer: Volunteer, by: User) -> Volunteer:
    """Decline an application (the phone may apply again)."""
    with transaction.atomic():
        locked = _pending(volunteer)
        locked.status = VolunteerStatus.REJECTED
        locked.approved_by = by
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked
