"""The rejects file every import writes: the refused rows in the input's own format and
columns, plus 错误原因 (``headers.py`` finds the header row)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import Table
from .writing import write_table

REASON_HEADER = "错误原因"


def rejects_name(filename: str) -> str:
    """``ledger.xlsx`` → ``ledger-rejects.xlsx`` (a CSV's rejects are a CSV)."""
    path = Path(filename)
    suffix = ".xlsx" if path.suffix.lower() == ".xlsx" else ".csv"
    return f"{path.stem}-rejects{suffix}"


def write_rejects(
    table: Table,
    titles: Sequence[str],
    rejected: Sequence[tuple[int, str]],
    target: Path | Any,
    *,
    reason_col: int | None = None,
) -> None:
    """The refused rows (``(index in the table, reason)``) under the input's ``titles``, with the
    reason in ``reason_col`` (a 错误原因 column sent back in) or a 错误原因 column added; written
    in the input's format and encoding, so the file can be fixed and imported again."""
    head: list[object] = list(titles)
    if reason_col is None:
        head.append(REASON_HEADER)
    rows: list[list[object]] = [head]
    width = len(titles)
    for index, reason in rejected:
        source = table.rows[index]
        cells: list[object] = [*source, *[""] * (width - len(source))][:width]
        if reason_col is None:
            cells.append(reason)
        else:
            cells[reason_col] = reason
        rows.append(cells)
    write_table(
        target,
        rows,
        format=table.format,
        encoding=table.encoding if table.encoding != "utf-8" else "utf-8-sig",
        sheet=table.sheet or "Sheet1",
    )
