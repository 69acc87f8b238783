"""Body temperatures as people type them: one parser for every path that reads one.

A form, a JSON body, a spreadsheet cell or a checkpoint's tap all arrive here. Full-width
digits and points (３６．５, from a Chinese input method) count as their ASCII twins; anything
that is not a plain decimal number — ``NaN``, ``Infinity``, ``1e309``, ``36,5`` — is refused,
as is a number outside the range a thermometer on a living person reads. Every refusal names
the range.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from .digits import ascii_digits

MIN_TEMPERATURE = Decimal("35.0")
MAX_TEMPERATURE = Decimal("42.0")
_STEP = Decimal("0.1")
# A plain decimal number in ASCII, with at most a few places: no exponent, no NaN or infinity.
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{0,3})?", re.ASCII)


class TemperatureInvalid(ValueError):
    """What is wrong with a temperature, with the range allowed."""


def parse_temperature(value: Decimal | str | float | int) -> Decimal:
    """The temperature in °C to one decimal place, between 35.0 and 42.0 inclusive."""
    if isinstance(value, float) and not math.isfinite(value):
        value = "nan"
    text = ascii_digits(str(value)).strip()
    if not _NUMBER.fullmatch(text):
        raise TemperatureInvalid(
            _("temperature must be a number from %(min)s to %(max)s °C, such as 36.5")
            % {"min": MIN_TEMPERATURE, "max": MAX_TEMPERATURE}
        )
    t = Decimal(text).quantize(_STEP)
    if not MIN_TEMPERATURE <= t <= MAX_TEMPERATURE:
        raise TemperatureInvalid(
            _("temperature %(t)s °C is outside 35.0–42.0 °C; measure again") % {"t": t}
        )
    return t
