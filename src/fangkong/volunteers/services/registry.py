"""Registering volunteers: by the community (an account at once), or an application from a
campaign link that a supervisor approves (which creates the account)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import create_user
from fangkong.common import phones
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from ..choices import EVERY_DAY, Skill, Source, VehicleKind, VolunteerStatus
from ..models import Volunteer
from .errors import VolunteerInvalid

HOME_LEVELS = (Level.COMMUNITY, Level.GRID)
# an initial password the supervisor reads out once: no 0/O, 1/l/I
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Profile:
    """What a volunteer tells about themselves (validated by ``clean_profile``)."""

    name: str
    phone: str
    home_area: Region
    skills: list[str] = field(default_factory=list)
    has_vehicle: bool = False
    vehicle_kind: str = ""
    capacity: int = 3
    note: str = ""


@dataclass(frozen=True)
class Registered:
    volunteer: Volunteer
    password: str  # the initial password, shown once ("" when no account was made)


def _clean_skills(skills: list[str], errors: dict[str, str]) -> list[str]:
    unknown = sorted(set(skills) - set(Skill.values))
    if unknown:
        errors["skills"] = _("unknown skill %(s)s; allowed: %(allowed)s") % {
            "s": ", ".join(unknown),
            "allowed": ", ".join(Skill.values),
        }
    return sorted(set(skills) & set(Skill.values))


def _clean_vehicle(profile: Profile, errors: dict[str, str]) -> None:
    if profile.vehicle_kind and profile.vehicle_kind not in VehicleKind.values:
        errors["vehicle_kind"] = _("unknown vehicle %(v)s; allowed: %(allowed)s") % {
            "v": profile.vehicle_kind,
            "allowed": ", ".join(VehicleKind.values),
        }
    elif profile.vehicle_kind and not profile.has_vehicle:
        errors["vehicle_kind"] = _("a vehicle kind needs 'has a vehicle' ticked")


def clean_profile(profile: Profile) -> Profile:
    """The profile with its phone normalised and skills sorted; VolunteerInvalid says what is
    wrong with each field."""
    errors: dict[str, str] = {}
    name = " ".join(profile.name.split())
    if not name or len(name) > 50:
        errors["name"] = _("a name of 1 to 50 characters is needed")
    phone = ""
    try:
        phone = phones.normalise(profile.phone.strip())
    except phones.InvalidPhone as e:
        errors["phone"] = str(e)
    skills = _clean_skills(list(profile.skills), errors)
    _clean_vehicle(profile, errors)
    if not 0 <= profile.capacity <= 20:
        errors["capacity"] = _("tasks at a time must be 0 to 20")
    if profile.home_area.level not in HOME_LEVELS:
        errors["home_area"] = _("the home area must be a community or a grid")
    if len(profile.note) > 200:
        errors["note"] = _("the note is at most 200 characters")
    if errors:
        raise VolunteerInvalid(errors)
    return Profile(
        name=name,
        phone=phone,
        home_area=profile.home_area,
        skills=skills,
        has_vehicle=profile.has_vehicle,
        vehicle_kind=profile.vehicle_kind,
        capacity=profile.capacity,
        note=profile.note.strip(),
    )


def _phone_taken(phone: str) -> VolunteerInvalid:
    return VolunteerInvalid(
        {"phone": _("a volunteer with phone %(p)s is already registered") % {"p": phone}}
    )


def _new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def _make_account(volunteer: Volunteer) -> tuple[User, str]:
    """The volunteer's account: username is the phone, scope the home community."""
    if User.objects.filter(username=volunteer.phone).exists():
        raise VolunteerInvalid(
            {"phone": _("an account named %(p)s exists already") % {"p": volunteer.phone}}
        )
    password = _new_password()
    user = create_user(
        username=volunteer.phone,
        password=password,
        role=Role.VOLUNTEER,
        scope_region=volunteer.home_area,
        full_name=volunteer.name,
    )
    User.objects.filter(pk=user.pk).update(phone=volunteer.phone)
    return user, password


def _volunteer(profile: Profile, **extra) -> Volunteer:
    return Volunteer(
        name=profile.name,
        phone=profile.phone,
        home_area=profile.home_area,
        region_path=profile.home_area.path,
        skills=profile.skills,
        has_vehicle=profile.has_vehicle,
        vehicle_kind=profile.vehicle_kind if profile.has_vehicle else "",
        capacity=profile.capacity,
        note=profile.note,
        **extra,
    )


def check_register(*, profile: Profile, by: User | None, client_id: uuid.UUID | None = None):
    """Register a volunteer on behalf of the community: an active volunteer with an account
    (username: the phone; an initial password returned once). A form posted twice returns the
    first registration (without its password)."""
    if client_id is not None:
        done = Volunteer.objects.filter(client_id=client_id).first()
        if done is not None:
            return Registered(volunteer=done, password="")
    profile = clean_profile(profile)
    if (
        Volunteer.objects.filter(phone=profile.phone)
        .exclude(status=VolunteerStatus.REJECTED)
        .exists()
    ):
        raise _phone_taken(profile.phone)
    return do_register(profile=profile, by=by, client_id=client_id)


def do_register(*, profile: Profile, by: User | None, client_id: uuid.UUID | None) -> Registered:
    now = timezone.now()
    try:
        with transaction.atomic():
            volunteer = _volunteer(
                profile,
                client_id=client_id,
                status=VolunteerStatus.ACTIVE,
                source=Source.COMMUNITY,
                registered_by=by,
                approved_by=by,
                approved_at=now,
            )
            user, password = _make_account(volunteer)
            volunteer.user = user
            volunteer.save()
    except IntegrityError as e:
        first = Volunteer.objects.filter(client_id=client_id).first() if client_id else None
        if first is not None:  # the same form, posted twice at once
            return Registered(volunteer=first, password="")
        raise _phone_taken(profile.phone) from e
    return Registered(volunteer=volunteer, password=password)


def check_set_availability(
    *,
    volunteer: Volunteer,
    on_call: bool,
    available_from: dt.time | None,
    available_until: dt.time | None,
    weekdays: int,
) -> Volunteer:
    """The volunteer's own availability: on call or not, which weekdays (bit 0 is Monday),
    which hours (both empty: any time; from after until: past midnight)."""
    if not 0 < weekdays <= EVERY_DAY:
        raise VolunteerInvalid({"weekdays": _("choose at least one day of the week")})
    if (available_from is None) != (available_until is None):
        raise VolunteerInvalid({"available_from": _("give both hours, or neither (any time)")})
    Volunteer.objects.filter(pk=volunteer.pk).update(
        on_call=on_call,
        available_from=available_from,
        available_until=available_until,
        weekdays=weekdays,
    )
    volunteer.refresh_from_db()
    return volunteer
