"""How long a household may wait: minutes by kind and urgency (docs/assistance.md holds the same
table, and a test holds them equal). Urgent medicine within 2 hours; an urgent medical need
within half an hour (the volunteer's first step may be calling 120); a dialysis run that cannot
wait within the hour."""

from __future__ import annotations

import datetime as dt

from .choices import Kind, Level, Urgency

MINUTES: dict[str, dict[str, int]] = {
    Kind.MEDICINE: {Urgency.URGENT: 120, Urgency.TODAY: 480, Urgency.NORMAL: 1440},
    Kind.FOOD: {Urgency.URGENT: 240, Urgency.TODAY: 720, Urgency.NORMAL: 1440},
    Kind.GAS: {Urgency.URGENT: 240, Urgency.TODAY: 720, Urgency.NORMAL: 1440},
    Kind.TRANSPORT: {Urgency.URGENT: 60, Urgency.TODAY: 240, Urgency.NORMAL: 1440},
    Kind.URGENT_MEDICAL: {Urgency.URGENT: 30, Urgency.TODAY: 60, Urgency.NORMAL: 120},
    Kind.CARE: {Urgency.URGENT: 120, Urgency.TODAY: 480, Urgency.NORMAL: 1440},
    Kind.OTHER: {Urgency.URGENT: 240, Urgency.TODAY: 720, Urgency.NORMAL: 2880},
}

# An overdue request goes up one level with this long to act before it goes up again.
ESCALATED_MINUTES = 60
NEXT_LEVEL: dict[str, str] = {Level.COMMUNITY: Level.STREET, Level.STREET: Level.DISTRICT}

# What the dispatch model asks of a volunteer for each kind (solvers/dispatch.py: a volunteer
# must have every skill a request needs): the volunteers app's skills (volunteers.choices.Skill)
# and two of our own read off the volunteer's vehicle: VEHICLE (any: a canister is 15 kg) and
# CAR (a car or a van: a patient to dialysis sits in it).
VEHICLE = "vehicle"
CAR = "car"
SKILLS: dict[str, tuple[str, ...]] = {
    Kind.MEDICINE: (),
    Kind.FOOD: (),
    Kind.GAS: (VEHICLE,),
    Kind.TRANSPORT: ("driving", CAR),
    Kind.URGENT_MEDICAL: ("medical",),
    Kind.CARE: (),
    Kind.OTHER: (),
}


def minutes_for(kind: str, urgency: str) -> int:
    return MINUTES[kind][urgency]


def due_at(kind: str, urgency: str, raised_at: dt.datetime) -> dt.datetime:
    """When a request raised at ``raised_at`` must be done."""
    return raised_at + dt.timedelta(minutes=minutes_for(kind, urgency))
