from __future__ import annotations


class BedsInvalid(ValueError):
    """A change that cannot be made: ``errors`` maps each field to what is wrong and what is
    allowed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(str(v) for v in errors.values()))
        self.errors = errors
