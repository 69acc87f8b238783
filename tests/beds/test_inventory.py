"""Bed figures: an operator's count (all or nothing, each refusal saying what is allowed), the
database's guarantee that occupancy never passes capacity (also under concurrent admissions on
PostgreSQL), and figures older than the region's limit shown stale."""

from __future__ import annotations

import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.beds import selectors
from fangkong.beds.choices import PatientStatus
from fangkong.beds.models import BedStock, Patient
from fangkong.beds.services import (
    BedCount,
    BedsInvalid,
    check_admit,
    check_report_beds,
    save_facility,
    set_beds_rule,
)

from .helpers import planned

postgres = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (concurrent writers)",
)


def _report(people, facility, *counts):
    return check_report_beds(
        scope=scope_of(people.hospital),
        user=people.hospital,
        facility=facility,
        counts=list(counts),
    )


def test_an_operator_reports_occupied_and_blocked_and_free_is_what_is_left(beds, people):
    _report(people, beds.hospital, BedCount("ward", 3, 1), BedCount("icu", 2, 0, free=0))
    ward = BedStock.objects.get(facility=beds.hospital, bed_type="ward")
    assert (ward.occupied, ward.blocked, ward.free) == (3, 1, 1)
    assert ward.reported_by == people.hospital
    assert timezone.now() - ward.reported_at < dt.timedelta(minutes=1)


def test_a_count_past_the_capacity_is_refused_whole_and_says_how_many_beds_there_are(beds, people):
    with pytest.raises(BedsInvalid) as e:
        _report(people, beds.hospital, BedCount("icu", 1, 0), BedCount("ward", 5, 1))
    assert e.value.errors["ward"] == (
        "General isolation ward: occupied 5 + blocked 1 is more than the 5 beds there are"
    )
    icu = BedStock.objects.get(facility=beds.hospital, bed_type="icu")
    assert icu.occupied == 0  # all or nothing


def test_a_free_figure_that_does_not_add_up_is_refused(beds, people):
    with pytest.raises(BedsInvalid, match="must make the 5 beds"):
        _report(people, beds.hospital, BedCount("ward", 1, 1, free=1))


def test_a_bed_type_the_facility_does_not_have_is_named_with_those_it_has(beds, people):
    with pytest.raises(BedsInvalid, match="has no fangcang beds; it has: icu, ward"):
        _report(people, beds.hospital, BedCount("fangcang", 1, 0))


def test_capacity_cannot_drop_below_the_beds_in_use(beds, tree, people):
    _report(people, beds.hospital, BedCount("ward", 4, 0))
    with pytest.raises(BedsInvalid, match="4 beds are occupied or blocked"):
        save_facility(
            code="FR01",
            name="芙蓉区定点医院",
            kind="designated",
            region=tree.district,
            lat=28.2,
            lon=112.98,
            capacity={"ward": 3},
        )


def test_a_quarantine_hotel_has_no_icu(tree):
    with pytest.raises(BedsInvalid, match="holds only: Quarantine room"):
        save_facility(
            code="Q9",
            name="宾馆",
            kind="quarantine",
            region=tree.district,
            lat=28.2,
            lon=112.98,
            capacity={"icu": 3},
        )


def test_the_database_refuses_occupancy_past_capacity_whatever_the_code_does(beds):
    with pytest.raises(IntegrityError), transaction.atomic():
        BedStock.objects.filter(facility=beds.hospital, bed_type="ward").update(
            occupied=F("capacity") + 1
        )


def test_the_last_free_bed_is_taken_once_and_the_next_admission_is_refused(beds, tree, people):
    first, second = planned(tree, beds.hospital, "icu", 2)
    _report(people, beds.hospital, BedCount("icu", 1, 0))
    scope = scope_of(people.hospital)
    check_admit(scope=scope, user=people.hospital, patient=first)
    with pytest.raises(BedsInvalid, match="no free ICU bed is left"):
        check_admit(scope=scope, user=people.hospital, patient=second)
    assert Patient.objects.get(pk=second.pk).status == PatientStatus.PLANNED  # rolled back
    assert BedStock.objects.get(facility=beds.hospital, bed_type="icu").occupied == 2


def test_a_figure_older_than_the_regions_limit_shows_stale(beds, tree, people):
    _report(people, beds.hospital, BedCount("ward", 1, 0))
    BedStock.objects.filter(facility=beds.hospital, bed_type="icu").update(
        reported_at=timezone.now() - dt.timedelta(minutes=150)
    )
    shown = {
        f.stock.bed_type: f
        for f in selectors.figures(scope_of(people.hq), [beds.hospital])[beds.hospital.pk]
    }
    assert shown["icu"].stale and shown["icu"].age_minutes >= 150  # the default limit: 120 min
    assert not shown["ward"].stale
    set_beds_rule(region=tree.district, stale_minutes=240)  # this district allows four hours
    shown = {
        f.stock.bed_type: f
        for f in selectors.figures(scope_of(people.hq), [beds.hospital])[beds.hospital.pk]
    }
    assert not shown["icu"].stale


def test_the_operators_page_shows_who_counted_and_marks_a_stale_figure(beds, people, login):
    BedStock.objects.filter(facility=beds.hospital, bed_type="icu").update(
        reported_at=timezone.now() - dt.timedelta(hours=5), reported_by=people.hospital
    )
    body = login(people.hospital).get("/beds/facilities/FR01/").content.decode()
    assert "已过时" in body and "hospital" in body


ADMISSIONS = 40
FREE = 12
WORKERS = 16


@postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_never_pass_the_capacity(beds, tree, people):
    patients = planned(tree, beds.fangcang, "fangcang", ADMISSIONS)
    BedStock.objects.filter(facility=beds.fangcang).update(capacity=FREE)  # 12 beds, 40 planned
    from fangkong.beds.services import assign_operator

    assign_operator(facility=beds.fangcang, user=people.hospital)
    scope = scope_of(people.hospital)
    start = threading.Barrier(WORKERS)
    local = threading.local()

    def admit(patient) -> str:
        if not getattr(local, "started", False):
            local.started = True
            start.wait()
        try:
            check_admit(scope=scope, user=people.hospital, patient=patient)
            return "admitted"
        except BedsInvalid:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(admit, patients))
    assert outcomes.count("admitted") == FREE
    stock = BedStock.objects.get(facility=beds.fangcang)
    assert stock.occupied == FREE
    admitted = Patient.objects.filter(pk__in=[p.pk for p in patients], status="admitted")
    assert admitted.count() == FREE  # each refusal rolled its patient back to planned
