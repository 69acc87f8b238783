"""Daily health monitoring: check-ins, alerts, observation periods, cases and contacts,
checkpoints, and the building links residents report through. Every row carries the person's
(or checkpoint's) region path, so scope is one indexed prefix match."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.people.models import Person
from fangkong.regions.models import Building, Region

from .choices import (
    AlertLevel,
    AlertReason,
    CaseClass,
    ContactKind,
    Direction,
    ObservationKind,
    Outcome,
    PassageOutcome,
    Source,
)

USER = settings.AUTH_USER_MODEL


class HealthRule(models.Model):
    """A region's settings; a blank field takes the nearest ancestor's value, else the default."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="health_rule")
    fever_threshold = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    alert_minutes = models.PositiveIntegerField(null=True, blank=True)
    universal_reporting = models.BooleanField(null=True, blank=True)
    close_contact_kind = models.CharField(
        max_length=20, choices=ObservationKind.choices, blank=True
    )
    close_contact_days = models.PositiveSmallIntegerField(null=True, blank=True)
    close_contact_home_days = models.PositiveSmallIntegerField(null=True, blank=True)
    secondary_contact_kind = models.CharField(
        max_length=20, choices=ObservationKind.choices, blank=True
    )
    secondary_contact_days = models.PositiveSmallIntegerField(null=True, blank=True)
    observation_days = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.region}"


class CheckIn(models.Model):
    """One temperature (and symptoms) of one person; ``client_id`` makes a retry harmless."""

    client_id = models.UUIDField()  # with person and day: checkin_once_per_person_client_day
    # Indexes cost every insert (a city writes millions a day): the person is found through
    # checkin_person_day, and nothing looks check-ins up by who typed them in.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="check_ins", db_index=False
    )
    region_path = models.CharField(max_length=255)
    measured_at = models.DateTimeField()
    on = models.DateField()  # local date of measured_at: "today" is one indexed range
    temperature = models.DecimalField(max_digits=3, decimal_places=1)
    symptoms = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            models.Index(
                fields=["on", "region_path"],
                name="checkin_day_region",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["person", "on"], name="checkin_person_day"),
        ]
        constraints = [
            # A retry sends the same id for the same person; the index leads with client_id,
            # so the id alone (a clash with another person, or a retry measured "now" again
            # after midnight) is found through it too. On PostgreSQL the table is partitioned
            # by day (migration 0006, health/partitions.py) and a unique index must hold the
            # day; the insert's guard refuses an id stored on another day (services/checkins).
            models.UniqueConstraint(
                fields=["client_id", "person", "on"], name="checkin_once_per_person_client_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.temperature} {self.measured_at:%Y-%m-%d %H:%M}"


class GridDay(models.Model):
    """A grid's figures of one day, kept up to date in the transaction that writes check-ins
    or periods under watch (services/counters.py), so a day's report is a sum over grids,
    never a scan of check-ins or of periods. ``fangkong health recount`` recomputes them from
    the raw rows."""

    # the key serves "this day, under this path": a day holds one row per grid (hundreds)
    pk = models.CompositePrimaryKey("on", "region_path")
    region_path = models.CharField(max_length=255)  # the grid's path (the check-ins' path)
    on = models.DateField()
    check_ins = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)  # distinct persons who reported
    fevers = models.PositiveIntegerField(default=0)  # readings at or above the threshold
    watched = models.PositiveIntegerField(default=0)  # distinct persons under watch here
    watched_reported = models.PositiveIntegerField(default=0)  # of them, those who reported

    class Meta:
        verbose_name = _("grid day")
        verbose_name_plural = _("grid days")

    def __str__(self) -> str:
        return f"{self.region_path} {self.on}"


class PersonDay(models.Model):
    """A person's day under a grid's path: ``n`` check-ins there, and ``w`` periods under watch
    there that cover the day. The first check-in makes the person count in
    ``GridDay.persons``, the first period in ``GridDay.watched``, and both together in
    ``GridDay.watched_reported``; the row goes when both are back to 0. A row (not a scan) so
    that concurrent writers — a check-in and a period started at the same moment — meet on
    its lock. ``person_id`` is a plain number, not a foreign key: a merge of two persons must
    not trip over it (health's mover settles it)."""

    pk = models.CompositePrimaryKey("on", "region_path", "person_id")
    on = models.DateField()
    region_path = models.CharField(max_length=255)
    person_id = models.BigIntegerField()
    n = models.PositiveIntegerField(default=0)
    w = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.person_id} {self.on} ×{self.n}"


