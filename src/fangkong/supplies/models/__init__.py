"""Supplies' models, by topic: the catalog, points and the ledger in ledger.py; donations in
donations.py; enterprises' output reports in output.py; requisitions and allocation rounds in
requisitions.py."""

from .donations import Donation, DonationLine, Donor
from .ledger import (
    Balance,
    Item,
    Keeper,
    Movement,
    StockPoint,
    Substitute,
    Transfer,
    lot_key,
)
from .output import OutputReport
from .requisitions import AllocationRound, Requisition, RoundLine

__all__ = [
    "lot_key",
    "Item",
    "Substitute",
    "StockPoint",
    "Keeper",
    "Balance",
    "Transfer",
    "Movement",
    "Donor",
    "Donation",
    "DonationLine",
    "OutputReport",
    "Requisition",
    "AllocationRound",
    "RoundLine",
]
