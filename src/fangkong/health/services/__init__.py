"""Every change in health monitoring: check-ins and alerts, observation, cases and contacts,
checkpoints, and residents' QR links."""

from .cases import check_add_contact, check_close_case, check_report_case, do_close_case
from .checkins import (
    MAX_BATCH,
    CheckInData,
    CheckInInvalid,
    CheckInResult,
    check_close_alert,
    check_delete_check_in,
    clean_temperature,
    do_delete_check_in,
    escalate_overdue_alerts,
    record_check_ins,
)
from .checkpoints import check_create_checkpoint, check_log_passage, check_look_up_passage_person
from .links import issue_building_link, link_from_token, link_token, revoke_building_links
from .observation import (
    check_end_observation,
    check_extend_observation,
    check_start_observation,
    do_end_observation,
    do_place_under_watch,
    follow_up,
)
from .rules import check_set_region_rule, do_set_region_rule

__all__ = [
    "MAX_BATCH",
    "CheckInData",
    "CheckInInvalid",
    "CheckInResult",
    "check_add_contact",
    "check_close_alert",
    "check_close_case",
    "check_create_checkpoint",
    "check_delete_check_in",
    "check_end_observation",
    "check_extend_observation",
    "check_log_passage",
    "check_look_up_passage_person",
    "check_report_case",
    "check_set_region_rule",
    "check_start_observation",
    "clean_temperature",
    "do_close_case",
    "do_end_observation",
    "do_place_under_watch",
    "do_set_region_rule",
    "do_delete_check_in",
    "escalate_overdue_alerts",
    "follow_up",
    "issue_building_link",
    "link_from_token",
    "link_token",
    "record_check_ins",
    "revoke_building_links",
]
