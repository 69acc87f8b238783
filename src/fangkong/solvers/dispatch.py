"""Help requests to volunteers: every needed skill, within reach, urgent first, then nearest.

Each request gets at most one volunteer who has every skill it needs and is at most ``max_km``
away; a volunteer takes at most ``capacity`` requests. Urgency is strict (urgent, then today,
then normal); among equal urgency, least total distance (``assign.priority_assign``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from .assign import priority_assign
from .common import (
    STRICT,
    Explain,
    check_coordinates,
    check_not_empty,
    check_unique,
    great_circle_km,
)

URGENCY = ("urgent", "today", "normal")


@dataclass(frozen=True)
class Volunteer:
    __pydantic_config__ = STRICT

    id: str
    lat: float
    lon: float
    capacity: Annotated[int, Field(ge=0)]
    skills: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    __pydantic_config__ = STRICT

    id: str
    lat: float
    lon: float
    urgency: Literal["urgent", "today", "normal"]
    needs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    __pydantic_config__ = STRICT

    volunteers: list[Volunteer]
    requests: list[Request]
    max_km: Annotated[float, Field(gt=0)]


@dataclass(frozen=True)
class Assignment:
    request: str
    volunteer: str
    km: float


@dataclass(frozen=True)
class Unassigned:
    request: str
    reason: str  # no_skilled_volunteer | none_within_max_km | all_busy
    explain: Explain


@dataclass(frozen=True)
class Solution:
    assignments: list[Assignment]
    unassigned: list[Unassigned]


def validate(problem: Problem) -> None:
    check_not_empty(problem.volunteers, "volunteers")
    check_not_empty(problem.requests, "requests")
    check_unique((v.id for v in problem.volunteers), "volunteers")
    check_unique((r.id for r in problem.requests), "requests")
    check_coordinates(((v.lat, v.lon) for v in problem.volunteers), "volunteers")
    check_coordinates(((r.lat, r.lon) for r in problem.requests), "requests")


def _skill_bits(names: list[list[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """Each list of skills as bits in 64-bit words: shape (len(names), words)."""
    words = max(1, (len(vocabulary) + 63) // 64)
    bits = np.zeros((len(names), words), dtype=np.uint64)
    for i, skills in enumerate(names):
        for s in skills:
            b = vocabulary[s]
            bits[i, b // 64] |= np.uint64(1) << np.uint64(b % 64)
    return bits


def solve(problem: Problem) -> Solution:
    validate(problem)
    volunteers = sorted(problem.volunteers, key=lambda v: v.id)
    requests = sorted(problem.requests, key=lambda r: r.id)
    vocabulary = {
        s: i
        for i, s in enumerate(
            sorted(
                {s for v in volunteers for s in v.skills} | {s for r in requests for s in r.needs}
            )
        )
    }
    have = _skill_bits([v.skills for v in volunteers], vocabulary)
    need = _skill_bits([r.needs for r in requests], vocabulary)
    skilled = np.ones((len(requests), len(volunteers)), dtype=bool)
    for w in range(have.shape[1]):
        skilled &= (need[:, w][:, None] & ~have[:, w][None, :]) == 0
    km = great_circle_km(
        np.array([r.lat for r in requests])[:, None],
        np.array([r.lon for r in requests])[:, None],
        np.array([v.lat for v in volunteers])[None, :],
        np.array([v.lon for v in volunteers])[None, :],
    )
    free = np.array([v.capacity > 0 for v in volunteers])
    usable = skilled & (km <= problem.max_km) & free[None, :]
    arc_agent, arc_slot = np.nonzero(usable)
    chosen = priority_assign(
        n_agents=len(requests),
        capacity=np.array([v.capacity for v in volunteers], dtype=np.int64),
        arc_agent=arc_agent,
        arc_slot=arc_slot,
        arc_km=km[arc_agent, arc_slot],
        rank=np.array([URGENCY.index(r.urgency) for r in requests]),
    )
    assignments, unassigned = [], []
    for i, r in enumerate(requests):
        k = chosen[i]
        if k >= 0:
            v = arc_slot[k]
            assignments.append(Assignment(r.id, volunteers[v].id, round(float(km[i, v]), 2)))
        else:
            unassigned.append(_why(r, skilled[i], km[i], usable[i].any(), problem.max_km))
    return Solution(assignments=assignments, unassigned=unassigned)


def _why(r: Request, skilled: np.ndarray, km: np.ndarray, had: bool, max_km: float) -> Unassigned:
    needs = "、".join(r.needs) or "—"
    if not skilled.any():
        return Unassigned(
            r.id,
            "no_skilled_volunteer",
            Explain(
                f"没有志愿者具备所需技能：{needs}",
                f"no volunteer has every needed skill: {', '.join(r.needs)}",
            ),
        )
    if not (skilled & (km <= max_km)).any():
        return Unassigned(
            r.id,
            "none_within_max_km",
            Explain(
                f"{max_km:g} 公里内没有具备所需技能的志愿者",
                f"no volunteer with the needed skills within {max_km:g} km",
            ),
        )
    return Unassigned(
        r.id,
        "all_busy",
        Explain(
            "附近具备技能的志愿者都已满额，已优先安排更紧急或更近的请求"
            if had
            else "附近具备技能的志愿者都已满额",
            "every suitable volunteer nearby is at capacity with more urgent or nearer requests"
            if had
            else "every suitable volunteer nearby is at capacity",
        ),
    )
