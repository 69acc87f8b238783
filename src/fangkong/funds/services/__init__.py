"""Every change to funds and allowances, by topic: the funds ledger, policies, rosters and
their review, payment files and the bank's confirmation."""

from .errors import FundsInvalid
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
    "check_add_fund",
    "check_approve",
    "check_confirm",
    "check_pay_again",
    "check_pay_batch",
    "check_record_payment",
    "check_return",
    "check_save_policy",
    "import_roster",
    "parse_rates",
    "write_payfile",
]
