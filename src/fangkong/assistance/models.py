"""Help requests (求助) from households, and the people and rounds that answer them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.regions.models import Household

from .choices import (
    CLOSED_STATUSES,
    LIVE_TASK,
    Kind,
    Level,
    Source,
    Status,
    StopStatus,
    TaskStatus,
    Urgency,
)

USER = settings.AUTH_USER_MODEL


def new_code() -> str:
    return secrets.token_urlsafe(16)


class HelpRequest(models.Model):
    """What a household needs, by when (``due_at``, from kind × urgency), and who answers for
    it now (``level``, with its own ``deadline_at``: an overdue request goes up the tree)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)  # the household's
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices)
    needed = models.CharField(_("what is needed"), max_length=300)
    qty = models.PositiveSmallIntegerField(_("how many"), default=1)
    # the number a volunteer calls; empty: a member's registered phone
    phone = models.CharField(_("phone to call"), max_length=20, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    raised_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    client_id = models.UUIDField(unique=True)
    # the resident's status page names the request by this random code, never by its id
    code = models.CharField(max_length=32, unique=True, default=new_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.COMMUNITY)
    raised_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    deadline_at = models.DateTimeField()  # the current level's; moves on escalation
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    round = models.ForeignKey(
        "assistance.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [
            prefix_index("region_path", "helprequest_region"),
            models.Index(fields=["status", "level", "deadline_at"], name="helprequest_overdue"),
            models.Index(fields=["household", "kind", "status"], name="helprequest_household"),
            models.Index(fields=["closed_at"], name="helprequest_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES, closed_at__isnull=False)
                | (~Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=True)),
                name="helprequest_closed_when_done",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.MERGED, merged_into__isnull=False)
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="helprequest_merged_names_its_survivor",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("raised_at")), name="helprequest_due_after"
            ),
            models.CheckConstraint(condition=Q(qty__gte=1), name="helprequest_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household_id}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def on_time(self) -> bool | None:
        """Delivered by its due time; None while not delivered."""
        if self.status != Status.DELIVERED or self.closed_at is None:
            return None
        return self.closed_at <= self.due_at


class Round(models.Model):
    """A bulk round for a locked-down compound (a grid or a community): "gas canisters to
    every household that asks". Its list is the households' open requests of its kind, each a
    ``Stop``; a request raised while the round is under way joins it."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("what is delivered"), max_length=100)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("delivery round")
        verbose_name_plural = _("delivery rounds")
        indexes = [prefix_index("region_path", "help_round_region")]
        constraints = [
            # one round under way per compound and kind: a request knows which it joins
            models.UniqueConstraint(
                fields=["region", "kind"],
                condition=Q(closed_at__isnull=True),
                name="round_one_open_per_region_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Stop(models.Model):
    """One household's request in a round, marked delivered or not at the door."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stops")
    request = models.OneToOneField(HelpRequest, on_delete=models.CASCADE, related_name="stop")
    region_path = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=StopStatus.choices, default=StopStatus.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["id"]
        indexes = [prefix_index("region_path", "stop_region")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=StopStatus.COULD_NOT) | ~Q(reason=""),
                name="stop_could_not_says_why",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.request_id}"


class Task(models.Model):
    """A request given to one volunteer: offered, then accepted or declined on their phone,
    picked up, delivered or could not be done (with why). At most one live task per request;
    ``explain`` says why this volunteer was chosen ({"zh": …, "en": …})."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="tasks")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255)  # the request's
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OFFERED)
    km = models.FloatField(null=True, blank=True)
    explain = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=200, blank=True)  # declined, could not, withdrawn
    dispatched_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    batch = models.UUIDField(null=True, blank=True)  # one batch dispatch
    # the team the delivery counts for in the league: the volunteer's team when it was done
    team = models.ForeignKey(
        "volunteers.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("help task")
        verbose_name_plural = _("help tasks")
        indexes = [
            prefix_index("region_path", "helptask_region"),
            models.Index(fields=["volunteer", "status", "offered_at"], name="helptask_mine"),
            models.Index(fields=["done_at"], name="helptask_done"),
            models.Index(fields=["team", "done_at"], name="helptask_team_done"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=LIVE_TASK),
                name="helptask_one_live_per_request",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[TaskStatus.COULD_NOT, TaskStatus.DECLINED])
                | ~Q(reason=""),
                name="helptask_refusal_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.volunteer_id}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_TASK


class Advance(models.Model):
    """Money a volunteer advanced for a household (垫付): the amount and the receipt's photo,
    repaid when the resident pays. ``client_id`` makes a resent form harmless."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="advances")
    request = models.ForeignKey(HelpRequest, on_delete=models.PROTECT, related_name="advances")
    region_path = models.CharField(max_length=255)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    receipt = models.CharField(max_length=100)  # file name under VAR_DIR/receipts/
    receipt_type = models.CharField(max_length=20)
    client_id = models.UUIDField(unique=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    repaid_at = models.DateTimeField(null=True, blank=True)
    repaid_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    repaid_how = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("money advanced")
        verbose_name_plural = _("money advanced")
        indexes = [prefix_index("region_path", "advance_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=10000), name="advance_amount_range"
            ),
            models.CheckConstraint(
                condition=Q(repaid_at__isnull=True) | ~Q(repaid_how=""),
                name="advance_repaid_says_how",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.request_id})"


class BuildingPoint(models.Model):
    """Where a building stands, for the distances of a batch dispatch (a volunteer's home
    point is theirs). Set by the demo city and ``fangkong manage assistance points FILE``."""

    building = models.OneToOneField(
        "regions.Building", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        verbose_name = _("building location")
        verbose_name_plural = _("building locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="buildingpoint_on_earth",
            )
        ]

    def __str__(self) -> str:
        return f"{self.building_id} ({self.lat:.5f}, {self.lon:.5f})"
