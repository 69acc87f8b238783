"""Every change to supplies: the catalog, stock points and keepers, the ledger, imports,
requisitions and allocation rounds."""

from .adjustments import check_count, check_receive_transfer, check_reverse, check_transfer
from .catalog import (
    assign_keeper,
    clean_point_code,
    find_item,
    save_item,
    save_point,
    set_substitute,
)
from .cover import Cover, Place, check_report_output, cover, demand
from .donations import DonorIn, LineIn, check_receive_donation, donation_batch
from .ledger import (
    Lot,
    StockInvalid,
    StockShort,
    Written,
    add_to_balances,
    check_issue,
    check_receive,
    check_write_off,
    fefo,
    propose_lots,
)
from .requisitions import (
    RequisitionImportResult,
    check_cancel,
    check_decide,
    check_raise,
    import_requisitions,
)
from .rounds import (
    Confirmed,
    check_adjust,
    check_confirm,
    open_requisitions,
    point_stock,
    propose_round,
)
from .stock_import import StockImportResult, import_stock

__all__ = [
    "Cover",
    "Place",
    "check_report_output",
    "cover",
    "demand",
    "DonorIn",
    "LineIn",
    "check_receive_donation",
    "donation_batch",
    "Confirmed",
    "RequisitionImportResult",
    "check_adjust",
    "check_cancel",
    "check_confirm",
    "check_decide",
    "check_raise",
    "import_requisitions",
    "open_requisitions",
    "point_stock",
    "propose_round",
    "Lot",
    "StockImportResult",
    "StockInvalid",
    "StockShort",
    "Written",
    "add_to_balances",
    "assign_keeper",
    "check_count",
    "check_issue",
    "check_receive",
    "check_receive_transfer",
    "check_reverse",
    "check_transfer",
    "check_write_off",
    "clean_point_code",
    "fefo",
    "find_item",
    "import_stock",
    "propose_lots",
    "save_item",
    "save_point",
    "set_substitute",
]
