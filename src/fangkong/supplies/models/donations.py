"""Donations: who gave (a donor, whose contact stays with staff), what they gave, and the
receipt movements that took it into stock.

Each line of a donation is received as a lot of its own (its batch starts with the donation's
number), so the ledger's own movements of that lot — transfers, issues, write-offs — are where
the gift went; no second ledger is kept for tracing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index

from ..choices import DonorKind
from .ledger import Item, Movement, StockPoint


class Donor(models.Model):
    """A person or an organisation that gives. ``phone`` and ``credit_code`` are for staff
    only; the public page shows ``public_name`` (an organisation's name; a person's only if they
    agreed to be named, else blank: 爱心人士)."""

    kind = models.CharField(_("kind"), max_length=20, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    public_name = models.CharField(_("name shown to the public"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="donor_credit_code_once",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_as(self) -> str:
        """The donor as the public page names them."""
        return self.public_name or str(_("a caring member of the public"))


class Donation(models.Model):
    """One gift received at a stock point: its lines are the items and quantities."""

    number = models.CharField(_("donation number"), max_length=20, unique=True)
    client_id = models.UUIDField(default=uuid.uuid4, unique=True)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="donations")
    region_path = models.CharField(max_length=255)
    received_at = models.DateTimeField(_("received at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [
            prefix_index("region_path", "donation_region"),
            models.Index(fields=["-received_at", "-id"], name="donation_received"),
        ]

    def __str__(self) -> str:
        return self.number


class DonationLine(models.Model):
    """An item of a donation, received as its own lot (``lot``) by ``movement``."""

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    qty = models.BigIntegerField(_("quantity"))
    lot = models.CharField(max_length=90)
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["donation", "id"]
        verbose_name = _("donation line")
        verbose_name_plural = _("donation lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(qty__gt=0), name="donation_line_positive"),
            models.UniqueConstraint(fields=["item", "lot"], name="donation_line_lot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.donation.number} {self.item} {self.qty}"
