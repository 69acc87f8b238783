"""The region tree (province → … → grid), buildings and households."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index

from .choices import Level

PATH_SEP = "/"


class Region(models.Model):
    """A node of the administrative tree, keyed by its official code.

    ``path`` is the materialised path of codes from the root ("43/4301/430102/"), so that
    everything under a region is one indexed prefix scan.
    """

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def child_path(parent_path: str, code: str) -> str:
        return f"{parent_path}{code}{PATH_SEP}"


class Building(models.Model):
    """A building (楼栋) in a grid."""

    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="buildings")
    region_path = models.CharField(max_length=255)
    name = models.CharField(_("building"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["grid", "name"]
        indexes = [prefix_index("region_path", "building_region")]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="building_unique_in_grid")
        ]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


# The columns bulk loaders write with COPY, in order.
BULK_HOUSEHOLD_FIELDS = ["id", "grid", "building", "region_path", "unit", "door", "address"]


class Household(models.Model):
    """A household (户): a door in a building, or an address (rural homes)."""

    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    region_path = models.CharField(max_length=255)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    door = models.CharField(_("door number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["building", "unit", "door", "id"]
        indexes = [prefix_index("region_path", "household_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "door"],
                condition=models.Q(building__isnull=False),
                name="household_unique_door",
            ),
            models.CheckConstraint(
                condition=models.Q(building__isnull=False) | ~models.Q(address=""),
                name="household_has_building_or_address",
            ),
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.building_id is None:
            return self.address
        parts = [self.building.name]
        if self.unit:
            parts.append(_("unit %(u)s") % {"u": self.unit})
        if self.door:
            parts.append(self.door)
        return " ".join(str(p) for p in parts)
