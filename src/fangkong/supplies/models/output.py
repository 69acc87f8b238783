"""Enterprises' daily output reports: what a maker produced of an item on a day and how much
of it is promised to a stock point, on which day — the receipts a point can expect."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ledger import Item, StockPoint


class OutputReport(models.Model):
    """One enterprise's output of one item on one day, and the part of it to be delivered to
    ``to_point`` on ``deliver_on`` (an expected receipt until that day). A second report of the
    same enterprise, item, day and point replaces the first."""

    enterprise = models.CharField(_("enterprise"), max_length=100)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField(_("day of output"))
    made = models.BigIntegerField(_("output"))
    to_point = models.ForeignKey(
        StockPoint, on_delete=models.PROTECT, related_name="expected", verbose_name=_("for point")
    )
    deliver_qty = models.BigIntegerField(_("to deliver"))
    deliver_on = models.DateField(_("expected on"))
    region_path = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-made_on", "enterprise", "id"]
        verbose_name = _("output report")
        verbose_name_plural = _("output reports")
        indexes = [models.Index(fields=["to_point", "deliver_on"], name="output_point_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "item", "made_on", "to_point"], name="output_once_a_day"
            ),
            models.CheckConstraint(condition=models.Q(made__gte=0), name="output_made"),
            models.CheckConstraint(
                condition=models.Q(deliver_qty__gte=0, deliver_qty__lte=models.F("made")),
                name="output_deliver_within_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.item} {self.made_on} {self.made}"
