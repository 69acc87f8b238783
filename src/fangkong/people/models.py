"""Persons and their tags."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import CodePointCharField, prefix_index
from fangkong.common.masking import mask_id_number, mask_phone
from fangkong.regions.models import Household, Region

from .choices import CHILD_AGE, IdType, LedgerStatus, Sex, TagKind


def years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def child_cutoff(today: dt.date) -> dt.date:
    """Persons born after this date are under CHILD_AGE all through ``today``'s year.

    By year of birth, not by day: the child mark and the counts of children change for everyone
    on 1 January, never on a child's birthday, which would tell the birth date to a viewer who
    is shown only the year (docs/scope.md).
    """
    return dt.date(today.year - CHILD_AGE, 12, 31)


# The columns bulk loaders (the synthetic city, the ledger import) write with COPY, in order.
BULK_PERSON_FIELDS = [
    "id",
    "name",
    "sex",
    "id_type",
    "id_number",
    "id_rev",
    "birth_on",
    "phone",
    "grid",
    "household",
    "relation",
    "region_path",
    "notes",
    "created_at",
    "updated_at",
]
BULK_TAG_FIELDS = [
    "id",
    "person",
    "kind",
    "region_path",
    "place",
    "event_on",
    "note",
    "label",
    "created_at",
]


class Person(models.Model):
    """A resident or a member of the floating population (no household)."""

    name = CodePointCharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("ID number"), max_length=30)
    # The ID number reversed: "the last digits of an ID" becomes an indexed prefix search.
    id_rev = models.CharField(max_length=30, editable=False)
    birth_on = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    grid = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="persons", verbose_name=_("grid")
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    region_path = models.CharField(max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="person_unique_document")
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="person_name_order"),
            prefix_index("id_rev", "person_id_tail"),
            prefix_index("region_path", "person_region"),
            models.Index(fields=["phone"], name="person_phone"),
            # "registered after this moment?": the registry's counters are per day, and a
            # progress round at an hour asks whether anyone registered later that day
            models.Index(fields=["created_at"], name="person_created"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.id_rev = self.id_number[::-1]
        super().save(*args, **kwargs)

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def age(self) -> int | None:
        if self.birth_on is None:
            return None
        return years_between(self.birth_on, timezone.localdate())

    @property
    def is_child(self) -> bool:
        return self.birth_on is not None and self.birth_on > child_cutoff(timezone.localdate())


class PersonTag(models.Model):
    """A vulnerable or key-category mark on a person (one of each kind)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(_("tag"), max_length=20, choices=TagKind.choices)
    region_path = models.CharField(max_length=255)
    place = models.CharField(_("place"), max_length=100, blank=True)  # returnee: where from
    event_on = models.DateField(_("date"), null=True, blank=True)  # returned / last exposure
    note = models.CharField(_("note"), max_length=200, blank=True)
    # kind "other": the category as the ledger wrote it (外地来长人员, 快递员, ...)
    label = models.CharField(_("label"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "label"]
        indexes = [prefix_index("region_path", "person_tag_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "label"], name="person_tag_unique_kind"
            )
        ]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class LedgerUpload(models.Model):
    """One ledger file imported from the upload page or the API, with its summary and rejects."""

    upload_id = models.UUIDField(unique=True)  # client-generated: a resubmitted form is one import
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_uploads"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    filename = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=LedgerStatus.choices, default=LedgerStatus.RUNNING
    )
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    rejects_file = models.CharField(max_length=200, blank=True)  # name under VAR_DIR/imports
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [prefix_index("region_path", "ledger_upload_region")]

    def __str__(self) -> str:
        return self.filename


class DuplicateDismissal(models.Model):
    """Two records a staff member checked and found to be different people."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dismissal_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dismissal_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class PersonMerge(models.Model):
    """A record merged into ``person`` as a duplicate: what the dropped record was.

    Its document is shown masked ("merged from 1 record on DATE"), in full only through the
    person's audited reveal; free text never holds it.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    region_path = models.CharField(max_length=255)
    dropped_id = models.PositiveBigIntegerField()  # the deleted record's id, as the audit says
    name = CodePointCharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=30)
    birth_on = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["merged_at", "id"]
        indexes = [prefix_index("region_path", "person_merge_region")]
        verbose_name = _("merged record")
        verbose_name_plural = _("merged records")

    def __str__(self) -> str:
        return f"{self.name} → {self.person_id}"

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)


# --- the registry's counters (services/counters.py keeps them with every write) --------------

# Children are counted by year of birth (``child_cutoff``); ``GridBirths`` holds the years from
# this one on, so a report's children are exact for any day of a year after BIRTHS_FROM + 13.
BIRTHS_FROM = 2000


class CountedGrid(models.Model):
    """A grid path the registry counts: the row its writers lock (in key order) before they
    recount the grid, so two writers of one grid count one after the other."""

    region_path = CodePointCharField(max_length=255, primary_key=True)

    def __str__(self) -> str:
        return self.region_path


class GridCount(models.Model):
    """The persons of a grid path registered on one day (``created_at``, local date): how many,
    the households whose first member there registered that day, and those with a vulnerable
    tag (each counted once, and once per kind). A report until a day is a sum over these."""

    pk = models.CompositePrimaryKey("region_path", "registered_on")
    region_path = CodePointCharField(max_length=255)  # the grid's path (the persons' path)
    registered_on = models.DateField()
    residents = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    vulnerable = models.PositiveIntegerField(default=0)
    # one column per kind of choices.VULNERABLE, named as the report's figure
    tag_elderly_alone = models.PositiveIntegerField(default=0)
    tag_bedridden = models.PositiveIntegerField(default=0)
    tag_disabled = models.PositiveIntegerField(default=0)
    tag_chronic_care = models.PositiveIntegerField(default=0)
    tag_pregnant = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("grid registry count")
        verbose_name_plural = _("grid registry counts")

    def __str__(self) -> str:
        return f"{self.region_path} {self.registered_on}"


class GridBirths(models.Model):
    """Of the persons of a grid path registered on one day, how many were born in the year
    ``born_from`` or later (for every year from BIRTHS_FROM to the latest birth year there):
    the children of a report's year are one row per grid-day, ``born_from = year - 13``."""

    pk = models.CompositePrimaryKey("born_from", "region_path", "registered_on")
    born_from = models.PositiveSmallIntegerField()
    region_path = CodePointCharField(max_length=255)
    registered_on = models.DateField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("grid births count")
        verbose_name_plural = _("grid births counts")

    def __str__(self) -> str:
        return f"{self.region_path} {self.registered_on} ≥{self.born_from}"
