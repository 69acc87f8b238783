"""What each persona gets from an endpoint, and how an endpoint is called (tests/matrix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..conftest import PERSONAS

REGISTRY = {"hq", "district", "street", "community", "grid_a"}
UNMASKERS = {"community", "grid_a"}
SCOPE_HOLDS_GRID_A = REGISTRY | {"volunteer", "warehouse", "lab", "hospital", "finance"}
ALL = [*PERSONAS, "outsider"]


def registry_detail(persona: str):
    if persona in REGISTRY:
        return 200
    return 404 if persona == "grid_b" else 403


def registry_list(persona: str):
    if persona in REGISTRY:
        return "shown"
    return "hidden" if persona == "grid_b" else 403


def unmask(persona: str):
    if persona in UNMASKERS:
        return 200
    return 404 if persona == "grid_b" else 403


def region_tree(persona: str):
    return 200 if persona in SCOPE_HOLDS_GRID_A else 404


EDITORS = {"community", "grid_a"}


def editors(persona: str, ok: int = 200):
    if persona in EDITORS:
        return ok
    return 404 if persona == "grid_b" else 403


def new_resident(tree):
    from fangkong.common.idnumbers import make

    return {
        "name": "新居民",
        "id_number": make("430102", dt.date(1991, 1, 1), 101),
        "grid": tree.grid_a.code,
        "household": tree.household_a.pk,
    }


def supervisors_list(persona: str):
    return "shown" if persona in {"hq", "district"} else 403


def region_tree_list(persona: str):
    return "shown" if persona in SCOPE_HOLDS_GRID_A else "hidden"


@dataclass
class Endpoint:
    url: Callable  # tree -> url
    expect: Callable  # persona -> 200 / 403 / 404 / "shown" / "hidden"
    method: str = "get"
    shown: Callable | None = None  # tree -> text that proves the subject is in a list
    setup: Callable | None = None  # tree -> None: make what the endpoint lists
    body: Callable | None = None  # tree -> JSON body (sent with the method)
    form: bool = False  # send the body as a form (multipart), not JSON


E = Endpoint


HEALTH_VIEWERS = REGISTRY  # hq, district, street, community, grid_a
RECORDERS = EDITORS  # community, grid_a
CASE_STAFF = {"hq", "district", "street", "community"}
CHECKPOINT_STAFF = HEALTH_VIEWERS | {"volunteer"}


def health_view(persona: str):
    if persona in HEALTH_VIEWERS:
        return 200
    return 404 if persona == "grid_b" else 403


def health_view_list(persona: str):
    """A list of grid A's people behind a health figure: its viewers see them; grid B's worker
    asking for grid A is refused (404), like any region outside their area."""
    if persona in HEALTH_VIEWERS:
        return "shown"
    return 404 if persona == "grid_b" else 403


def recorders(persona: str, ok: int = 200):
    if persona in RECORDERS:
        return ok
    return 404 if persona == "grid_b" else 403


def viewers_then_recorders(persona: str, ok: int = 302):
    """Found for any health viewer, done only by those who record."""
    if persona in RECORDERS:
        return ok
    return 404 if persona == "grid_b" else 403


def case_staff(persona: str, ok: int = 302):
    if persona in CASE_STAFF:
        return ok
    return 404 if persona == "grid_b" else 403


def checkpoint_staff(persona: str):
    if persona in CHECKPOINT_STAFF:
        return 200
    return 404 if persona == "grid_b" else 403
