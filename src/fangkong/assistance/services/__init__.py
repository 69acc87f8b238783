"""Every change to help requests: intake, merging, dispatch (one by one or a batch), the
volunteer's steps, money advanced, bulk rounds and escalation."""

from .advances import check_record_advance, check_repaid, receipt_type, receipts_dir
from .batch import DEFAULT_MAX_KM, BatchResult, Decision, check_batch_dispatch
from .errors import HelpInvalid
from .escalation import escalate_overdue_requests
from .intake import (
    Ask,
    check_cancel_request,
    check_merge_requests,
    check_raise_request,
    do_raise_request,
)
from .rounds import check_close_round, check_mark_stop, check_open_round
from .tasks import (
    check_answer,
    check_dispatch,
    check_progress,
    check_withdraw,
    do_offer,
)

__all__ = [
    "DEFAULT_MAX_KM",
    "Ask",
    "BatchResult",
    "Decision",
    "HelpInvalid",
    "check_answer",
    "check_batch_dispatch",
    "check_cancel_request",
    "check_close_round",
    "check_dispatch",
    "check_mark_stop",
    "check_merge_requests",
    "check_open_round",
    "check_progress",
    "check_raise_request",
    "check_record_advance",
    "check_repaid",
    "check_withdraw",
    "do_offer",
    "do_raise_request",
    "escalate_overdue_requests",
    "receipt_type",
    "receipts_dir",
]
