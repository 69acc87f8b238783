"""Supplies' models, by topic: the catalog, points and the ledger in ledger.py; donations in
donations.py; enterprises' output reports in output.py."""

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
]
