"""Supplies' pages, by topic: the keeper's stock pages in stock.py; donations (public and
staff) in donations.py."""

from .cover import output, region_cover
from .daily import daily, daily_xlsx
from .donations import donate, donation, donations, public_donation, public_donations
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
