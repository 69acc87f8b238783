from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FacilityKind(models.TextChoices):
    DESIGNATED = "designated", _("Designated hospital")  # 定点医院
    FANGCANG = "fangcang", _("Fangcang field hospital")  # 方舱医院
    QUARANTINE = "quarantine", _("Central quarantine site")  # 集中隔离点


class BedType(models.TextChoices):
    """The solvers' bed types (solvers/beds.py), in the same words."""

    ICU = "icu", _("ICU")
    WARD = "ward", _("General isolation ward")
    FANGCANG = "fangcang", _("Fangcang bed")
    QUARANTINE = "quarantine", _("Quarantine room")


class Severity(models.TextChoices):
    """How ill a patient is (the solvers' words); a contact waits for a quarantine room."""

    CRITICAL = "critical", _("Critical")
    SEVERE = "severe", _("Severe")
    MODERATE = "moderate", _("Moderate")
    MILD = "mild", _("Mild")
    CONTACT = "contact", _("Contact for quarantine")


class Need(models.TextChoices):
    DIALYSIS = "dialysis", _("Dialysis")
    OXYGEN = "oxygen", _("Oxygen")


class Source(models.TextChoices):
    CASE = "case", _("Case")
    CONTACT = "contact", _("Contact to central quarantine")


class PatientStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PLANNED = "planned", _("In today's plan")
    ADMITTED = "admitted", _("Admitted")
    DISCHARGED = "discharged", _("Discharged")
    CANCELLED = "cancelled", _("No longer needs a bed")


# a person has at most one record in these statuses (the partial unique constraint)
OPEN_STATUSES = (PatientStatus.WAITING, PatientStatus.PLANNED, PatientStatus.ADMITTED)


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered, discharged")
    RELEASED = "released", _("Quarantine over, released")
    TRANSFERRED = "transferred", _("Transferred to another facility")
    DIED = "died", _("Died")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, to review")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed (day over)")


class LineStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNPLACED = "unplaced", _("No bed found")
    CONFIRMED = "confirmed", _("To pick up")
    # a patient picked up by the transport; assistance has its own "Picked up" (an errand)
    PICKED_UP = "picked_up", pgettext_lazy("patient", "Picked up")
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    CARRIED = "carried", _("Not done, carried to the next day")


# what a district reports of a line, and from which states
PROGRESS = {
    LineStatus.PICKED_UP: (LineStatus.CONFIRMED,),
    LineStatus.ADMITTED: (LineStatus.CONFIRMED, LineStatus.PICKED_UP),
    LineStatus.REFUSED: (LineStatus.CONFIRMED, LineStatus.PICKED_UP),
}
DONE = (LineStatus.ADMITTED, LineStatus.REFUSED)
LEFT = (LineStatus.CONFIRMED, LineStatus.PICKED_UP)


class Vehicle(models.TextChoices):
    BUS = "bus", _("Bus")
    AMBULANCE = "ambulance", _("Ambulance")


class TaskStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DONE = "done", _("Done")