class KindDay(models.Model):
    """Distinct persons under watch of one kind in a grid on a day, kept by the writers of
    periods under watch (services/watch.py) with ``GridDay``."""

    pk = models.CompositePrimaryKey("on", "region_path", "kind")
    on = models.DateField()
    region_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)
    persons = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.region_path} {self.on} {self.kind}"


class Alert(models.Model):
    """A fever or red-flag symptom waiting for a named person to act, with a deadline."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alerts")
    region_path = models.CharField(max_length=255)
    # no database constraint: on PostgreSQL check-ins are partitioned by day, and a foreign
    # key must name the whole primary key (id, day); deleting a check-in nulls this (Django)
    check_in = models.ForeignKey(
        CheckIn, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    reason = models.CharField(max_length=10, choices=AlertReason.choices)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    symptoms = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    level = models.CharField(max_length=10, choices=AlertLevel.choices, default=AlertLevel.GRID)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["deadline_at"]
        indexes = [prefix_index("region_path", "alert_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(closed_at__isnull=True),
                name="alert_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_reason_display()}"


class Observation(models.Model):
    """A period under watch (居家观察, 居家隔离, 集中隔离, 健康监测) with its end set by rule."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="observations")
    region_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=ObservationKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    start_on = models.DateField()
    end_on = models.DateField()  # the last day under watch
    ended_on = models.DateField(null=True, blank=True)  # ended early
    end_reason = models.CharField(max_length=200, blank=True)
    hotel = models.CharField(_("quarantine hotel"), max_length=100, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    responsible = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="followed_by"
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("observation period")
        verbose_name_plural = _("observation periods")
        ordering = ["start_on", "id"]
        indexes = [
            prefix_index("region_path", "observation_region"),
            models.Index(fields=["end_on", "start_on"], name="observation_days"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="observation_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_kind_display()} {self.start_on}–{self.end_on}"

    @property
    def last_day(self) -> dt.date:
        return min(self.end_on, self.ended_on) if self.ended_on else self.end_on

    def active_on(self, day: dt.date) -> bool:
        return self.start_on <= day <= self.last_day


class Extension(models.Model):
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200)
    previous_end_on = models.DateField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"+{self.days}"


class Case(models.Model):
    """A case (confirmed, asymptomatic, suspected); a person has at most one open at a time."""

    # made when the form is shown: posting the same form again returns the case already made
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    region_path = models.CharField(max_length=255)
    classification = models.CharField(max_length=12, choices=CaseClass.choices)
    onset_on = models.DateField(null=True, blank=True)
    report_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    closed_on = models.DateField(null=True, blank=True)  # recovered, ruled out, died, ...
    close_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["report_on", "id"]
        indexes = [prefix_index("region_path", "case_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(closed_on__isnull=True),
                name="case_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_classification_display()}"


class Contact(models.Model):
    """A person exposed to a case (close) or to a close contact (secondary)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    via = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="secondary"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    region_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    last_exposure_on = models.DateField()
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [prefix_index("region_path", "contact_region")]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="contact_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_kind_display()}"


class Checkpoint(models.Model):
    """A checkpoint (卡口) in a region, staffed between its hours."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="checkpoints")
    region_path = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=100)
    opens_at = models.TimeField(default=dt.time(7, 0))
    closes_at = models.TimeField(default=dt.time(22, 0))
    # closes the next day (23:00–01:00); closing time equal to opening: round the clock
    overnight = models.BooleanField(_("spans midnight"), default=False)

    class Meta:
        ordering = ["name"]
        indexes = [prefix_index("region_path", "checkpoint_region")]

    def __str__(self) -> str:
        return self.name


class Passage(models.Model):
    """Someone or some vehicle through a checkpoint: measured, allowed or turned back."""

    client_id = models.UUIDField(unique=True)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="passages")
    region_path = models.CharField(max_length=255)
    passed_at = models.DateTimeField()
    on = models.DateField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="passages"
    )
    plate = models.CharField(_("vehicle plate"), max_length=12, blank=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=PassageOutcome.choices)
    reason = models.CharField(max_length=100, blank=True)
    operator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["-passed_at"]
        indexes = [
            models.Index(
                fields=["on", "region_path"],
                name="passage_day_region",
                opclasses=["date_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.passed_at:%H:%M}"


class BuildingLink(models.Model):
    """The link behind a building's QR code: residents report through it with no account."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [prefix_index("region_path", "building_link_region")]

    def __str__(self) -> str:
        return f"{self.building_id} #{self.pk}"
