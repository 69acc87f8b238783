"""Supplies' pages, by topic: the keeper's stock pages in stock.py; donations (public and
staff) in donations.py; days of cover, output and the supply daily report in cover.py and
daily.py; requisitions and allocation rounds in requisitions.py."""

from .cover import output, region_cover
from .daily import daily, daily_xlsx
from .donations import donate, donation, donations, public_donation, public_donations
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
    "daily",
    "daily_xlsx",
    "output",
    "region_cover",
    "donate",
    "donation",
    "donations",
    "public_donation",
    "public_donations",
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
