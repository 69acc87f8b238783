"""A day's transfer plan: waiting patients to free beds, most urgent first, then nearest.

Compatibility: critical → ICU; severe → ICU or ward; moderate → ward; mild → Fangcang under 65,
else ward; a contact sent to central quarantine → a quarantine room; a patient needing dialysis
(oxygen) only where the facility has it, a parent bringing a child only where children may stay
with a parent; at most ``max_km`` away.
Priority is strict: more severe first; within a severity, longer waiting first; among equal
priority, least total distance (``assign.priority_assign``). A severe patient takes an ICU bed
only when no ward bed is as near.
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
    SolverInputError,
    check_coordinates,
    check_not_empty,
    check_unique,
    great_circle_km,
)

BedType = Literal["icu", "ward", "fangcang", "quarantine"]
BED_TYPES: tuple[BedType, ...] = ("icu", "ward", "fangcang", "quarantine")
# "contact": not ill, a close contact for central quarantine; placed after every patient
SEVERITIES = ("critical", "severe", "moderate", "mild", "contact")
Need = Literal["dialysis", "oxygen", "with_child"]
NEEDS: tuple[Need, ...] = ("dialysis", "oxygen", "with_child")
Count = Annotated[int, Field(ge=0)]


@dataclass(frozen=True)
class Facility:
    __pydantic_config__ = STRICT

    id: str
    lat: float
    lon: float
    beds: dict[BedType, Count]
    dialysis: bool = False
    oxygen: bool = False
    children: bool = False  # a child may stay with their parent

    def has(self, need: str) -> bool:
        return {"dialysis": self.dialysis, "oxygen": self.oxygen, "with_child": self.children}[need]


@dataclass(frozen=True)
class Patient:
    __pydantic_config__ = STRICT

    id: str
    lat: float
    lon: float
    severity: Literal["critical", "severe", "moderate", "mild", "contact"]
    age: Annotated[int, Field(ge=0, le=130)]
    waiting_hours: Annotated[float, Field(ge=0)]
    needs: list[Need] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    __pydantic_config__ = STRICT

    facilities: list[Facility]
    patients: list[Patient]
    max_km: Annotated[float, Field(gt=0)]


@dataclass(frozen=True)
class Assignment:
    patient: str
    facility: str
    bed: str
    km: float


@dataclass(frozen=True)
class Unplaced:
    patient: str
    reason: str  # no_compatible_bed | none_within_max_km | needs_dialysis (_oxygen, _with_child)
    explain: Explain


@dataclass(frozen=True)
class Solution:
    assignments: list[Assignment]
    unplaced: list[Unplaced]


def compatible_beds(severity: str, age: int) -> tuple[str, ...]:
    if severity == "contact":
        return ("quarantine",)
    if severity == "critical":
        return ("icu",)
    if severity == "severe":
        return ("icu", "ward")
    if severity == "moderate":
        return ("ward",)
    return ("fangcang",) if age < 65 else ("ward",)


def validate(problem: Problem) -> None:
    check_not_empty(problem.facilities, "facilities")
    check_not_empty(problem.patients, "patients")
    check_unique((f.id for f in problem.facilities), "facilities")
    check_unique((p.id for p in problem.patients), "patients")
    check_coordinates(((f.lat, f.lon) for f in problem.facilities), "facilities")
    check_coordinates(((p.lat, p.lon) for p in problem.patients), "patients")
    for i, p in enumerate(problem.patients):
        if len(set(p.needs)) != len(p.needs):
            raise SolverInputError(f"patients[{i}].needs", "a need is listed twice")


def solve(problem: Problem) -> Solution:
    validate(problem)
    facilities = sorted(problem.facilities, key=lambda f: f.id)
    patients = sorted(problem.patients, key=lambda p: p.id)
    km = great_circle_km(
        np.array([p.lat for p in patients])[:, None],
        np.array([p.lon for p in patients])[:, None],
        np.array([f.lat for f in facilities])[None, :],
        np.array([f.lon for f in facilities])[None, :],
    )
    near = km <= problem.max_km
    dialysis_ok = np.ones((len(patients), len(facilities)), dtype=bool)  # every need met
    for need in NEEDS:
        has_it = np.array([f.has(need) for f in facilities])
        needs_it = np.array([need in p.needs for p in patients])
        dialysis_ok &= ~needs_it[:, None] | has_it[None, :]

    capacity: list[int] = []
    slot_facility: list[int] = []
    slot_type: list[str] = []
    agent_parts, slot_parts, penalty_parts = [], [], []
    compatible_exists = np.zeros(len(patients), dtype=bool)  # a bed type anywhere, any distance
    within_reach = np.zeros(len(patients), dtype=bool)  # …and near enough
    for t in BED_TYPES:
        wants = np.array([t in compatible_beds(p.severity, p.age) for p in patients])
        beds = np.array([f.beds.get(t, 0) for f in facilities])
        has = beds > 0
        base = len(capacity)
        capacity.extend(beds[has])
        slot_facility.extend(np.flatnonzero(has))
        slot_type.extend([t] * int(has.sum()))
        ok = wants[:, None] & has[None, :]
        compatible_exists |= ok.any(axis=1)
        within_reach |= (ok & near).any(axis=1)
        a, f = np.nonzero(ok & near & dialysis_ok)
        slot_index = np.cumsum(has) - 1
        agent_parts.append(a)
        slot_parts.append(base + slot_index[f])
        severe_in_icu = t == "icu"
        penalty_parts.append(
            np.where(np.array([p.severity == "severe" for p in patients])[a] & severe_in_icu, 1, 0)
        )
    arc_agent = np.concatenate(agent_parts)
    arc_slot = np.concatenate(slot_parts).astype(np.int64)
    slot_fac = np.array(slot_facility, dtype=np.int64)
    arc_km = km[arc_agent, slot_fac[arc_slot]] if len(arc_agent) else np.zeros(0)
    severity_rank = np.array([SEVERITIES.index(p.severity) for p in patients])
    waiting = np.array([p.waiting_hours for p in patients])
    # dense rank of (severity, -waiting): equal only when both are equal
    order = np.lexsort((-waiting, severity_rank))
    keys = list(zip(severity_rank[order], -waiting[order], strict=True))
    rank = np.empty(len(patients), dtype=np.int64)
    r = -1
    for i, k in enumerate(keys):
        if i == 0 or k != keys[i - 1]:
            r += 1
        rank[order[i]] = r
    chosen = priority_assign(
        n_agents=len(patients),
        capacity=np.array(capacity, dtype=np.int64),
        arc_agent=arc_agent,
        arc_slot=arc_slot,
        arc_km=arc_km,
        rank=rank,
        arc_penalty=np.concatenate(penalty_parts),
    )
    has_arc = np.zeros(len(patients), dtype=bool)
    has_arc[arc_agent] = True
    assignments, unplaced = [], []
    for i, p in enumerate(patients):
        k = chosen[i]
        if k >= 0:
            s = arc_slot[k]
            assignments.append(
                Assignment(
                    p.id, facilities[slot_fac[s]].id, slot_type[s], round(float(arc_km[k]), 2)
                )
            )
        else:
            unplaced.append(_why(p, compatible_exists[i], within_reach[i], has_arc[i], problem))
    return Solution(assignments=assignments, unplaced=unplaced)


BED_ZH = {"icu": "重症监护", "ward": "普通病房", "fangcang": "方舱", "quarantine": "隔离房间"}
NEED_ZH = {"dialysis": "透析", "oxygen": "吸氧", "with_child": "儿童随同家长"}
NEED_EN = {"dialysis": "dialysis", "oxygen": "oxygen", "with_child": "a child staying with them"}


def _why(p: Patient, exists: bool, reachable: bool, had_arc: bool, problem: Problem) -> Unplaced:
    types = compatible_beds(p.severity, p.age)
    beds = "/".join(types)
    beds_zh = "或".join(BED_ZH[t] for t in types)
    if had_arc:
        return Unplaced(
            p.id,
            "no_compatible_bed",
            Explain(
                f"没有空余的{beds_zh}床位：已全部安排给更紧急或更近的患者",
                f"no compatible bed free ({beds}): all went to more urgent or nearer patients",
            ),
        )
    if not exists:
        return Unplaced(
            p.id,
            "no_compatible_bed",
            Explain(f"没有空余的{beds_zh}床位", f"no compatible bed free ({beds})"),
        )
    if not reachable:
        return Unplaced(
            p.id,
            "none_within_max_km",
            Explain(
                f"{problem.max_km:g} 公里内没有空余的{beds_zh}床位",
                f"no free {beds} bed within {problem.max_km:g} km",
            ),
        )
    need = next(n for n in NEEDS if n in p.needs)  # the first unmet one, dialysis first
    zh, en = NEED_ZH[need], NEED_EN[need]
    return Unplaced(
        p.id,
        f"needs_{need}",
        Explain(
            f"需要{zh}：{problem.max_km:g} 公里内有{zh}条件的机构没有空余的{beds_zh}床位",
            f"needs {en}: no facility with {en} has a free {beds} bed within {problem.max_km:g} km",
        ),
    )
