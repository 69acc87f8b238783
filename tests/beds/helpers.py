"""Patients put straight into a confirmed plan, for tests of admissions (the plan's own path
is tested in test_path.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.beds.choices import LineStatus, PatientStatus, PlanStatus, Severity, Source
from fangkong.beds.models import Line, Patient, Plan

from ..conftest import make_person


def planned(tree, facility, bed_type: str, n: int, *, grid=None) -> list[Patient]:
    grid = grid or tree.grid_a
    plan = Plan.objects.create(
        region=tree.city,
        region_path=tree.city.path,
        on=timezone.localdate(),
        status=PlanStatus.CONFIRMED,
        max_km=60,
    )
    patients = []
    for i in range(n):
        person = make_person(grid, name=f"患者{i}", birth_on=dt.date(1970, 1, 1 + i % 28))
        p = Patient.objects.create(
            person=person,
            region_path=grid.path,
            source=Source.CASE,
            severity=Severity.MODERATE,
            age=50,
            since_at=timezone.now(),
            status=PatientStatus.PLANNED,
        )
        Line.objects.create(
            plan=plan,
            patient=p,
            region_path=grid.path,
            district_path=grid.path,
            facility=facility,
            facility_path=facility.region_path,
            bed_type=bed_type,
            reason="测试",
            reason_en="test",
            status=LineStatus.CONFIRMED,
        )
        patients.append(p)
    return patients
