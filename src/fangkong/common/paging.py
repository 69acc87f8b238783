"""Keyset-free, count-free paging: a page of rows and whether another follows.

A COUNT over a city's million residents costs more than the page itself, so lists fetch one
row beyond the page to know whether there is a next one. Page numbers are bounded by
``MAX_PAGE``: a page forgives (clamps), the API refuses (422).
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .params import MAX_PAGE

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
    number = min(max(1, number), MAX_PAGE)
    start = (number - 1) * size
    rows = list(qs[start : start + size + 1])
    more = len(rows) > size and number < MAX_PAGE
    return Page(items=rows[:size], number=number, size=size, has_next=more)


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with the page number bounded by ``MAX_PAGE`` (a larger
    page size is cut to the paginator's ``max_page_size``, as ninja does)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)
