"""Issued daily reports: frozen snapshots, one row per version, never changed afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index
from fangkong.regions.models import Region


class ReportFrozen(Exception):
    """An issued report is never changed or deleted: a correction is a new version."""


class FrozenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ReportFrozen("an issued report never changes; issue a new version")

    def delete(self):
        raise ReportFrozen("an issued report is never deleted; issue a new version")


class DailyReport(models.Model):
    """The daily report of a region and day as issued: its compiled content (JSON) with a hash
    of it, who issued it and when. Version 1, 2, … per region and day."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    on = models.DateField(_("day"))
    version = models.PositiveSmallIntegerField(_("version"))
    figures_at = models.DateTimeField(_("figures as of"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["region", "on", "version"]
        indexes = [prefix_index("region_path", "daily_report_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "on", "version"], name="daily_report_one_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="daily_report_version_from_one"
            ),
        ]
        verbose_name = _("issued daily report")
        verbose_name_plural = _("issued daily reports")

    def __str__(self) -> str:
        return f"{self.region.code} {self.on} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReportFrozen("an issued report never changes; issue a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReportFrozen("an issued report is never deleted; issue a new version")
