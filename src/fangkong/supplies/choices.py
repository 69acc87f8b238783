from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    MEDICAL = "medical", _("Medical protection")
    TESTING = "testing", _("Testing")
    DISINFECTION = "disinfection", _("Disinfection")
    DAILY = "daily", _("Daily necessities")
    MEDICINE = "medicine", _("Medicines")
    FUEL = "fuel", _("Fuel")
    OTHER = "other", _("Other")


class PointKind(models.TextChoices):
    CITY_RESERVE = "city_reserve", _("City reserve")
    DISTRICT = "district", _("District point")
    COMMUNITY = "community", _("Community point")
    HOSPITAL = "hospital", _("Hospital")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    SAMPLING = "sampling", _("Sampling point")


class MovementKind(models.TextChoices):
    """What a movement does to a balance; ``qty`` carries the sign (in +, out −)."""

    OPENING = "opening", _("Opening balance")
    RECEIPT = "receipt", _("Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issue")
    COUNT = "count", _("Physical count")
    LOSS = "loss", _("Loss")
    EXPIRY = "expiry", _("Expired")
    REVERSAL = "reversal", _("Reversal")


INBOUND = frozenset({MovementKind.OPENING, MovementKind.RECEIPT, MovementKind.TRANSFER_IN})
OUTBOUND = frozenset(
    {MovementKind.TRANSFER_OUT, MovementKind.ISSUE, MovementKind.LOSS, MovementKind.EXPIRY}
)


class Origin(models.TextChoices):
    """Where a receipt came from."""

    PROCUREMENT = "procurement", _("Procurement")
    DONATION = "donation", _("Donation")
    ALLOCATED = "allocated", _("Allocated from above")


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class DonorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Tier(models.IntegerChoices):
    """A requisition's priority tier: a higher tier is served before a lower one takes anything."""

    MEDICAL = 1, _("Medical front line")
    FRONT_LINE = 2, _("Other front line")
    COMMUNITY = 3, _("Community")


class RequisitionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for approval")
    OPEN = "open", _("Approved, open")
    PARTLY = "partly", _("Partly filled")
    FILLED = "filled", _("Filled")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# approved and not yet filled: what an allocation round serves
OPEN_REQUISITIONS = frozenset({RequisitionStatus.OPEN, RequisitionStatus.PARTLY})


class RequisitionSource(models.TextChoices):
    PAGE = "page", _("Raised on a page")
    FILE = "file", _("Headquarters' list")


class RoundStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    SUPERSEDED = "superseded", _("Superseded")
