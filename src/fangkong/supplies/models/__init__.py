"""Supplies' models, by topic: the catalog, points and the ledger in ledger.py."""

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

__all__ = [
    "lot_key",
    "Item",
    "Substitute",
    "StockPoint",
    "Keeper",
    "Balance",
    "Transfer",
    "Movement",
]
