"""The JSON forms of the solvers: parse (strictly, naming every bad field), solve, dump."""

from __future__ import annotations

import dataclasses
import typing
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
        if part == "[key]":  # a mapping's key was refused, not its value
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "input"


def _fields_at(cls: Any, loc: tuple) -> list[str]:
    """The field names allowed in the dataclass found by following ``loc`` from ``cls``."""
    for part in loc:
        if isinstance(part, int):
            args = typing.get_args(cls)
            cls = args[0] if args else cls
        elif dataclasses.is_dataclass(cls):
            hints = typing.get_type_hints(cls, include_extras=False)
            cls = hints.get(part, cls)
        while typing.get_origin(cls) is typing.Union or type(cls).__name__ == "UnionType":
            cls = next(a for a in typing.get_args(cls) if a is not type(None))
    return [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []


def _message(error: Any, problem: Any = None) -> str:
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        allowed = _fields_at(problem, error["loc"][:-1]) if problem is not None else []
        return "unknown field" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
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
        problem = MODULES[kind].Problem
        lines = [f"{_where(err['loc'])}: {_message(err, problem)}" for err in e.errors()]
        raise SolverInputError("", "\n".join(lines)) from None


def solve(kind: str, data: Any) -> dict:
    """Parse, solve and return the solution as JSON-ready data."""
    module = MODULES[kind] if kind in MODULES else None
    problem = parse(kind, data)
    assert module is not None
    solution = module.solve(problem)
    return TypeAdapter(module.Solution).dump_python(solution, mode="json")
