"""The QR links residents report through: one live link per building, revocable; and the proof
a resident gives that they belong to a household before reporting for its members."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.accounts.choices import AuditAction
from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.accounts.services import client_ip, record_audit
from fangkong.common.digits import ascii_digits
from fangkong.people.models import Person
from fangkong.regions.models import Building, Household

from ..models import BuildingLink

SALT = "fangkong.health.building-link"
HOUSEHOLD_SALT = "fangkong.health.household-proof"
MEMBER_SALT = "fangkong.health.household-member"
CODE_SALT = "fangkong.health.household-code"

PROOF_TRIES = 5  # wrong answers per household, and per client address, within the window
PROOF_WINDOW = dt.timedelta(minutes=15)
PROOF_MAX_AGE = dt.timedelta(minutes=20)  # a proven household page stays usable this long
CODE_DIGITS = 6
_PROOF = re.compile(r"^([0-9]{4}|[0-9]{6})$")  # a phone's last four, or a CODE_DIGITS code


def link_token(link: BuildingLink) -> str:
    return signing.dumps(link.pk, salt=SALT, compress=True)


def link_from_token(token: str) -> BuildingLink | None:
    """The live link a token names, or None (bad signature, revoked, or re-issued)."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return (
        BuildingLink.objects.filter(pk=pk, revoked_at__isnull=True)
        .select_related("building", "building__grid")
        .first()
    )


@transaction.atomic
def issue_building_link(*, user: User, scope: Scope, building: Building) -> BuildingLink:
    """A new link for the building; the old one stops working (a code that leaked is revoked
    by printing a new one)."""
    scope.require(Cap.HEALTH_RECORD)
    revoke_building_links(scope=scope, building=building)
    return BuildingLink.objects.create(
        building=building, region_path=building.region_path, created_by=user
    )


def revoke_building_links(*, scope: Scope, building: Building) -> int:
    scope.require(Cap.HEALTH_RECORD)
    return BuildingLink.objects.filter(building=building, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- a resident's proof of belonging to a household ------------------------------------------


def household_code(household_id: int) -> str:
    """The code on the notice slipped under a door, for households where nobody has a phone
    registered: derived from the household and the secret key, so nothing is stored (a new
    secret key means new notices)."""
    digest = salted_hmac(CODE_SALT, str(household_id), algorithm="sha256").hexdigest()
    return f"{int(digest, 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def member_key(link: BuildingLink, person_id: int) -> str:
    """How the public page names a household member: opaque, stable for the link, and useless
    without a proof for that member's household."""
    return salted_hmac(MEMBER_SALT, f"{link.pk}:{person_id}", algorithm="sha256").hexdigest()[:16]


def household_token(link: BuildingLink, household: Household) -> str:
    """What the page carries once a resident has proven a household: its door, signed for this
    link (no internal id), valid for PROOF_MAX_AGE."""
    return signing.dumps([household.unit, household.door], salt=f"{HOUSEHOLD_SALT}:{link.pk}")


@dataclass(frozen=True)
class ProvenDoor:
    unit: str
    door: str
    expired: bool  # signed by us but older than PROOF_MAX_AGE: prove again


def door_from_token(link: BuildingLink, token: str) -> ProvenDoor | None:
    """The door a household token names for this link, or None if it was not made by us for
    this link (tampered, or from another building's page)."""
    salt = f"{HOUSEHOLD_SALT}:{link.pk}"
    expired = False
    try:
        value = signing.loads(token, salt=salt, max_age=PROOF_MAX_AGE)
    except signing.SignatureExpired:
        expired = True
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return None
    return ProvenDoor(unit=value[0], door=value[1], expired=expired)


class ProofRefused(Exception):
    """A proof that was not accepted, with what the resident is told."""

    def __init__(self, message: str, *, counted: bool):
        super().__init__(message)
        self.message = message
        self.counted = counted


def clean_proof(raw: str) -> str:
    """Digits only (full-width digits and spaces accepted): 4 for a phone, 6 for a code."""
    text = re.sub(r"\s|-", "", ascii_digits(raw))
    if not _PROOF.match(text):
        raise ProofRefused(
            _(
                "Enter the last 4 digits of a phone number registered for your household, "
                "or the 6-digit household code on the notice."
            ),
            counted=False,
        )
    return text


def _keys(household: Household, ip: str | None) -> list[str]:
    keys = [f"resident-proof:household:{household.pk}"]
    if ip:
        keys.append(f"resident-proof:ip:{ip}")
    return keys


def proof_locked_until(*, household: Household, ip: str | None) -> dt.datetime | None:
    """When a locked household (or client) may try again; None when it is not locked."""
    for key in _keys(household, ip):
        if cache.get(key, 0) >= PROOF_TRIES:
            return cache.get(f"{key}:until") or timezone.now() + PROOF_WINDOW
    return None


def _retry_message(until: dt.datetime) -> str:
    return _(
        "Too many wrong tries for this household. Try again after %(time)s, or ask your grid "
        "worker."
    ) % {"time": time_format(timezone.localtime(until), "H:i")}


def _note_failure(*, household: Household, request: HttpRequest | None) -> int:
    """Count a wrong proof for the household and the client; the tries the household has left."""
    window = int(PROOF_WINDOW.total_seconds())
    until = timezone.now() + PROOF_WINDOW
    counts = []
    for key in _keys(household, client_ip(request)):
        cache.add(f"{key}:until", until, window)
        cache.add(key, 0, window)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            counts.append(1)
    # An anonymous failed proof is audited like a failed login (who tried which door, from
    # where); the audit log holds no AuditAction of its own for it yet.
    record_audit(
        user=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="household",
        object_id=household.pk,
        region_path=household.region_path,
        request=request,
        detail={"via": "resident_page", "door": household.label},
    )
    return PROOF_TRIES - max(counts)


def _proof_matches(household: Household, proof: str) -> bool:
    if len(proof) == CODE_DIGITS:
        return hmac.compare_digest(proof, household_code(household.pk))
    phones = Person.objects.filter(household=household).exclude(phone="")
    return any(hmac.compare_digest(p[-4:], proof) for p in phones.values_list("phone", flat=True))


def check_household_proof(
    *, household: Household, proof: str, request: HttpRequest | None = None
) -> None:
    """Accept the last four digits of a member's phone, or the household's code; refuse
    anything else, counting wrong answers per household and per client (PROOF_TRIES within
    PROOF_WINDOW, then locked until the window ends) and auditing each."""
    until = proof_locked_until(household=household, ip=client_ip(request))
    if until is not None:
        raise ProofRefused(_retry_message(until), counted=False)
    text = clean_proof(proof)
    if _proof_matches(household, text):
        return
    left = _note_failure(household=household, request=request)
    until = proof_locked_until(household=household, ip=client_ip(request))
    if left <= 0 or until is not None:
        raise ProofRefused(_retry_message(until or timezone.now() + PROOF_WINDOW), counted=True)
    raise ProofRefused(
        ngettext(
            "That is not the end of a phone number registered for this household, nor its "
            "code. %(n)d try left.",
            "That is not the end of a phone number registered for this household, nor its "
            "code. %(n)d tries left.",
            left,
        )
        % {"n": left},
        counted=True,
    )
