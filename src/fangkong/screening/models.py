"""Mass testing: campaigns, their sampling points and door-to-door teams, pooled tubes and the
swabs in them, and why a resident of the target has not been sampled.

Every row carries a ``region_path`` for scope: a campaign its region's, a tube where it was
opened, a sample its person's. Lab results (per tube: 阴性/阳性/无效, Ct values, lab,
reported time) and the retest and re-sample tasks they create are added by a later migration;
a tube's ``status`` already has ``resulted`` for them. ``SampledPerson`` and ``CoverageHour``
are coverage's counters (services/counters.py), kept with every write of swabs and results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import CodePointCharField, prefix_index
from fangkong.people.models import Person
from fangkong.regions.models import Region

from .choices import CampaignStatus, PoolSize, SampleSource, Target, TubeStatus, UntestedReason

USER = settings.AUTH_USER_MODEL

# The columns the sample import writes with COPY, in order.
BULK_TUBE_FIELDS = [
    "id",
    "campaign",
    "barcode",
    "pool_size",
    "status",
    "lab",
    "region_path",
    "opened_at",
    "closed_at",
]
BULK_SAMPLE_FIELDS = [
    "id",
    "client_id",
    "campaign",
    "tube",
    "person",
    "region_path",
    "sampled_at",
    "point",
    "repeat",
    "source",
    "created_at",
]


class Campaign(models.Model):
    """A round of testing (一轮核酸检测) in a region, from ``start_on`` to ``end_on``."""

    client_id = models.UUIDField(null=True, blank=True, unique=True)  # a form posted twice
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    pool_size = models.PositiveSmallIntegerField(_("swabs a tube"), choices=PoolSize.choices)
    target = models.CharField(
        _("target"), max_length=12, choices=Target.choices, default=Target.RESIDENTS
    )
    target_tag = models.CharField(_("tag"), max_length=20, blank=True)  # a people TagKind
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_on", "-id"]
        indexes = [prefix_index("region_path", "campaign_region")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="campaign_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(pool_size__in=PoolSize.values), name="campaign_pool_size"
            ),
            models.CheckConstraint(
                condition=~models.Q(target=Target.TAG) | ~models.Q(target_tag=""),
                name="campaign_tag_target_names_tag",
            ),
        ]
        verbose_name = _("testing campaign")
        verbose_name_plural = _("testing campaigns")

    def __str__(self) -> str:
        return self.name


class SamplingPoint(models.Model):
    """A place where residents come to be swabbed, with its hours."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="points")
    region_path = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=100)
    opens_at = models.TimeField(_("opens"), null=True, blank=True)
    closes_at = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "name"]
        indexes = [prefix_index("region_path", "sampling_point_region")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="sampling_point_unique_name")
        ]
        verbose_name = _("sampling point")
        verbose_name_plural = _("sampling points")

    def __str__(self) -> str:
        return self.name


class DoorTeam(models.Model):
    """A door-to-door team (上门采样) for those who cannot come to a point."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    region_path = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=100)
    members = models.CharField(_("members"), max_length=300, blank=True)  # names, as written

    class Meta:
        ordering = ["campaign", "name"]
        indexes = [prefix_index("region_path", "door_team_region")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="door_team_unique_name")
        ]
        verbose_name = _("door-to-door team")
        verbose_name_plural = _("door-to-door teams")

    def __str__(self) -> str:
        return self.name


class Tube(models.Model):
    """A sampling tube, known by its barcode (one tube per barcode, whatever the campaign);
    it takes ``pool_size`` swabs and closes when full."""

    client_id = models.UUIDField(null=True, blank=True, unique=True)  # the phone's open request
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tubes")
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    pool_size = models.PositiveSmallIntegerField(_("swabs a tube"), choices=PoolSize.choices)
    status = models.CharField(max_length=10, choices=TubeStatus.choices, default=TubeStatus.OPEN)
    lab = models.CharField(_("lab"), max_length=100, blank=True)
    region_path = models.CharField(max_length=255)  # where it was sampled
    opened_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            prefix_index("region_path", "tube_region"),
            models.Index(fields=["campaign", "status"], name="tube_campaign_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pool_size__in=PoolSize.values), name="tube_pool_size"
            ),
        ]
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """One person's swab in a tube. A person sampled twice in a campaign is stored and
    flagged (``repeat``), never refused: the sampling team has already taken the swab."""

    client_id = models.UUIDField(unique=True)  # a retried upload is stored once
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="samples")
    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="samples")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="samples")
    region_path = models.CharField(max_length=255)  # the person's, when sampled
    sampled_at = models.DateTimeField()
    sampled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    point = models.ForeignKey(
        SamplingPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    repeat = models.BooleanField(default=False)  # already sampled in this campaign before
    source = models.CharField(max_length=10, choices=SampleSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sampled_at", "id"]
        indexes = [
            prefix_index("region_path", "sample_region"),
            models.Index(fields=["campaign", "person"], name="sample_campaign_person"),
            # coverage at a moment inside an hour: who was swabbed in that part of it
            models.Index(fields=["campaign", "sampled_at"], name="sample_campaign_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="sample_once_per_tube")
        ]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.person_id}"


class Untested(models.Model):
    """Why a resident of a campaign's target has not been sampled (away, in hospital,
    refused), as their grid worker records it; one reason per person and campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="untested")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    reason = models.CharField(_("reason"), max_length=12, choices=UntestedReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [prefix_index("region_path", "untested_region")]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="untested_once")]
        verbose_name = _("reason not tested")
        verbose_name_plural = _("reasons not tested")

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_reason_display()}"


class SampledPerson(models.Model):
    """A person swabbed in a campaign as coverage counts them (services/counters.py): their
    grid path now, and the time of their first swab, of their first swab in a tube with a
    readable result and of their first swab in a positive tube (the moment from which each
    figure counts them). The row every writer of this person and campaign locks first.
    ``person_id`` is a plain number, not a foreign key: a merge must not trip over it (the
    screening mover settles it). Its key is its only index: a lab's results rewrite every
    member's row, in place (a HOT update) where the page has room (fillfactor, migration
    0003)."""

    pk = models.CompositePrimaryKey("campaign_id", "person_id")
    campaign = models.ForeignKey(  # no constraint, no index of its own: the key leads with it
        Campaign,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    person_id = models.BigIntegerField()
    region_path = CodePointCharField(max_length=255)
    sampled_at = models.DateTimeField(null=True)  # null only while a writer holds the row
    resulted_at = models.DateTimeField(null=True)
    positive_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"


class CoverageHour(models.Model):
    """Of a campaign's persons now living under a grid path, how many were first sampled,
    first resulted and first positive (``SampledPerson``'s times) in one hour (UTC): coverage
    until a moment is a sum over these, kept in the transaction of every write
    (services/counters.py); ``fangkong screening recount`` recomputes them."""

    pk = models.CompositePrimaryKey("campaign_id", "region_path", "hour")
    campaign = models.ForeignKey(  # no constraint, no index of its own: the key leads with it
        Campaign,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    region_path = CodePointCharField(max_length=255)
    hour = models.DateTimeField()  # the hour's start
    sampled = models.IntegerField(default=0)
    resulted = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("coverage hour")
        verbose_name_plural = _("coverage hours")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.region_path} {self.hour:%Y-%m-%d %H}h"


# Labs, results, conflicts and the tasks they give (migration 0002).
from .labmodels import (  # noqa: E402, F401
    Dispatch,
    HouseholdFlag,
    Lab,
    LabImport,
    LabOperator,
    LabResult,
    ResultConflict,
    Task,
)
