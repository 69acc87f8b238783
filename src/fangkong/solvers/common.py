"""What the solvers share: input errors, distances, explanations in two languages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from pydantic import ConfigDict

# Input dataclasses refuse fields they do not know (a typo must not pass silently).
STRICT = ConfigDict(extra="forbid")

EARTH_KM = 6371.0088


class SolverInputError(ValueError):
    """A problem that cannot be solved as given; ``where`` names the offending entry."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Explain:
    """One decision explained for a person, in Chinese and in English."""

    zh: str
    en: str


def check_unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise SolverInputError(f"{what}[{i}].id", f"duplicate id {x!r}")
        seen.add(x)


def check_not_empty(items: list, what: str) -> None:
    if not items:
        raise SolverInputError(what, "empty: nothing to solve")


def check_coordinates(points: Iterable[tuple[float, float]], what: str) -> None:
    for i, (lat, lon) in enumerate(points):
        if not -90 <= lat <= 90:
            raise SolverInputError(f"{what}[{i}].lat", f"latitude {lat} is outside -90..90")
        if not -180 <= lon <= 180:
            raise SolverInputError(f"{what}[{i}].lon", f"longitude {lon} is outside -180..180")


def great_circle_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Haversine distances, broadcasting like numpy (e.g. a column against a row)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
