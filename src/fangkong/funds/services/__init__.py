"""Every change to funds and allowances, by topic: the funds ledger, policies, rosters and
their review, payment files and the bank's confirmation."""

from .errors import FundsInvalid
from .labour import (
    check_add_enterprise,
    check_add_opening,
    check_place,
    check_report_resumption,
    check_set_intention,
    register_returnees,
)
from .ledger import balance_of, check_add_fund, check_record_payment
from .payments import (
    ConfirmationResult,
    check_confirm,
    check_pay_again,
    check_pay_batch,
    write_payfile,
)
from .policies import check_save_policy, parse_rates
from .rosters import (
    ApproveResult,
    RosterImportResult,
    check_approve,
    check_return,
    import_roster,
)

__all__ = [
    "ApproveResult",
    "ConfirmationResult",
    "FundsInvalid",
    "RosterImportResult",
    "balance_of",
    "check_add_enterprise",
    "check_add_fund",
    "check_add_opening",
    "check_approve",
    "check_confirm",
    "check_pay_again",
    "check_pay_batch",
    "check_place",
    "check_record_payment",
    "check_report_resumption",
    "check_return",
    "check_save_policy",
    "check_set_intention",
    "import_roster",
    "parse_rates",
    "register_returnees",
    "write_payfile",
]
