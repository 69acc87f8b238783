"""Labs and what they report: the labs and their operators, which tube went to which lab, each
tube's result (阴性/阳性/无效 with its Ct values), a tube reported twice with different
findings, the files labs uploaded, and the work a result gives a grid worker (单管复核 for the
members of a positive pool, a re-sample for an invalid tube) with the household flagged.

A lab operator sees a tube only through its ``Dispatch`` to their lab, and never the people in
it. Results, conflicts and tasks carry a ``region_path`` (the tube's, the person's) for the
scope of staff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.people.models import Person
from fangkong.regions.models import Household, Region

from .choices import Result, TaskKind, TaskLevel, TaskStatus

USER = settings.AUTH_USER_MODEL

# The columns the lab-result import writes with COPY, in order.
BULK_RESULT_FIELDS = [
    "id",
    "tube",
    "lab",
    "result",
    "ct_orf1ab",
    "ct_n",
    "reported_at",
    "batch",
    "source_row",
    "region_path",
    "created_at",
]
BULK_TASK_FIELDS = [
    "id",
    "kind",
    "person",
    "region_path",
    "assignee",
    "tube",
    "campaign",
    "deadline_at",
    "status",
    "level",
    "created_at",
]


class Lab(models.Model):
    """A testing lab (检测机构); its operators upload results for the tubes sent to it."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)  # where it is, not what it may see

    class Meta:
        ordering = ["name"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")

    def __str__(self) -> str:
        return self.name


class LabOperator(models.Model):
    """A lab operator's lab: one lab an account."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="lab_operator")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="operators")

    class Meta:
        verbose_name = _("lab operator")
        verbose_name_plural = _("lab operators")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.lab_id}"


class Dispatch(models.Model):
    """A tube sent to a lab (送检): the only way a lab operator sees a tube."""

    tube = models.OneToOneField("screening.Tube", on_delete=models.CASCADE, related_name="dispatch")
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="dispatches")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["lab", "sent_at"], name="dispatch_lab_sent")]
        verbose_name = _("tube sent to a lab")
        verbose_name_plural = _("tubes sent to labs")

    def __str__(self) -> str:
        return f"{self.tube_id}→{self.lab_id}"


class LabImport(models.Model):
    """A lab-result file imported (uploaded, by the command line or the API)."""

    lab = models.ForeignKey(Lab, null=True, on_delete=models.PROTECT, related_name="imports")
    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)  # SHA-256 of the file
    at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)
    rejects_file = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lab", "at"], name="lab_import_lab_at")]
        verbose_name = _("lab-result import")
        verbose_name_plural = _("lab-result imports")

    def __str__(self) -> str:
        return self.filename


class LabResult(models.Model):
    """A tube's result as it stands (positive over invalid over negative when reports
    differ), with the file and row it came from."""

    tube = models.OneToOneField("screening.Tube", on_delete=models.CASCADE, related_name="result")
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="results")
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    ct_orf1ab = models.DecimalField("Ct ORF1ab", max_digits=5, decimal_places=2, null=True)
    ct_n = models.DecimalField("Ct N", max_digits=5, decimal_places=2, null=True)
    reported_at = models.DateTimeField(_("reported"))
    batch = models.ForeignKey(LabImport, null=True, on_delete=models.SET_NULL, related_name="+")
    source_row = models.PositiveIntegerField(null=True)  # the row number Excel shows
    region_path = models.CharField(max_length=255)  # the tube's
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            prefix_index("region_path", "lab_result_region"),
            models.Index(fields=["result"], name="lab_result_result"),
        ]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")

    def __str__(self) -> str:
        return f"{self.tube_id} {self.result}"


class ResultConflict(models.Model):
    """A report of a tube that contradicts its standing result, for the lab to confirm; the
    same report imported again is the same conflict (``key``)."""

    key = models.CharField(max_length=64, unique=True)
    tube = models.ForeignKey("screening.Tube", on_delete=models.CASCADE, related_name="conflicts")
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="conflicts")
    reported = models.CharField(_("reported"), max_length=10, choices=Result.choices)
    standing = models.CharField(_("stands"), max_length=10, choices=Result.choices)
    ct_orf1ab = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    ct_n = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    reported_at = models.DateTimeField()
    batch = models.ForeignKey(LabImport, null=True, on_delete=models.SET_NULL, related_name="+")
    source_row = models.PositiveIntegerField(null=True)
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lab", "confirmed_at"], name="conflict_lab_open")]
        verbose_name = _("conflicting result")
        verbose_name_plural = _("conflicting results")

    def __str__(self) -> str:
        return f"{self.tube_id} {self.reported}≠{self.standing}"


class Task(models.Model):
    """Work a result gives a person's grid worker: a single-tube retest (单管复核) or a
    re-sample, by a deadline; done when the person's new swab is taken. One per kind, person
    and tube, so an import run twice makes it once. Open past its deadline, it goes up the
    tree (``level``, from ``escalated_at``: services/escalation.py); the deadline stays the
    person's."""

    kind = models.CharField(_("task"), max_length=10, choices=TaskKind.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)  # the person's
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    tube = models.ForeignKey("screening.Tube", on_delete=models.CASCADE, related_name="tasks")
    campaign = models.ForeignKey("screening.Campaign", on_delete=models.CASCADE, related_name="+")
    deadline_at = models.DateTimeField(_("deadline"))
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    level = models.CharField(
        _("answered by"), max_length=10, choices=TaskLevel.choices, default=TaskLevel.GRID
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_tube = models.ForeignKey(
        "screening.Tube", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deadline_at", "id"]
        indexes = [
            prefix_index("region_path", "task_region"),
            models.Index(fields=["assignee", "status", "deadline_at"], name="task_assignee_open"),
            models.Index(fields=["person", "status"], name="task_person_open"),
            models.Index(fields=["status", "level", "deadline_at"], name="task_level_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "person", "tube"], name="task_once_per_tube")
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class HouseholdFlag(models.Model):
    """A household with a member in a positive pool (临时管控), until their retests are in."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    tube = models.ForeignKey("screening.Tube", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [prefix_index("region_path", "household_flag_region")]
        constraints = [
            models.UniqueConstraint(fields=["household", "tube"], name="household_flag_once")
        ]
        verbose_name = _("household under control")
        verbose_name_plural = _("households under control")

    def __str__(self) -> str:
        return f"{self.household_id} ({self.tube_id})"
