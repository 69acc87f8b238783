"""Supplies: the catalog, stock points and their keepers, the append-only ledger of movements,
the balances it keeps, and transfers in transit.

A balance is the sum of a lot's movements. ``Balance`` holds that sum for each (point, item,
lot), changed in the same transaction as the movement that changes it, so a district's stock
is read from a few thousand rows, not from millions of movements; its CHECK (qty >= 0) is the
database's guarantee that no balance goes negative, whatever code or how many phones write at
once. Quantities are whole numbers of the item's unit.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.common.db import prefix_index

from ..choices import Category, MovementKind, Origin, PointKind, TransferStatus


def lot_key(batch: str, expires_on: dt.date | None) -> str:
    """The key of a lot within a point and item: its batch number and expiry ("" for none)."""
    return f"{batch}|{expires_on.isoformat() if expires_on else ''}"


class Item(models.Model):
    """An item of the catalog (N95 口罩, 84 消毒液, 液化气罐), counted in ``unit``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=20)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    pack_size = models.PositiveIntegerField(_("units per pack"), default=1)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    tracks_batches = models.BooleanField(_("batches and expiry matter"), default=False)
    key = models.BooleanField(_("key item (in the daily report)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(condition=models.Q(pack_size__gte=1), name="item_pack_size")
        ]

    def __str__(self) -> str:
        return self.name


class Substitute(models.Model):
    """``substitute`` may be given for ``item``: ``per_unit`` of it for each unit asked for
    (KN95 for N95 at 1.0; two surgical masks for one N95 would be 2.0)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="substitutes")
    substitute = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    per_unit = models.DecimalField(_("units per unit asked for"), max_digits=8, decimal_places=3)

    class Meta:
        verbose_name = _("substitute")
        verbose_name_plural = _("substitutes")
        constraints = [
            models.UniqueConstraint(fields=["item", "substitute"], name="substitute_once"),
            models.CheckConstraint(
                condition=~models.Q(item=models.F("substitute")), name="substitute_not_itself"
            ),
            models.CheckConstraint(condition=models.Q(per_unit__gt=0), name="substitute_ratio"),
        ]

    def __str__(self) -> str:
        return f"{self.substitute} → {self.item} × {self.per_unit}"


class StockPoint(models.Model):
    """A place that holds stock, in the region tree: the city reserve, a district or community
    point, a hospital, a checkpoint, a sampling point."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PointKind.choices, default=PointKind.COMMUNITY
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_path", "code"]
        indexes = [prefix_index("region_path", "stockpoint_region")]
        verbose_name = _("stock point")
        verbose_name_plural = _("stock points")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Keeper(models.Model):
    """A warehouse keeper of a point: keepers see and write only the points they keep."""

    point = models.ForeignKey(StockPoint, on_delete=models.CASCADE, related_name="keepers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_points"
    )

    class Meta:
        verbose_name = _("keeper")
        verbose_name_plural = _("keepers")
        constraints = [models.UniqueConstraint(fields=["user", "point"], name="keeper_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.point}"


class Balance(models.Model):
    """What a point holds of one lot of an item: the sum of the lot's movements, kept in the
    movement's transaction; never below zero (the CHECK)."""

    point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=90)  # lot_key(batch, expires_on)
    batch = models.CharField(_("batch"), max_length=50, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    region_path = models.CharField(max_length=255)
    qty = models.BigIntegerField(_("quantity"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        indexes = [prefix_index("region_path", "balance_region")]
        constraints = [
            models.UniqueConstraint(fields=["point", "item", "lot"], name="balance_one_per_lot"),
            models.CheckConstraint(condition=models.Q(qty__gte=0), name="balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} {self.item} {self.batch} {self.qty}"


class Transfer(models.Model):
    """Stock sent from one point to another: in transit from the transfer-out movement until
    the receiving point's transfer-in (or cancelled by reversing the transfer-out)."""

    from_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="sent")
    to_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="incoming")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=90)
    batch = models.CharField(max_length=50, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    qty = models.BigIntegerField()
    status = models.CharField(
        max_length=20, choices=TransferStatus.choices, default=TransferStatus.IN_TRANSIT
    )
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(qty__gt=0), name="transfer_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_point=models.F("to_point")), name="transfer_elsewhere"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_point.code} → {self.to_point.code} {self.item} {self.qty}"


class Movement(models.Model):
    """One entry of the stock ledger. Append-only: a mistake is corrected by a reversing
    movement, never by an edit. ``qty`` is signed (what it adds to the lot's balance).

    ``client_id`` is made by the phone (or derived, for an import): one operation may write
    several lines (an issue drawn from two lots), and the same id again is a retry that writes
    nothing. ``reference``: the paper or record behind it (a delivery note, and later a
    requisition's number, when requisitions link their issues here)."""

    client_id = models.UUIDField(default=uuid.uuid4)
    line = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    lot = models.CharField(max_length=90)
    batch = models.CharField(_("batch"), max_length=50, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    region_path = models.CharField(max_length=255)
    qty = models.BigIntegerField(_("quantity"))
    at = models.DateTimeField(_("when"))
    # receipts
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, blank=True)
    supplier = models.CharField(_("supplier or donor"), max_length=100, blank=True)
    funding = models.CharField(_("funding source"), max_length=100, blank=True)
    # issues
    recipient = models.CharField(_("receiving unit"), max_length=100, blank=True)
    household = models.ForeignKey(
        "regions.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # counts: what was counted; the movement's qty is the difference
    counted = models.BigIntegerField(_("counted"), null=True, blank=True)
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        indexes = [
            models.Index(fields=["point", "item", "at"], name="movement_point_item_at"),
            models.Index(
                fields=["at", "region_path"],
                name="movement_at_region",
                opclasses=["timestamptz_ops", "varchar_pattern_ops"],
            ),
            # a donated lot's movements at every point (models/donations.py)
            models.Index(fields=["lot", "item"], name="movement_lot_item"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client_id", "line"], name="movement_client_line"),
            # only a count that matched the books changes nothing
            models.CheckConstraint(
                condition=~models.Q(qty=0) | models.Q(kind=MovementKind.COUNT),
                name="movement_not_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.qty:+d} @ {self.point.code}"

    @property
    def counterpart(self) -> str:
        """Whom the movement was with: the supplier, the receiving unit, the other point."""
        if self.transfer_id is not None and self.transfer is not None:
            t = self.transfer
            return str(t.to_point if self.kind == MovementKind.TRANSFER_OUT else t.from_point)
        return self.recipient or self.supplier
