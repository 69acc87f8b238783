from django.db import models
from django.utils.translation import gettext_lazy as _


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    FATIGUE = "fatigue", _("Fatigue")
    SORE_THROAT = "sore_throat", _("Sore throat")
    SMELL_TASTE = "smell_taste", _("Loss of smell or taste")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    BREATH = "breath", _("Shortness of breath")


# A symptom that opens an alert whatever the temperature.
RED_FLAGS = frozenset({Symptom.BREATH})


class Source(models.TextChoices):
    SELF = "self", _("Self-reported")
    GRID_WORKER = "grid_worker", _("Grid worker")
    PHONE = "phone", _("By phone")  # told to a grid worker on the phone (the call list)
    CHECKPOINT = "checkpoint", _("Checkpoint")
    IMPORT = "import", _("Import")


class AlertReason(models.TextChoices):
    FEVER = "fever", _("Temperature at or above the threshold")
    RED_FLAG = "red_flag", _("Red-flag symptom")


class AlertLevel(models.TextChoices):
    GRID = "grid", _("Grid worker")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")


class Outcome(models.TextChoices):
    NORMAL = "normal", _("Re-measured normal")
    FEVER_CLINIC = "fever_clinic", _("Sent to a fever clinic")
    AMBULANCE = "ambulance", _("Ambulance called")
    HOME_CARE = "home_care", _("Watched at home, doctor consulted")
    UNREACHABLE = "unreachable", _("Could not be reached, reported up")
    WRONG_ENTRY = "wrong_entry", _("Entered by mistake")


class ObservationKind(models.TextChoices):
    HOME_OBSERVATION = "home_observation", _("Home observation")  # 居家观察
    HOME_ISOLATION = "home_isolation", _("Home isolation")  # 居家隔离
    CENTRAL_QUARANTINE = "central_quarantine", _("Central quarantine")  # 集中隔离
    HEALTH_MONITORING = "health_monitoring", _("Health monitoring")  # 健康监测


class CaseClass(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic")
    SUSPECTED = "suspected", _("Suspected")


class ContactKind(models.TextChoices):
    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class PassageOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    TURNED_BACK = "turned_back", _("Turned back")


class FollowUp(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("Abnormal")
    MISSED = "missed", _("Missed")
    PENDING = "pending", _("Not yet today")
    FUTURE = "future", _("To come")
