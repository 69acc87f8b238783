"""The demo city's beds: the district's two designated hospitals (the ``hospital`` account
operates the first), a Fangcang field hospital and two quarantine hotels with their counts (one
count hours old, so stale), a pickup point per street, the outbreak's cases and quarantined
contacts on the waiting list (a few triaged severe or critical, one needing dialysis), and
today's plan confirmed and half done (picked up, admitted, one refused), the rest left for the
districts' next round."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.scope import scope_of
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from .choices import FacilityKind, LineStatus, PatientStatus, Severity
from .models import BedStock, Facility, Line, Patient
from .services import (
    BedCount,
    assign_operator,
    check_confirm_plan,
    check_propose_plan,
    check_report_beds,
    check_report_progress,
    save_facility,
    save_pickup_point,
    take_in_waiting,
)

BASE = (28.19, 112.98)  # the demo city's centre (it has no map: places are laid out around it)


def _at(i: int, n: int, km: float) -> tuple[float, float]:
    """The i-th of n places on a circle ``km`` from the centre."""
    import math

    a = 2 * math.pi * i / max(n, 1)
    return BASE[0] + km / 111 * math.sin(a), BASE[1] + km / 98 * math.cos(a)


FACILITIES = [
    # code, name, kind, capacity, dialysis, children with a parent
    ("H01", "定点医院（市一医院）", FacilityKind.DESIGNATED, {"icu": 12, "ward": 80}, True, False),
    ("H02", "定点医院（传染病院）", FacilityKind.DESIGNATED, {"icu": 6, "ward": 40}, False, False),
    ("F01", "国际会展中心方舱医院", FacilityKind.FANGCANG, {"fangcang": 400}, False, False),
    ("Q01", "湘江宾馆集中隔离点", FacilityKind.QUARANTINE, {"quarantine": 120}, False, True),
    ("Q02", "岳麓酒店集中隔离点", FacilityKind.QUARANTINE, {"quarantine": 80}, False, False),
]


def _facilities(district: Region) -> list[Facility]:
    made = []
    for i, (code, name, kind, capacity, dialysis, children) in enumerate(FACILITIES):
        lat, lon = _at(i, len(FACILITIES), 6)
        made.append(
            save_facility(
                code=f"{district.code}-{code}",
                name=f"{district.name}{name}",
                kind=kind,
                region=district,
                lat=lat,
                lon=lon,
                capacity=capacity,
                dialysis=dialysis,
                children=children,
            )
        )
    return made


def _counts(facilities: list[Facility], operator: User) -> None:
    """Each facility's count: most beds occupied, a few blocked; the operator's own facility by
    them, the others as their hospital systems would (no demo account of theirs); the Fangcang's
    count is hours old."""
    scope = scope_of(operator)
    for f in facilities:
        counts = [
            BedCount(s.bed_type, s.capacity * 3 // 5, s.capacity // 20)
            for s in BedStock.objects.filter(facility=f)
        ]
        mine = f.operators.filter(user=operator).exists()
        check_report_beds(scope=scope, user=operator if mine else None, facility=f, counts=counts)
    fangcang = next(f for f in facilities if f.kind == FacilityKind.FANGCANG)
    BedStock.objects.filter(facility=fangcang).update(
        reported_at=timezone.now() - dt.timedelta(hours=3)
    )


def _triage() -> None:
    """A few of the waiting cases are worse than the first guess."""
    cases = list(Patient.objects.filter(status=PatientStatus.WAITING, source="case")[:12])
    for i, p in enumerate(cases):
        if i % 6 == 0:
            p.severity = Severity.CRITICAL
        elif i % 3 == 0:
            p.severity = Severity.SEVERE
        if i == 1:
            p.needs = ["dialysis"]
    Patient.objects.bulk_update(cases, ["severity", "needs"])
    # the first waited a long time: past the limit, shown red
    Patient.objects.filter(pk__in=[p.pk for p in cases[:2]]).update(
        since_at=timezone.now() - dt.timedelta(hours=30)
    )


def seed_beds() -> int:
    """Once: a city that has beds set up is left as it is. Returns the lines of today's plan."""
    if Facility.objects.exists():
        return 0
    city = Region.objects.filter(level=Level.CITY).order_by("path").first()
    district = Region.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if city is None or district is None:
        return 0
    hq, operator = User.objects.get(username="hq"), User.objects.get(username="hospital")
    staff = User.objects.get(username="district")
    facilities = _facilities(district)
    assign_operator(facility=facilities[0], user=operator)
    streets = list(Region.objects.filter(level=Level.STREET).order_by("path"))
    save_pickup_point(region=city, name=city.name, lat=BASE[0], lon=BASE[1])
    for i, street in enumerate(streets):
        lat, lon = _at(i, len(streets), 3)
        save_pickup_point(region=street, name=f"{street.name}接送点", lat=lat, lon=lon)
    _counts(facilities, operator)
    take_in_waiting(path=city.path)
    _triage()
    plan = check_propose_plan(scope=scope_of(hq), user=hq, region=city)
    check_confirm_plan(scope=scope_of(hq), user=hq, plan=plan)
    lines = list(plan.lines.filter(status=LineStatus.CONFIRMED).order_by("pk"))
    scope = scope_of(staff)
    for i, line in enumerate(lines):
        if not scope.contains(line.region_path) or i % 4 == 3:
            continue  # left for the next round (and the operator's page)
        if i % 4 == 0:
            check_report_progress(scope=scope, user=staff, line=line, status=LineStatus.ADMITTED)
        elif i % 4 == 1:
            check_report_progress(scope=scope, user=staff, line=line, status=LineStatus.PICKED_UP)
        elif i == 2:
            check_report_progress(
                scope=scope, user=staff, line=line, status=LineStatus.REFUSED, reason="家属要求居家"
            )
    return Line.objects.filter(plan=plan).count()
