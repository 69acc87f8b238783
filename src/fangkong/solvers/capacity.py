"""A mass-testing round: samplers, door-to-door teams, swabs, tubes and suits per area.

Per area: people who come to a sampling point are swabbed by samplers at
``swabs_per_sampler_hour``; the immobile are visited at home by teams at
``home_visits_per_team_hour``; everyone gives one swab; people are pooled ``pool`` to a tube,
never across areas; each sampler and each door-to-door team wears one protective suit per
4-hour shift (samplers work until their area is done).

When ``samplers_available`` is short, samplers go to areas so that the whole round finishes
soonest: a mixed-integer program (HiGHS through scipy) maximises the round's speed z (1 /
finishing hours) with rate * samplers[a] >= mobile[a] * z for every area, whole samplers, at
least one per area with people to swab, and no more than are available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import Field
from scipy.optimize import Bounds, LinearConstraint, milp

from .common import STRICT, Explain, SolverInputError, check_not_empty, check_unique

SHIFT_HOURS = 4
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]


@dataclass(frozen=True)
class Area:
    __pydantic_config__ = STRICT

    id: str
    population: Count
    immobile: Count = 0


@dataclass(frozen=True)
class Problem:
    __pydantic_config__ = STRICT

    areas: list[Area]
    pool: Annotated[int, Field(ge=1, le=100)]
    hours: Positive
    swabs_per_sampler_hour: Positive
    home_visits_per_team_hour: Positive
    samplers_available: Count | None = None


@dataclass(frozen=True)
class AreaPlan:
    id: str
    samplers_needed: int
    teams: int
    swabs: int
    tubes: int
    suits: int
    samplers_assigned: int
    finish_hours: float


@dataclass(frozen=True)
class Totals:
    samplers_needed: int
    teams: int
    swabs: int
    tubes: int
    suits: int
    samplers_assigned: int
    finish_hours: float


@dataclass(frozen=True)
class Solution:
    areas: list[AreaPlan]
    total: Totals
    explain: Explain


def validate(problem: Problem) -> None:
    check_not_empty(problem.areas, "areas")
    check_unique((a.id for a in problem.areas), "areas")
    for i, a in enumerate(problem.areas):
        if a.immobile > a.population:
            raise SolverInputError(
                f"areas[{i}].immobile", f"{a.immobile} immobile exceeds population {a.population}"
            )


def _finish(mobile: int, samplers: int, rate: float) -> float:
    if mobile == 0:
        return 0.0
    return math.inf if samplers == 0 else mobile / (samplers * rate)


def _spread(mobile: np.ndarray, available: int, rate: float) -> np.ndarray:
    """Whole samplers per area that finish the round soonest (MILP over samplers and speed)."""
    n = len(mobile)
    need = mobile > 0
    # variables: samplers per area, then z (areas swabbed per hour, as a fraction of each area)
    c = np.zeros(n + 1)
    c[-1] = -1.0
    rows = np.zeros((n, n + 1))
    rows[np.arange(n), np.arange(n)] = rate
    rows[:, -1] = -mobile
    total = np.zeros(n + 1)
    total[:n] = 1
    result = milp(
        c,
        constraints=[LinearConstraint(rows, lb=0), LinearConstraint(total, ub=available)],
        integrality=np.r_[np.ones(n), 0],
        bounds=Bounds(np.r_[need.astype(float), 0], np.r_[np.full(n, available), np.inf]),
    )
    if result.status != 0:
        raise RuntimeError(f"capacity MILP failed: {result.message}")
    z = float(result.x[-1])
    # the fewest samplers reaching that speed; the rest stay in reserve
    return np.where(need, np.ceil(mobile * z / rate - 1e-9), 0).astype(int)


def solve(problem: Problem) -> Solution:
    validate(problem)
    areas = sorted(problem.areas, key=lambda a: a.id)
    rate = problem.swabs_per_sampler_hour
    shifts = math.ceil(problem.hours / SHIFT_HOURS)
    mobile = np.array([a.population - a.immobile for a in areas])
    needed = np.ceil(mobile / (rate * problem.hours) - 1e-9).astype(int)
    teams = [
        math.ceil(a.immobile / (problem.home_visits_per_team_hour * problem.hours) - 1e-9)
        for a in areas
    ]
    available = problem.samplers_available
    short = available is not None and available < int(needed.sum())
    if short and available is not None:
        if available < int((mobile > 0).sum()):
            raise SolverInputError(
                "samplers_available",
                f"{available} samplers cannot cover {int((mobile > 0).sum())} areas with people "
                "to swab: at least one per area",
            )
        assigned = _spread(mobile, available, rate)
    else:
        assigned = needed
    plans = []
    for i, a in enumerate(areas):
        finish = _finish(int(mobile[i]), int(assigned[i]), rate)
        # samplers work until their area is done (the round's hours when not short)
        sampler_shifts = math.ceil(max(finish, 0) / SHIFT_HOURS - 1e-9) if short else shifts
        plans.append(
            AreaPlan(
                id=a.id,
                samplers_needed=int(needed[i]),
                teams=teams[i],
                swabs=a.population,
                tubes=math.ceil(a.population / problem.pool),
                suits=int(assigned[i]) * sampler_shifts + teams[i] * shifts,
                samplers_assigned=int(assigned[i]),
                finish_hours=round(finish, 2),
            )
        )
    finish = max(p.finish_hours for p in plans)
    total = Totals(
        samplers_needed=sum(p.samplers_needed for p in plans),
        teams=sum(p.teams for p in plans),
        swabs=sum(p.swabs for p in plans),
        tubes=sum(p.tubes for p in plans),
        suits=sum(p.suits for p in plans),
        samplers_assigned=sum(p.samplers_assigned for p in plans),
        finish_hours=finish,
    )
    return Solution(areas=plans, total=total, explain=_explain(problem, total, short))


def _explain(problem: Problem, total: Totals, short: bool) -> Explain:
    if short:
        return Explain(
            f"采样人员只有{problem.samplers_available}人（需要{total.samplers_needed}人），"
            f"按最快完成分配，全部完成约需{total.finish_hours:g}小时",
            f"only {problem.samplers_available} samplers of {total.samplers_needed} needed; "
            f"spread to finish soonest, the round takes about {total.finish_hours:g} hours",
        )
    return Explain(
        f"{total.samplers_needed}名采样人员和{total.teams}个入户小组可在{problem.hours:g}小时内完成",
        f"{total.samplers_needed} samplers and {total.teams} door-to-door teams finish within "
        f"{problem.hours:g} hours",
    )
