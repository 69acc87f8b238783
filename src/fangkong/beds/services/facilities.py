"""Facilities, their bed types and capacity, their operators, pickup points and limits: set up
by headquarters (admin, the demo, the bench); nothing here is a phone's path."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.regions.models import Region

from ..choices import BedType, FacilityKind
from ..models import BedsRule, BedStock, Facility, Operator, PickupPoint
from .errors import BedsInvalid

# which bed types each kind of facility may hold
KIND_BEDS = {
    FacilityKind.DESIGNATED: (BedType.ICU, BedType.WARD),
    FacilityKind.FANGCANG: (BedType.FANGCANG,),
    FacilityKind.QUARANTINE: (BedType.QUARANTINE,),
}


@transaction.atomic
def save_facility(
    *,
    code: str,
    name: str,
    kind: str,
    region: Region,
    lat: float,
    lon: float,
    capacity: dict[str, int],
    dialysis: bool = False,
    oxygen: bool = True,
    children: bool = False,
) -> Facility:
    """Create or change a facility and the capacity of its bed types (a bed type of another
    kind of facility is refused: an ICU is not in a quarantine hotel)."""
    errors: dict[str, str] = {}
    if kind not in FacilityKind.values:
        errors["kind"] = _("allowed: %(a)s") % {"a": ", ".join(FacilityKind.values)}
    else:
        allowed = KIND_BEDS[FacilityKind(kind)]
        for bed_type, n in capacity.items():
            if bed_type not in allowed:
                errors["capacity"] = _("a %(kind)s holds only: %(a)s") % {
                    "kind": FacilityKind(kind).label,
                    "a": ", ".join(str(BedType(t).label) for t in allowed),
                }
            elif n < 0:
                errors["capacity"] = _("a capacity is 0 or more")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors["lat"] = _("latitude -90..90, longitude -180..180")
    if errors:
        raise BedsInvalid(errors)
    facility, _created = Facility.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "region": region,
            "region_path": region.path,
            "lat": lat,
            "lon": lon,
            "dialysis": dialysis,
            "oxygen": oxygen,
            "children": children,
        },
    )
    now = timezone.now()
    for bed_type, n in capacity.items():
        stock = (
            BedStock.objects.select_for_update()
            .filter(facility=facility, bed_type=bed_type)
            .first()
        )
        if stock is None:
            BedStock.objects.create(
                facility=facility,
                bed_type=bed_type,
                region_path=region.path,
                capacity=n,
                reported_at=now,
            )
            continue
        if stock.occupied + stock.blocked > n:
            raise BedsInvalid(
                {
                    "capacity": _(
                        "%(type)s: %(used)d beds are occupied or blocked; capacity cannot go "
                        "below that"
                    )
                    % {"type": BedType(bed_type).label, "used": stock.occupied + stock.blocked}
                }
            )
        stock.capacity = n
        stock.region_path = region.path
        stock.save(update_fields=["capacity", "region_path"])
    return facility


def assign_operator(*, facility: Facility, user: User) -> Operator:
    """Make ``user`` (a hospital operator) an operator of ``facility``: one facility an account."""
    operator, _created = Operator.objects.update_or_create(
        user=user, defaults={"facility": facility}
    )
    return operator


def save_pickup_point(*, region: Region, name: str, lat: float, lon: float) -> PickupPoint:
    point, _created = PickupPoint.objects.update_or_create(
        region=region, defaults={"name": name, "lat": lat, "lon": lon}
    )
    return point


def set_beds_rule(
    *,
    region: Region,
    stale_minutes: int | None = None,
    waiting_hours: int | None = None,
    max_km: int | None = None,
) -> BedsRule:
    rule, _created = BedsRule.objects.update_or_create(
        region=region,
        defaults={"stale_minutes": stale_minutes, "waiting_hours": waiting_hours, "max_km": max_km},
    )
    return rule
