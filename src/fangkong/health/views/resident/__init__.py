"""Residents report through their building's QR code (no account); grid workers print the code
and enter a household's or a unit's temperatures on one screen."""

from .entry import quick_entry
from .page import age_band, floor_of, resident_page
from .posters import building_qr

__all__ = ["age_band", "building_qr", "floor_of", "quick_entry", "resident_page"]
