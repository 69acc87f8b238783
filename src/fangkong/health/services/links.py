"""The QR links residents report through: one live link per building, revocable."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Building

from ..models import BuildingLink

SALT = "fangkong.health.building-link"


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
        .select_related("building")
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
