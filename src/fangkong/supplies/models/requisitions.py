"""Requisitions from units and the allocation rounds that fill them.

A requisition asks for a quantity of one item for a unit (a hospital, a community, a
checkpoint, a sampling team; possibly a stock point) with a priority tier; ``filled`` is what
confirmed rounds have issued for it (in the item asked for), never more than ``qty`` (a CHECK).
An allocation round is a proposal over one point's stock: a line per requisition it served
(or left waiting), with the solver's explanation; a person may change a line's quantity, and
confirming it writes the issues to the ledger once (the round row is locked and moves from
proposed to confirmed in the same transaction).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index

from ..choices import RequisitionSource, RequisitionStatus, RoundStatus, Tier
from .ledger import Item, StockPoint


class Requisition(models.Model):
    """A unit's request for one item (申请单), with its tier and needed-by date."""

    number = models.CharField(_("requisition number"), max_length=64, unique=True)
    # a page's form carries one: the same form sent twice raises one requisition
    client_id = models.UUIDField(default=uuid.uuid4, unique=True)
    unit = models.CharField(_("requesting unit"), max_length=100)
    # the unit as compared: its region's path and its width-folded name (a requester's "own
    # unit" is every requisition with the same key)
    unit_key = models.CharField(max_length=400, db_index=True)
    unit_point = models.ForeignKey(
        StockPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="requisitions"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    tier = models.PositiveSmallIntegerField(_("priority"), choices=Tier.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="requisitions")
    qty = models.BigIntegerField(_("quantity"))
    filled = models.BigIntegerField(_("filled"), default=0)
    needed_on = models.DateField(_("needed by"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.WAITING,
    )
    source = models.CharField(
        max_length=10, choices=RequisitionSource.choices, default=RequisitionSource.PAGE
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)  # approved, rejected, cancelled
    approved_at = models.DateTimeField(null=True, blank=True)  # kept when cancelled later
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["tier", "needed_on", "number"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        indexes = [
            prefix_index("region_path", "requisition_region"),
            models.Index(fields=["status", "item"], name="requisition_status_item"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(qty__gt=0), name="requisition_qty"),
            models.CheckConstraint(
                condition=models.Q(filled__gte=0, filled__lte=models.F("qty")),
                name="requisition_filled_within_qty",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RequisitionStatus.FILLED)
                | models.Q(filled=models.F("qty")),
                name="requisition_filled_means_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit} {self.item} {self.qty}"

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    @property
    def need(self) -> str:
        """What the requester reads: need met, partly met, or waiting."""
        if self.filled >= self.qty:
            return "met"
        return "partly" if self.filled > 0 else "waiting"


class AllocationRound(models.Model):
    """One allocation of a point's stock over the open approved requisitions."""

    point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="rounds")
    # its issues' client ids derive from it (with each line's requisition and item)
    client_id = models.UUIDField(default=uuid.uuid4, unique=True)
    region_path = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20, choices=RoundStatus.choices, default=RoundStatus.PROPOSED
    )
    # the solver's explanation per tier: [{tier, requested, filled, zh, en}]
    tiers = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        indexes = [prefix_index("region_path", "round_region")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.point.code} {self.status}"


class RoundLine(models.Model):
    """What a round gives one requisition of one item (the item asked for or a substitute):
    the solver's proposal, the quantity a person settled on, and why."""

    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="lines")
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    per_unit = models.DecimalField(max_digits=8, decimal_places=3, default=1)
    asked = models.BigIntegerField()  # what the requisition still needed when the round ran
    proposed = models.BigIntegerField()
    qty = models.BigIntegerField()
    explain_zh = models.CharField(max_length=300, blank=True)
    explain_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requisition__tier", "requisition__number", "item__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "requisition", "item"], name="round_line_once"
            ),
            models.CheckConstraint(
                condition=models.Q(qty__gte=0, proposed__gte=0), name="round_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition.number} {self.item} {self.qty}"

    @property
    def substitute(self) -> bool:
        return self.item_id != self.requisition.item_id
