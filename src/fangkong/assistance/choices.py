from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """What a household asks for."""

    MEDICINE = "medicine", _("Medicine")
    FOOD = "food", _("Food and daily necessities")
    GAS = "gas", _("Gas")
    TRANSPORT = "transport", _("Transport to hospital or dialysis")
    URGENT_MEDICAL = "urgent_medical", _("Urgent medical help")
    CARE = "care", _("Childcare or elderly care")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    """As the dispatch model ranks them (solvers/dispatch.py: urgent, then today, then normal)."""

    URGENT = "urgent", _("Urgent")
    TODAY = "today", _("Today")
    NORMAL = "normal", _("Can wait")


class Source(models.TextChoices):
    """Who raised a request."""

    RESIDENT = "resident", _("The resident, from the building's QR page")
    GRID_WORKER = "grid_worker", _("A grid worker, for the resident")
    HOTLINE = "hotline", _("Hotline staff")


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a volunteer")
    OFFERED = "offered", _("Offered to a volunteer")
    ACCEPTED = "accepted", _("A volunteer is on it")
    PICKED_UP = "picked_up", _("Picked up, on the way")
    DELIVERED = "delivered", _("Delivered")
    MERGED = "merged", _("Merged into another request")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.OPEN, Status.OFFERED, Status.ACCEPTED, Status.PICKED_UP)
CLOSED_STATUSES = (Status.DELIVERED, Status.MERGED, Status.CANCELLED)


class Level(models.TextChoices):
    """Who answers for a request now: the community, or above it once it is overdue."""

    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class TaskStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    PICKED_UP = "picked_up", _("Picked up")
    DELIVERED = "delivered", _("Delivered")
    COULD_NOT = "could_not", _("Could not be done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_TASK = (TaskStatus.OFFERED, TaskStatus.ACCEPTED, TaskStatus.PICKED_UP)
# what a volunteer holds once they said yes: the phone they may tap is shown in full only then
WORKING_TASK = (TaskStatus.ACCEPTED, TaskStatus.PICKED_UP)


class StopStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("errand", "To deliver")
    DELIVERED = "delivered", _("Delivered")
    COULD_NOT = "could_not", _("Could not deliver")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Under way")
    CLOSED = "closed", _("Closed")


URGENCY_ORDER: list[str] = [Urgency.URGENT, Urgency.TODAY, Urgency.NORMAL]
