"""Supplies' pages, by topic: the keeper's stock pages in stock.py."""

from .stock import (
    ACTIONS,
    CARD_TITLES,
    RECENT,
    home,
    movement_page,
    point_page,
    reverse,
    stock_card,
    take_in,
)

__all__ = [
    "RECENT",
    "ACTIONS",
    "home",
    "point_page",
    "movement_page",
    "take_in",
    "reverse",
    "CARD_TITLES",
    "stock_card",
]
