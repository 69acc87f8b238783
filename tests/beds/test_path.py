"""A patient's path: confirmed → waiting → planned → admitted → discharged, observation ended
and health's rule followed; a contact's path to a quarantine room and release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.beds.choices import LineStatus, PatientStatus, PlanStatus, Severity, Source
from fangkong.beds.models import BedStock, Line, Patient, VehicleTask
from fangkong.beds.services import (
    BedsInvalid,
    check_admit,
    check_confirm_plan,
    check_discharge,
    check_propose_plan,
    check_report_progress,
    check_triage,
    take_in_waiting,
)
from fangkong.health.choices import ObservationKind
from fangkong.health.models import Case, Observation
from fangkong.health.services.watch import changing


def _plan(people, tree):
    return check_propose_plan(scope=scope_of(people.hq), user=people.hq, region=tree.city)


def _stock(facility, bed_type):
    return BedStock.objects.get(facility=facility, bed_type=bed_type)


def test_a_confirmed_case_goes_from_waiting_to_discharged_and_is_watched_at_home(
    beds, tree, people
):
    assert take_in_waiting() == 2
    patient = Patient.objects.get(person=tree.person_a)
    assert (patient.source, patient.status, patient.severity) == ("case", "waiting", "moderate")
    check_triage(
        scope=scope_of(people.district),
        user=people.district,
        patient=patient,
        severity=Severity.SEVERE,
        needs=["dialysis"],
    )
    plan = _plan(people, tree)
    line = plan.lines.get(patient=patient)
    assert line.status == LineStatus.PROPOSED
    assert line.facility == beds.hospital  # dialysis there, and a ward bed
    assert line.bed_type == "ward"
    assert "芙蓉区定点医院" in line.reason and "透析" in line.reason
    check_confirm_plan(scope=scope_of(people.hq), user=people.hq, plan=plan)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.PLANNED
    assert VehicleTask.objects.get(lines__patient=patient).vehicle == "ambulance"
    check_report_progress(
        scope=scope_of(people.district),
        user=people.district,
        line=Line.objects.get(pk=line.pk),
        status=LineStatus.PICKED_UP,
    )
    check_admit(scope=scope_of(people.hospital), user=people.hospital, patient=patient)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ADMITTED
    assert _stock(beds.hospital, "ward").occupied == 1
    assert Line.objects.get(pk=line.pk).status == LineStatus.ADMITTED
    check_discharge(
        scope=scope_of(people.hospital),
        user=people.hospital,
        patient=patient,
        outcome="recovered",
    )
    patient.refresh_from_db()
    assert patient.status == PatientStatus.DISCHARGED
    assert _stock(beds.hospital, "ward").occupied == 0
    case = Case.objects.get(pk=beds.case.pk)
    assert case.closed_on == timezone.localdate()
    watch = Observation.objects.get(person=tree.person_a, kind=ObservationKind.HEALTH_MONITORING)
    assert watch.end_on == timezone.localdate() + dt.timedelta(days=13)


def test_a_contact_gets_a_quarantine_room_and_is_released_only_when_the_period_is_over(
    beds, tree, people
):
    take_in_waiting()
    plan = _plan(people, tree)
    line = plan.lines.get(patient__person=tree.person_b)
    assert (line.facility, line.bed_type) == (beds.hotel, "quarantine")
    check_confirm_plan(scope=scope_of(people.hq), user=people.hq, plan=plan)
    assert Line.objects.get(pk=line.pk).task.vehicle == "bus"
    check_report_progress(
        scope=scope_of(people.district),
        user=people.district,
        line=Line.objects.get(pk=line.pk),
        status=LineStatus.ADMITTED,
    )
    patient = Patient.objects.get(pk=line.patient_id)
    assert patient.source == Source.CONTACT and patient.status == PatientStatus.ADMITTED
    with pytest.raises(BedsInvalid, match="quarantine runs until"):
        check_discharge(
            scope=scope_of(people.hospital),
            user=people.hospital,
            patient=patient,
            outcome="released",
        )
    with changing([beds.quarantine.person_id]):  # it has run its days (the counters follow)
        Observation.objects.filter(pk=beds.quarantine.pk).update(end_on=timezone.localdate())
    check_discharge(
        scope=scope_of(people.hospital), user=people.hospital, patient=patient, outcome="released"
    )
    assert Observation.objects.get(pk=beds.quarantine.pk).ended_on == timezone.localdate()
    assert _stock(beds.hotel, "quarantine").occupied == 0


def test_confirming_twice_never_admits_twice(beds, tree, people):
    take_in_waiting()
    plan = _plan(people, tree)
    hq = scope_of(people.hq)
    check_confirm_plan(scope=hq, user=people.hq, plan=plan)
    again = check_confirm_plan(scope=hq, user=people.hq, plan=plan)
    assert again.status == PlanStatus.CONFIRMED
    assert VehicleTask.objects.filter(plan=plan).count() == 2
    patient = Patient.objects.get(person=tree.person_a)
    check_admit(scope=scope_of(people.hospital), user=people.hospital, patient=patient)
    with pytest.raises(BedsInvalid):
        check_admit(scope=scope_of(people.hospital), user=people.hospital, patient=patient)
    assert _stock(beds.hospital, "ward").occupied == 1


def test_a_refused_transfer_goes_back_to_waiting_and_the_next_day_starts_from_what_was_left(
    beds, tree, people
):
    take_in_waiting()
    plan = _plan(people, tree)
    hq = scope_of(people.hq)
    check_confirm_plan(scope=hq, user=people.hq, plan=plan)
    refused = plan.lines.get(patient__person=tree.person_a)
    with pytest.raises(BedsInvalid, match="say why"):
        check_report_progress(
            scope=scope_of(people.district), user=people.district, line=refused, status="refused"
        )
    check_report_progress(
        scope=scope_of(people.district),
        user=people.district,
        line=refused,
        status="refused",
        reason="家属拒绝",
    )
    assert Patient.objects.get(person=tree.person_a).status == PatientStatus.WAITING
    # the contact's line is still open at the day's end; tomorrow's plan carries it
    type(plan).objects.filter(pk=plan.pk).update(on=timezone.localdate() - dt.timedelta(days=1))
    nxt = _plan(people, tree)
    assert Line.objects.get(plan=plan, patient__person=tree.person_b).status == LineStatus.CARRIED
    assert set(nxt.lines.values_list("patient__person__name", flat=True)) == {"张伟", "李娜"}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_a_patient_without_a_compatible_bed_is_told_why(beds, tree, people):
    take_in_waiting()
    patient = Patient.objects.get(person=tree.person_a)
    check_triage(
        scope=scope_of(people.hq),
        user=people.hq,
        patient=patient,
        severity=Severity.CRITICAL,
        needs=["dialysis"],
    )
    BedStock.objects.filter(facility=beds.hospital, bed_type="icu").update(blocked=2)
    line = _plan(people, tree).lines.get(patient=patient)
    assert line.status == LineStatus.UNPLACED
    assert line.reason_en.startswith("no compatible bed free (icu)")


def test_a_closed_case_leaves_the_waiting_list(beds, tree, people):
    take_in_waiting()
    Case.objects.filter(pk=beds.case.pk).update(closed_on=timezone.localdate())
    take_in_waiting()
    assert Patient.objects.get(person=tree.person_a).status == PatientStatus.CANCELLED


def test_a_child_contact_goes_with_their_parent_to_a_site_that_takes_children(beds, tree, people):
    from fangkong.beds.services import save_facility
    from fangkong.health.services import check_add_contact

    from ..conftest import make_person

    save_facility(
        code="QH02",
        name="更近的宾馆",
        kind="quarantine",
        region=tree.district,
        lat=28.2,
        lon=112.97,
        capacity={"quarantine": 20},
    )  # at the pickup point itself, but children may not stay
    mother = make_person(
        tree.grid_a, name="张母", sex="F", household=tree.household_a, birth_on=dt.date(1988, 2, 2)
    )
    hq = scope_of(people.hq)
    for person in (mother, tree.child_a):
        check_add_contact(user=people.hq, scope=hq, case=beds.case, person=person, kind="close")
    take_in_waiting()
    child = Patient.objects.get(person=tree.child_a)
    parent = Patient.objects.get(person=mother)
    assert child.parent == parent and "with_child" in parent.needs
    plan = _plan(people, tree)
    where = {ln.patient.person.name: ln.facility.code for ln in plan.lines.exclude(facility=None)}
    assert where["张母"] == "QH01" and where["张小明"] == "QH01"
    assert where["李娜"] == "QH02"  # no child: the nearest room
    assert "随家长" in plan.lines.get(patient=child).reason


def test_a_patient_whose_region_has_no_pickup_point_is_unplaced_with_that_reason(
    beds, tree, people
):
    from fangkong.beds.models import PickupPoint

    PickupPoint.objects.all().delete()
    take_in_waiting()
    line = _plan(people, tree).lines.get(patient__person=tree.person_a)
    assert line.status == LineStatus.UNPLACED
    assert line.reason_en == "no pickup point is set for their region"
