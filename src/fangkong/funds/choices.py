from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    CENTRAL = "central", _("Central government")
    PROVINCIAL = "provincial", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    DONATION = "donation", pgettext_lazy("fund source", "Donations")  # money, not goods


class PolicyKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    PERIODIC = "periodic", _("Periodic")


class RosterStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to the unit")


class PayeeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved, to pay")
    RETURNED = "returned", _("Returned")
    SENT = "sent", _("In a payment file, awaiting the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


class Intention(models.TextChoices):
    """What a returned migrant worker means to do (外出务工, 就地就业, 自主创业, 因病留守)."""

    UNKNOWN = "unknown", _("Not asked yet")
    GO_OUT = "go_out", _("Go back out to work")
    LOCAL = "local", _("Work locally")
    BUSINESS = "business", _("Start a business")
    STAY = "stay", _("Stay for health reasons")


class LabourStatus(models.TextChoices):
    TO_PLACE = "to_place", _("Still to place")
    GONE_OUT = "gone_out", _("Gone back out")
    PLACED = "placed", _("Working locally")
    STAYING = "staying", _("Staying")
