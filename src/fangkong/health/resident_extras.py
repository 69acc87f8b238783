"""Sections other apps add to a resident's household page, below the report form (help
requests, for one). Health knows no such app: each registers a function from its
``AppConfig.ready``; ``fn(request, link_token, household_token, household)`` returns a
``ResidentSection`` (a template and its context) or None. The household has been proven by
the resident on this page; ``household_token`` is what proves it to the next page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResidentSection:
    template: str
    context: dict = field(default_factory=dict)


_SECTIONS: list[Callable] = []


def register_resident_section(fn: Callable) -> None:
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)


def resident_sections(request, link_token: str, household_token: str, household) -> list:
    found = (fn(request, link_token, household_token, household) for fn in _SECTIONS)
    return [s for s in found if s is not None]
