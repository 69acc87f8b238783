"""Every change in beds: facilities and operators, bed reports, admissions and discharges,
the waiting list, the day's transfer plans and their progress."""

from .errors import BedsInvalid
from .facilities import (
    KIND_BEDS,
    assign_operator,
    save_facility,
    save_pickup_point,
    set_beds_rule,
)
from .inventory import BedCount, check_discharge, check_report_beds, do_admit
from .plans import (
    carry_over,
    check_admit,
    check_confirm_plan,
    check_propose_plan,
    check_report_progress,
    free_beds,
    reserved_beds,
)
from .waiting import check_triage, take_in_waiting

__all__ = [
    "KIND_BEDS",
    "BedCount",
    "BedsInvalid",
    "assign_operator",
    "carry_over",
    "check_admit",
    "check_confirm_plan",
    "check_discharge",
    "check_propose_plan",
    "check_report_beds",
    "check_report_progress",
    "check_triage",
    "do_admit",
    "free_beds",
    "reserved_beds",
    "save_facility",
    "save_pickup_point",
    "set_beds_rule",
    "take_in_waiting",
]
