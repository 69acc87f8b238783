"""Supplies' models, by topic: the catalog, points and the ledger in ledger.py; requisitions
and allocation rounds in requisitions.py."""

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
    "Requisition",
    "AllocationRound",
    "RoundLine",
]
