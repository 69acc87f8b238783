from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerStatus(models.TextChoices):
    """Where a volunteer stands: an application waits for a supervisor; only an active
    volunteer has a working account and is dispatched."""

    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")
    REJECTED = "rejected", _("Not approved")


class Source(models.TextChoices):
    COMMUNITY = "community", _("Registered by the community")
    SELF = "self", _("Applied from a campaign link")


class Skill(models.TextChoices):
    DRIVING = "driving", _("Driving")
    MEDICAL = "medical", _("Medical")
    LIFTING = "lifting", _("Heavy lifting")
    LANGUAGE = "language", _("Languages and dialects")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare")
    PSYCHOLOGICAL = "psychological", _("Counselling")
    SAMPLING = "sampling", _("Sampling assistance")
    IT = "it", _("Phones and computers")


class VehicleKind(models.TextChoices):
    CAR = "car", _("Car")
    VAN = "van", _("Van")
    TRICYCLE = "tricycle", _("Cargo tricycle")
    E_BIKE = "e_bike", _("Electric bike")
    BICYCLE = "bicycle", _("Bicycle")


class TeamKind(models.TextChoices):
    TEAM = "team", _("Temporary team")
    BRANCH = "branch", _("Temporary party branch")


class TeamDuty(models.TextChoices):
    """What a team is for (the issue's post duty, delivery and mobile-service groups)."""

    POSTS = "posts", _("Post duty")
    DELIVERY = "delivery", _("Delivery")
    MOBILE = "mobile", _("Mobile service")
    MIXED = "mixed", _("Mixed")


class TeamBasis(models.TextChoices):
    """A team is formed by residential compound or by community."""

    COMPOUND = "compound", _("By compound")
    COMMUNITY = "community", _("By community")


# Weekday bits of Volunteer.weekdays: Monday is bit 0 (date.weekday()).
EVERY_DAY = 0b1111111


class PostKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint")
    SAMPLING = "sampling", _("Sampling point")
    DELIVERY = "delivery", _("Delivery")
    OTHER = "other", _("Other duty")


class ShiftClose(models.TextChoices):
    """How a shift was closed: by the volunteer, by a supervisor, or by the system when the
    volunteer forgot to sign out (credited up to the planned end, flagged for a look)."""

    SELF = "self", _("Signed out")
    SUPERVISOR = "supervisor", _("Closed by a supervisor")
    AUTO = "auto", _("Sign-out forgotten: closed by the system")
