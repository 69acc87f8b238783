"""The error every volunteers service raises for input a user can correct."""

from __future__ import annotations


class VolunteerInvalid(ValueError):
    """Field name → what is wrong and what is allowed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
