"""Volunteers, their teams and party branches.

A volunteer who works on the phone has an account (role ``volunteer``, scope: their home
community). A self-registered applicant has none until a supervisor approves them: the
``Volunteer`` row exists from the application on (status ``pending``), and approval creates
the account. Every row carries the ``region_path`` of its home area for scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.common.masking import mask_phone
from fangkong.people.models import Person
from fangkong.regions.models import Region

from .choices import (
    EVERY_DAY,
    PostKind,
    ShiftClose,
    Skill,
    Source,
    TeamBasis,
    TeamDuty,
    TeamKind,
    VehicleKind,
    VolunteerStatus,
)

USER = settings.AUTH_USER_MODEL


class Volunteer(models.Model):
    """A volunteer: who, where they live and serve, what they can do and when."""

    client_id = models.UUIDField(null=True, blank=True, unique=True)  # a form posted twice
    user = models.OneToOneField(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    source = models.CharField(
        _("registered"), max_length=10, choices=Source.choices, default=Source.COMMUNITY
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)  # Skill values, sorted
    has_vehicle = models.BooleanField(_("has a vehicle"), default=False)
    vehicle_kind = models.CharField(
        _("vehicle"), max_length=10, choices=VehicleKind.choices, blank=True
    )
    capacity = models.PositiveSmallIntegerField(_("tasks at a time"), default=3)
    home_area = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("home area")
    )
    region_path = models.CharField(max_length=255)  # the home area's
    home_lat = models.FloatField(_("latitude"), null=True, blank=True)
    home_lon = models.FloatField(_("longitude"), null=True, blank=True)
    # availability: on call at all (the volunteer's own switch), which weekdays (bit 0 is
    # Monday) and which hours of the day (both empty: any time)
    on_call = models.BooleanField(_("on call"), default=True)
    weekdays = models.PositiveSmallIntegerField(_("weekdays"), default=EVERY_DAY)
    available_from = models.TimeField(_("available from"), null=True, blank=True)
    available_until = models.TimeField(_("available until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # counters kept by the shift services (sign-out adds; a correction subtracts)
    minutes_total = models.PositiveIntegerField(default=0)
    shifts_total = models.PositiveIntegerField(default=0)
    registered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            prefix_index("region_path", "volunteer_region"),
            models.Index(fields=["status", "region_path"], name="volunteer_status_region"),
        ]
        constraints = [
            # one application per phone (a rejected one may apply again)
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(status=VolunteerStatus.REJECTED),
                name="volunteer_unique_phone",
            ),
            # only an application waits without an account
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(status__in=[VolunteerStatus.PENDING, VolunteerStatus.REJECTED]),
                name="volunteer_has_account_once_approved",
            ),
            models.CheckConstraint(
                condition=models.Q(has_vehicle=False, vehicle_kind="") | models.Q(has_vehicle=True),
                name="volunteer_vehicle_kind_needs_vehicle",
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__lte=EVERY_DAY), name="volunteer_weekdays_bits"
            ),
            models.CheckConstraint(
                condition=models.Q(home_lat__isnull=True, home_lon__isnull=True)
                | models.Q(
                    home_lat__gte=-90, home_lat__lte=90, home_lon__gte=-180, home_lon__lte=180
                ),
                name="volunteer_home_point",
            ),
        ]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.name

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]

    @property
    def masked_phone(self) -> str:
        """For readers who do not manage volunteers (docs/volunteers.md)."""
        return mask_phone(self.phone)

    @property
    def hours_total(self) -> float:
        return round(self.minutes_total / 60, 1)


class Team(models.Model):
    """A temporary team (临时小组) or party branch (临时党支部), formed by compound or by
    community, with its leader; a team may belong to a branch."""

    client_id = models.UUIDField(null=True, blank=True, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=TeamKind.choices)
    duty = models.CharField(
        _("duty"), max_length=10, choices=TeamDuty.choices, default=TeamDuty.MIXED
    )
    basis = models.CharField(
        _("formed"), max_length=10, choices=TeamBasis.choices, default=TeamBasis.COMMUNITY
    )
    compound = models.CharField(_("compound"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    region_path = models.CharField(max_length=255)
    branch = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups",
        verbose_name=_("party branch"),
    )
    leader = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("leader"),
    )
    active = models.BooleanField(default=True)
    # its current people, each once: members of the team and (a branch) of its teams; kept by
    # the membership services, rebuilt by services.recount — the league's team size
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_path", "name"]
        indexes = [prefix_index("region_path", "team_region")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="team_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(basis=TeamBasis.COMPOUND) | ~models.Q(compound=""),
                name="team_compound_named",
            ),
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A volunteer's membership of a team, from ``joined_on`` until ``left_on``."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    region_path = models.CharField(max_length=255)  # the team's
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["team", "volunteer"]
        indexes = [prefix_index("region_path", "membership_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=models.Q(left_on__isnull=True),
                name="membership_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class Post(models.Model):
    """A place or round of duty: a checkpoint, a sampling point, a delivery round."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=PostKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    region_path = models.CharField(max_length=255)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_path", "name"]
        indexes = [prefix_index("region_path", "post_region")]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="post_unique_name")]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A volunteer's shift at a post: planned (a roster) or not (walk-up), signed in and out
    on the phone. At most one open sign-in per volunteer; ``minutes`` is set when it closes
    and counted into the volunteer's totals and the team's day."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="shifts")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="shifts")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    region_path = models.CharField(max_length=255)  # the post's
    day = models.DateField()  # the local day it counts for (its start)
    planned_start_at = models.DateTimeField(null=True, blank=True)
    planned_end_at = models.DateTimeField(null=True, blank=True)
    sign_in_client_id = models.UUIDField(null=True, blank=True, unique=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    closed_how = models.CharField(max_length=10, choices=ShiftClose.choices, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-planned_start_at", "-id"]
        indexes = [
            prefix_index("region_path", "shift_region"),
            models.Index(fields=["volunteer", "day"], name="shift_volunteer_day"),
            models.Index(fields=["team", "day"], name="shift_team_day"),
            models.Index(fields=["day", "region_path"], name="shift_day_region"),
            models.Index(
                fields=["signed_in_at"],
                condition=models.Q(signed_in_at__isnull=False, signed_out_at__isnull=True),
                name="shift_open",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=models.Q(signed_in_at__isnull=False, signed_out_at__isnull=True),
                name="shift_one_open_per_volunteer",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_out_at__isnull=True)
                | models.Q(signed_in_at__isnull=False, signed_out_at__gte=models.F("signed_in_at")),
                name="shift_signs_out_after_in",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end_at__isnull=True)
                | models.Q(
                    planned_start_at__isnull=False,
                    planned_end_at__gt=models.F("planned_start_at"),
                ),
                name="shift_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_out_at__isnull=True, closed_how="")
                | models.Q(signed_out_at__isnull=False) & ~models.Q(closed_how=""),
                name="shift_closed_how_when_closed",
            ),
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.post} {self.day}"

    @property
    def is_open(self) -> bool:
        return self.signed_in_at is not None and self.signed_out_at is None


class TeamDay(models.Model):
    """A team's figures for one day, kept by the shift services when a shift closes (so the
    league table of a city sums a few rows per team, not every shift)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="days")
    region_path = models.CharField(max_length=255)  # the team's
    day = models.DateField()
    minutes = models.PositiveIntegerField(default=0)
    shifts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "team"]
        indexes = [models.Index(fields=["day", "region_path"], name="team_day_day_region")]
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="team_day_unique"),
        ]
        verbose_name = _("team's day")
        verbose_name_plural = _("teams' days")

    def __str__(self) -> str:
        return f"{self.team} {self.day}"
