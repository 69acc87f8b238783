"""The bed stock: operators' reports, admissions and discharges. Every change to a stock's
numbers is a locked read-then-write or a conditional update whose row count is checked, under
the CHECK that occupancy never passes capacity."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.health.choices import ObservationKind
from fangkong.health.models import Observation
from fangkong.health.services import do_close_case, do_end_observation, do_place_under_watch

from ..choices import BedType, LineStatus, Outcome, PatientStatus, Source
from ..models import BedStock, Facility, Line, Patient
from .errors import BedsInvalid


@dataclass(frozen=True)
class BedCount:
    bed_type: str
    occupied: int
    blocked: int
    free: int | None = None  # given by a hospital system: checked against the rest


@transaction.atomic
def check_report_beds(
    *, scope: Scope, user: User | None, facility: Facility, counts: list[BedCount]
) -> list[BedStock]:
    """An operator's count of their facility's beds, one or more types at once (all or
    nothing): occupied and blocked, free being what is left of the capacity. The caller has
    found the facility among those the user keeps (``selectors.kept_facility_or_404``)."""
    scope.require(Cap.BEDS_KEEP)
    stocks = {
        s.bed_type: s
        for s in BedStock.objects.select_for_update().filter(facility=facility).order_by("pk")
    }
    errors: dict[str, str] = {}
    for c in counts:
        stock = stocks.get(c.bed_type)
        if stock is None:
            errors[c.bed_type or "bed_type"] = _(
                "this facility has no %(t)s beds; it has: %(a)s"
            ) % {
                "t": c.bed_type,
                "a": ", ".join(sorted(stocks)),
            }
            continue
        if c.occupied < 0 or c.blocked < 0:  # the pages send -1 for what is no whole number
            errors[c.bed_type] = _(
                "%(t)s: occupied and blocked are whole numbers from 0 to %(c)d"
            ) % {"t": BedType(c.bed_type).label, "c": stock.capacity}
        elif c.occupied + c.blocked > stock.capacity:
            errors[c.bed_type] = _(
                "%(t)s: occupied %(o)d + blocked %(b)d is more than the %(c)d beds there are"
            ) % {
                "t": BedType(c.bed_type).label,
                "o": c.occupied,
                "b": c.blocked,
                "c": stock.capacity,
            }
        elif c.free is not None and c.free != stock.capacity - c.occupied - c.blocked:
            errors[c.bed_type] = _(
                "%(t)s: free %(f)d + occupied %(o)d + blocked %(b)d must make the %(c)d beds there "
                "are"
            ) % {
                "t": BedType(c.bed_type).label,
                "f": c.free,
                "o": c.occupied,
                "b": c.blocked,
                "c": stock.capacity,
            }
    if not counts:
        errors["counts"] = _("report at least one bed type")
    if errors:
        raise BedsInvalid(errors)
    now = timezone.now()
    changed = []
    for c in counts:
        stock = stocks[c.bed_type]
        stock.occupied, stock.blocked = c.occupied, c.blocked
        stock.reported_at, stock.reported_by = now, user
        stock.save(update_fields=["occupied", "blocked", "reported_at", "reported_by"])
        changed.append(stock)
    return changed


def _take_bed(facility_id: int, bed_type: str) -> bool:
    """One bed of the type taken, if one is free: a conditional update (the row's lock orders
    concurrent admissions; the CHECK stands behind it)."""
    return bool(
        BedStock.objects.filter(
            facility_id=facility_id,
            bed_type=bed_type,
            occupied__lt=F("capacity") - F("blocked"),
        ).update(occupied=F("occupied") + 1)
    )


def _free_bed(facility_id: int, bed_type: str) -> None:
    BedStock.objects.filter(facility_id=facility_id, bed_type=bed_type, occupied__gt=0).update(
        occupied=F("occupied") - 1
    )


@transaction.atomic
def do_admit(*, patient: Patient, user: User | None, line: Line | None = None) -> Patient:
    """Admit a planned patient to their planned facility and bed type: the bed is taken, the
    patient and their plan line move to admitted, a running home period ends. A second call
    for the same patient admits nothing (the patient's status is checked as it changes)."""
    line = line or (
        Line.objects.filter(
            patient=patient, status__in=(LineStatus.CONFIRMED, LineStatus.PICKED_UP)
        )
        .order_by("-plan_id")
        .first()
    )
    if line is None or line.facility_id is None:
        raise BedsInvalid({"patient": _("this patient is not in a confirmed plan to admit")})
    moved = Patient.objects.filter(pk=patient.pk, status=PatientStatus.PLANNED).update(
        status=PatientStatus.ADMITTED,
        facility_id=line.facility_id,
        facility_path=line.facility_path,
        bed_type=line.bed_type,
        admitted_at=timezone.now(),
    )
    if not moved:
        raise BedsInvalid({"patient": _("this patient was already admitted or is not planned")})
    if not _take_bed(line.facility_id, line.bed_type):
        raise BedsInvalid(
            {
                "bed_type": _("no free %(t)s bed is left at %(f)s: report the beds, or refuse")
                % {"t": BedType(line.bed_type).label, "f": line.facility}
            }
        )
    Line.objects.filter(pk=line.pk).update(
        status=LineStatus.ADMITTED, updated_by=user, updated_at=timezone.now()
    )
    if patient.source == Source.CASE and patient.observation_id:
        do_end_observation(
            observation_id=patient.observation_id,
            reason=_("admitted to %(f)s") % {"f": line.facility},
        )
    patient.refresh_from_db()
    return patient


@transaction.atomic
def check_discharge(
    *, scope: Scope, user: User, patient: Patient, outcome: str, note: str = ""
) -> Patient:
    """Discharge an admitted patient (release a contact): the bed is freed, and health's rule
    follows — a recovered case is closed and watched at home for the region's observation
    days; a contact's quarantine period is ended (released only once it has run its days)."""
    scope.require(Cap.BEDS_KEEP)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("allowed: %(a)s") % {"a": ", ".join(str(o.label) for o in Outcome)}
    elif outcome == Outcome.RELEASED and patient.source != Source.CONTACT:
        errors["outcome"] = _("a patient is discharged, not released: choose another outcome")
    elif outcome == Outcome.RELEASED:
        until = _quarantine_until(patient)
        if until is not None and until > timezone.localdate():
            errors["outcome"] = _("the quarantine runs until %(on)s; release from then") % {
                "on": until
            }
    if errors:
        raise BedsInvalid(errors)
    moved = Patient.objects.filter(pk=patient.pk, status=PatientStatus.ADMITTED).update(
        status=PatientStatus.DISCHARGED,
        discharged_at=timezone.now(),
        outcome=outcome,
        note=note.strip()[:200],
    )
    if not moved:
        raise BedsInvalid({"patient": _("this patient is not in a bed here")})
    if patient.facility_id is not None:  # always, for an admitted patient (the CHECK)
        _free_bed(patient.facility_id, patient.bed_type)
    _follow_health_rule(patient, outcome, user)
    patient.refresh_from_db()
    return patient


def _quarantine_until(patient: Patient):
    if not patient.observation_id:
        return None
    o = Observation.objects.filter(pk=patient.observation_id).first()
    return o.end_on if o is not None and o.ended_on is None else None


def _follow_health_rule(patient: Patient, outcome: str, user: User | None) -> None:
    facility = patient.facility
    if patient.source == Source.CONTACT and patient.observation_id:
        reason = _("released from %(f)s") % {"f": facility}
        do_end_observation(observation_id=patient.observation_id, reason=reason)
        return
    if patient.case_id and outcome == Outcome.RECOVERED:
        do_close_case(
            case_id=patient.case_id, reason=_("discharged recovered from %(f)s") % {"f": facility}
        )
        do_place_under_watch(
            people=[
                (
                    patient.person_id,
                    patient.person.region_path,
                    _("health monitoring after discharge from %(f)s") % {"f": facility},
                )
            ],
            kind=ObservationKind.HEALTH_MONITORING,
            user=user,
        )
    elif patient.case_id and outcome == Outcome.DIED:
        do_close_case(case_id=patient.case_id, reason=_("died at %(f)s") % {"f": facility})
