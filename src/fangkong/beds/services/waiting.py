"""Who waits for a bed: open confirmed and asymptomatic cases, and contacts whose central
quarantine is running, taken in from health's records (read, never written); staff set a
patient's severity and needs; a child waiting with a parent goes where the parent goes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap, Scope
from fangkong.health.choices import CaseClass, ObservationKind
from fangkong.health.models import Case, Observation
from fangkong.people.choices import CHILD_AGE
from fangkong.people.models import years_between

from ..choices import OPEN_STATUSES, Need, PatientStatus, Severity, Source
from ..models import Patient, PickupPoint
from .errors import BedsInvalid

BATCH = 2000
# a new case waits as moderate (confirmed) or mild (asymptomatic) until staff triage them
FIRST_SEVERITY = {CaseClass.CONFIRMED: Severity.MODERATE, CaseClass.ASYMPTOMATIC: Severity.MILD}
WITH_CHILD = "with_child"  # the solvers' need of a parent bringing a child


def _pickup_points() -> dict[str, tuple[float, float]]:
    return {
        path: (lat, lon)
        for path, lat, lon in PickupPoint.objects.values_list("region__path", "lat", "lon")
    }


def where_of(points: dict[str, tuple[float, float]], path: str) -> tuple[float, float] | None:
    """The pickup point of the deepest region at or above ``path`` that has one."""
    prefix = path
    while prefix:
        if prefix in points:
            return points[prefix]
        prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return None


def _running(today: dt.date) -> Q:
    return Q(ended_on__isnull=True, start_on__lte=today, end_on__gte=today)


def _patient(points, today, **fields) -> Patient:
    at = where_of(points, fields["region_path"])
    birth_on = fields.pop("birth_on")
    return Patient(
        lat=at[0] if at else None,
        lon=at[1] if at else None,
        age=years_between(birth_on, today) if birth_on is not None else None,
        **fields,
    )


@transaction.atomic
def take_in_waiting(*, path: str = "") -> int:
    """New patients waiting under ``path``: each open case and each running central quarantine
    without an open bed record; those no longer needing one (case closed, quarantine ended)
    leave the list. Batched inserts; a second call adds nothing. Returns how many came in."""
    today = timezone.localdate()
    open_record = Patient.objects.filter(person_id=OuterRef("person_id"), status__in=OPEN_STATUSES)
    points = _pickup_points()
    cases = list(
        Case.objects.filter(
            region_path__startswith=path,
            closed_on__isnull=True,
            classification__in=list(FIRST_SEVERITY),
        )
        .filter(~Exists(open_record))
        .values_list(
            "pk",
            "person_id",
            "person__region_path",
            "person__birth_on",
            "classification",
            "created_at",
        )
    )
    watched = dict(
        Observation.objects.filter(_running(today), person_id__in=[c[1] for c in cases])
        .order_by("start_on")
        .values_list("person_id", "pk")
    )
    new = [
        _patient(
            points,
            today,
            person_id=person_id,
            region_path=where,
            birth_on=birth_on,
            source=Source.CASE,
            case_id=case_id,
            observation_id=watched.get(person_id),
            severity=FIRST_SEVERITY[CaseClass(klass)],
            since_at=at,
        )
        for case_id, person_id, where, birth_on, klass, at in cases
    ]
    contacts = (
        Observation.objects.filter(
            _running(today), region_path__startswith=path, kind=ObservationKind.CENTRAL_QUARANTINE
        )
        .filter(~Exists(open_record))
        .exclude(person_id__in=[c[1] for c in cases])
        .values_list("pk", "person_id", "person__region_path", "person__birth_on", "created_at")
    )
    new += [
        _patient(
            points,
            today,
            person_id=person_id,
            region_path=where,
            birth_on=birth_on,
            source=Source.CONTACT,
            observation_id=obs_id,
            severity=Severity.CONTACT,
            since_at=at,
        )
        for obs_id, person_id, where, birth_on, at in contacts.iterator(chunk_size=BATCH)
    ]
    Patient.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    _children_with_a_parent([p.person_id for p in new if p.source == Source.CONTACT])
    _leave_the_list(path, today)
    return len(new)


def _children_with_a_parent(person_ids: list[int]) -> None:
    """A child contact waits with an adult of their household who waits too (the adult's
    plan then needs a site where children may stay)."""
    waiting = list(
        Patient.objects.filter(
            person_id__in=person_ids,
            status=PatientStatus.WAITING,
            source=Source.CONTACT,
            person__household__isnull=False,
        ).values_list("pk", "person__household_id", "age")
    )
    adults: dict[int, int] = {}
    for pk, household, age in sorted(waiting, key=lambda r: -(r[2] or 0)):
        if age is not None and age >= 18:
            adults.setdefault(household, pk)
    children = {
        pk: adults[h]
        for pk, h, age in waiting
        if age is not None and age < CHILD_AGE and h in adults
    }
    if not children:
        return
    rows = Patient.objects.in_bulk(list(children) + list(set(children.values())))
    for child, parent in children.items():
        rows[child].parent_id = parent
        if WITH_CHILD not in rows[parent].needs:
            rows[parent].needs = [*rows[parent].needs, WITH_CHILD]
    Patient.objects.bulk_update(rows.values(), ["parent", "needs"], batch_size=BATCH)


def _leave_the_list(path: str, today: dt.date) -> None:
    """Waiting patients whose case was closed or whose quarantine ended need no bed now."""
    waiting = Patient.objects.filter(region_path__startswith=path, status=PatientStatus.WAITING)
    closed = Case.objects.filter(pk=OuterRef("case_id"), closed_on__isnull=True)
    running = Observation.objects.filter(_running(today), pk=OuterRef("observation_id"))
    waiting.filter(source=Source.CASE).filter(~Exists(closed)).update(
        status=PatientStatus.CANCELLED, note=_("the case was closed")
    )
    waiting.filter(source=Source.CONTACT).filter(~Exists(running)).update(
        status=PatientStatus.CANCELLED, note=_("the quarantine ended")
    )


def check_triage(
    *, scope: Scope, user: User, patient: Patient, severity: str, needs: list[str]
) -> Patient:
    """Set a waiting patient's severity and needs (dialysis, oxygen), which decide their bed."""
    scope.require(Cap.BEDS_PROGRESS)
    errors: dict[str, str] = {}
    allowed: list[str] = [Severity.CONTACT.value]  # a contact waits for a room; a case for a bed
    if patient.source == Source.CASE:
        allowed = [s for s in Severity.values if s != Severity.CONTACT]
    if severity not in allowed:
        errors["severity"] = _("allowed: %(a)s") % {
            "a": ", ".join(str(Severity(s).label) for s in allowed)
        }
    bad = [n for n in needs if n not in Need.values]
    if bad:
        errors["needs"] = _("allowed: %(a)s") % {"a": ", ".join(str(n.label) for n in Need)}
    if errors:
        raise BedsInvalid(errors)
    keep = [n for n in patient.needs if n == WITH_CHILD]
    updated = Patient.objects.filter(pk=patient.pk, status=PatientStatus.WAITING).update(
        severity=severity, needs=sorted(set(needs)) + keep
    )
    if not updated:
        raise BedsInvalid({"patient": _("only a waiting patient is triaged here")})
    patient.refresh_from_db()
    return patient
