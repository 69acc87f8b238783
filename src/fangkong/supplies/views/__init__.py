"""Supplies' pages, by topic: the keeper's stock pages in stock.py; requisitions and
allocation rounds in requisitions.py."""

from .requisitions import (
    requisition_cancel,
    requisition_decide,
    requisition_new,
    requisition_page,
    requisitions_page,
    round_adjust,
    round_page,
    round_run,
    rounds_page,
)
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
    "requisition_cancel",
    "requisition_decide",
    "requisition_new",
    "requisition_page",
    "requisitions_page",
    "round_adjust",
    "round_page",
    "round_run",
    "rounds_page",
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
