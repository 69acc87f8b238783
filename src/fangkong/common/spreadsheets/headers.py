"""Finding a sheet's header row: title and note rows above it are normal in files people
export (a ledger, a sampling app's list, a lab's report), and each names its columns its own
way. An import declares its columns by their synonyms; ``find_header`` finds the first row
that names the ones it needs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping

from .base import Table

HEADER_SEARCH_ROWS = 30


def header_key(text: str) -> str:
    """A header cell as compared: width-folded, lower case, no spaces, marks or bracketed notes."""
    if text.isascii() and text.isalnum():  # a data cell met on the way (every row's barcode)
        return text.lower()
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)
    return re.sub(r"[\s*:：_]", "", text)


def columns_of(cells: list[str], aliases: Mapping[str, Collection[str]]) -> dict[str, int]:
    """Which column holds what: the first cell matching one of a column's synonyms."""
    by_key = {header_key(a): name for name, names in aliases.items() for a in names}
    found: dict[str, int] = {}
    for c, cell in enumerate(cells):
        name = by_key.get(header_key(cell))
        if name is not None and name not in found:
            found[name] = c
    return found


def find_header(
    table: Table,
    aliases: Mapping[str, Collection[str]],
    required: Collection[str],
    *,
    search_rows: int = HEADER_SEARCH_ROWS,
) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, column of each name it holds): the first of the first
    ``search_rows`` rows naming every ``required`` column; None if none does."""
    for r, cells in enumerate(table.rows[:search_rows]):
        columns = columns_of(cells, aliases)
        if all(name in columns for name in required):
            return r, columns
    return None


def header_titles(table: Table, row: int) -> list[str]:
    """The header row's cells, padded to the widest row below it (a rejects file keeps every
    column of the input, titled or not)."""
    width = max((len(r) for r in table.rows[row:]), default=0)
    return list(table.rows[row]) + [""] * (width - len(table.rows[row]))
