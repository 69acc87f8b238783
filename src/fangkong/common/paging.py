"""Keyset-free, count-free paging: a page of rows and whether another follows.

A COUNT over a city's million residents costs more than the page itself, so lists fetch one
row beyond the page to know whether there is a next one.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(qs, number: int, size: int) -> Page:
    number = max(1, number)
    start = (number - 1) * size
    rows = list(qs[start : start + size + 1])
    return Page(items=rows[:size], number=number, size=size, has_next=len(rows) > size)
