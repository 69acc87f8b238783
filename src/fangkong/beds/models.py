"""Beds and transfers: facilities and their operators, bed stock per type, the region's limits,
where each region's patients are picked up, patients needing a bed (from waiting to
discharge), the day's transfer plans with a line per patient, and vehicle tasks.

A bed stock's numbers change only through the services (a report, an admission, a discharge),
and a CHECK keeps ``occupied + blocked <= capacity`` whatever the code does. Patients carry the
``region_path`` of where they are (for district staff); a line of a plan carries both the
patient's path and its facility (for the facility's operators).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.people.models import Person
from fangkong.regions.models import Region

from .choices import (
    OPEN_STATUSES,
    BedType,
    FacilityKind,
    LineStatus,
    Outcome,
    PatientStatus,
    PlanStatus,
    Severity,
    Source,
    TaskStatus,
    Vehicle,
)

USER = settings.AUTH_USER_MODEL


class Facility(models.Model):
    """A designated hospital, a Fangcang field hospital or a central quarantine site."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=FacilityKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    dialysis = models.BooleanField(_("dialysis"), default=False)
    oxygen = models.BooleanField(_("oxygen"), default=True)
    children = models.BooleanField(_("children may stay with a parent"), default=False)

    class Meta:
        ordering = ["region_path", "code"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [prefix_index("region_path", "facility_region")]

    def __str__(self) -> str:
        return self.name


class Operator(models.Model):
    """A hospital operator's facility: one facility an account (as a lab operator's lab)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="bed_operator")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="operators")

    class Meta:
        verbose_name = _("hospital operator")
        verbose_name_plural = _("hospital operators")

    def __str__(self) -> str:
        return f"{self.user} @ {self.facility}"


class BedStock(models.Model):
    """A facility's beds of one type: capacity, occupied and blocked (cleaning, broken, staff
    short); free is what is left. The CHECK holds occupancy within capacity."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="stocks")
    bed_type = models.CharField(_("bed type"), max_length=12, choices=BedType.choices)
    region_path = models.CharField(max_length=255)  # the facility's
    capacity = models.PositiveIntegerField(_("capacity"))
    occupied = models.PositiveIntegerField(_("occupied"), default=0)
    blocked = models.PositiveIntegerField(_("blocked"), default=0)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["facility_id", "bed_type"]
        verbose_name = _("bed stock")
        verbose_name_plural = _("bed stocks")
        indexes = [prefix_index("region_path", "bedstock_region")]
        constraints = [
            models.UniqueConstraint(fields=["facility", "bed_type"], name="bedstock_one_per_type"),
            models.CheckConstraint(
                condition=Q(occupied__gte=0) & Q(blocked__gte=0),
                name="bedstock_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(occupied__lte=F("capacity") - F("blocked")),
                name="bedstock_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.bed_type} {self.occupied}+{self.blocked}/{self.capacity}"

    @property
    def free(self) -> int:
        return self.capacity - self.occupied - self.blocked


class BedsRule(models.Model):
    """A region's limits for beds; unset fields come from the nearest ancestor, else defaults
    (``rules.py``)."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="beds_rule")
    stale_minutes = models.PositiveIntegerField(
        _("a bed figure is stale after (minutes)"), null=True, blank=True
    )
    waiting_hours = models.PositiveIntegerField(
        _("waiting is too long after (hours)"), null=True, blank=True
    )
    max_km = models.PositiveIntegerField(_("farthest transfer (km)"), null=True, blank=True)

    class Meta:
        verbose_name = _("beds rule")
        verbose_name_plural = _("beds rules")

    def __str__(self) -> str:
        return f"{self.region}"


class PickupPoint(models.Model):
    """Where a region's patients are picked up for a transfer (its coordinates for the plan)."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="pickup_point")
    name = models.CharField(_("name"), max_length=100)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")

    def __str__(self) -> str:
        return self.name


class Patient(models.Model):
    """A person who needs a bed: from waiting, through the plan, admitted, to discharge."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bed_records")
    region_path = models.CharField(max_length=255)  # where they wait
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    case_id = models.BigIntegerField(null=True, blank=True)  # health.Case
    observation_id = models.BigIntegerField(null=True, blank=True)  # health.Observation
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)  # unknown: None
    needs = models.JSONField(_("needs"), default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    since_at = models.DateTimeField(_("waiting since"))
    status = models.CharField(
        _("status"), max_length=10, choices=PatientStatus.choices, default=PatientStatus.WAITING
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )
    facility_path = models.CharField(max_length=255, blank=True)
    bed_type = models.CharField(max_length=12, choices=BedType.choices, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["since_at", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        indexes = [
            prefix_index("region_path", "bedpatient_region"),
            models.Index(fields=["status", "since_at"], name="bedpatient_status"),
            models.Index(fields=["facility", "status"], name="bedpatient_facility"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_STATUSES),
                name="bedpatient_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status=PatientStatus.ADMITTED) | Q(facility__isnull=False),
                name="bedpatient_admitted_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.severity} {self.status}"


class Plan(models.Model):
    """A day's transfer plan of a region: proposed by the solver, reviewed, confirmed once."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    on = models.DateField(_("day"))
    status = models.CharField(
        max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    max_km = models.FloatField()
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)  # load and solve

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("transfer plan")
        verbose_name_plural = _("transfer plans")
        indexes = [models.Index(fields=["region", "on"], name="plan_region_day")]

    def __str__(self) -> str:
        return f"{self.region} {self.on} {self.status}"


class VehicleTask(models.Model):
    """Transport requested for a plan: a bus for a group of contacts from one pickup region to
    one site, an ambulance for one severe patient."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    vehicle = models.CharField(_("vehicle"), max_length=10, choices=Vehicle.choices)
    region_path = models.CharField(max_length=255)  # where it picks up
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField(_("people"))
    status = models.CharField(
        max_length=10, choices=TaskStatus.choices, default=TaskStatus.REQUESTED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "region_path", "id"]
        verbose_name = _("vehicle task")
        verbose_name_plural = _("vehicle tasks")
        indexes = [prefix_index("region_path", "vehicletask_region")]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.region_path} → {self.facility_id}"


class Line(models.Model):
    """One patient in a plan: where to (or why nowhere), and how far the day got with them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="lines")
    region_path = models.CharField(max_length=255)  # the patient's
    district_path = models.CharField(max_length=255)  # the district level of region_path
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    facility_path = models.CharField(max_length=255, blank=True)
    bed_type = models.CharField(max_length=12, choices=BedType.choices, blank=True)
    km = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=300)  # why this bed, or why none (Chinese)
    reason_en = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=LineStatus.choices)
    refused_reason = models.CharField(max_length=200, blank=True)
    task = models.ForeignKey(
        VehicleTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan_id", "id"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        indexes = [
            prefix_index("region_path", "planline_region"),
            models.Index(fields=["plan", "district_path", "status"], name="planline_district"),
            models.Index(fields=["facility", "status"], name="planline_facility"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "patient"], name="planline_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.patient_id} {self.status}"
