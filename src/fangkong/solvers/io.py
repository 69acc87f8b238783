"""The JSON forms of the solvers: parse (strictly, naming every bad field), solve, dump."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import allocation, beds, capacity, dispatch, forecast
from .common import SolverInputError

MODULES = {
    "allocation": allocation,
    "beds": beds,
    "dispatch": dispatch,
    "capacity": capacity,
    "forecast": forecast,
}


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "input"


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown field"
    if kind == "missing":
        return "missing"
    got = error.get("input")
    text = error["msg"]
    if got is not None and not isinstance(got, dict | list):
        text += f" (got {got!r})"
    return text


def parse(kind: str, data: Any):
    """The problem of ``kind`` from JSON data, or SolverInputError listing every bad field."""
    if kind not in MODULES:
        raise SolverInputError("kind", f"unknown kind {kind!r}; one of {', '.join(MODULES)}")
    try:
        return TypeAdapter(MODULES[kind].Problem).validate_python(data)
    except ValidationError as e:
        lines = [f"{_where(err['loc'])}: {_message(err)}" for err in e.errors()]
        raise SolverInputError("", "\n".join(lines)) from None


def solve(kind: str, data: Any) -> dict:
    """Parse, solve and return the solution as JSON-ready data."""
    module = MODULES[kind] if kind in MODULES else None
    problem = parse(kind, data)
    assert module is not None
    solution = module.solve(problem)
    return TypeAdapter(module.Solution).dump_python(solution, mode="json")
