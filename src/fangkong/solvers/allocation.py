"""Scarce items to requests: strict priority tiers, max-min fair within a tier, substitutes, packs.

Model (per connected group of items, tier by tier, with HiGHS, warm-started between steps):
    x[r, j] >= 0   units of item j given to request r (its own item, or a listed substitute)
    fill[r] = sum_j x[r, j] / per_unit[r, j]          (in the units the request asked for)
    sum_r x[r, j] <= stock[j];  fill[r] <= qty[r]
    maximise t such that fill[r] >= t * qty[r] for every request r of the tier not yet fixed,
    keeping every request already fixed at its level; requests whose constraint has a positive
    dual price cannot rise above t and are fixed there; repeat until the tier is fixed, then the
    next tier. A last LP keeps every level and uses as few substitute units as possible.
Items with a ``pack`` are then given in whole packs: each share rounds down, and the freed packs
go one at a time to the request of the highest tier, then the lowest fill, that can take one.
"""

from __future__ import annotations

import heapq
import math
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from pydantic import Field

from .common import STRICT, Explain, SolverInputError, check_not_empty, check_unique

EPS = 1e-7
# A fixed level is a lower bound with a hair of slack (absolute, and relative to the quantity);
# HiGHS meets rows to 1e-7, so a model made only of met levels can still be judged infeasible
# by a few 1e-7: it is then solved again with looser feasibility tolerances.
SLACK_ABS, SLACK_REL = 1e-7, 1e-9
TOLERANCES = (1e-7, 1e-6, 1e-5)
_BANNER_LOCK = threading.Lock()
NonNegative = Annotated[float, Field(ge=0)]


@dataclass(frozen=True)
class Item:
    __pydantic_config__ = STRICT

    id: str
    stock: NonNegative
    pack: Annotated[int, Field(ge=1)] | None = None


@dataclass(frozen=True)
class Substitute:
    __pydantic_config__ = STRICT

    requested: str
    may_receive: str
    per_unit: Annotated[float, Field(gt=0)] = 1.0


@dataclass(frozen=True)
class Request:
    __pydantic_config__ = STRICT

    id: str
    unit: str
    item: str
    qty: NonNegative
    tier: Annotated[int, Field(ge=1)]


@dataclass(frozen=True)
class Problem:
    __pydantic_config__ = STRICT

    items: list[Item]
    requests: list[Request]
    substitutes: list[Substitute] = field(default_factory=list)


@dataclass(frozen=True)
class Allocation:
    request: str
    item: str
    qty: float


@dataclass(frozen=True)
class RequestFill:
    id: str
    filled: float
    fill_ratio: float


@dataclass(frozen=True)
class TierFill:
    tier: int
    requested: float
    filled: float
    explain: Explain


@dataclass(frozen=True)
class Solution:
    allocations: list[Allocation]
    requests: list[RequestFill]
    tiers: list[TierFill]
    leftover: dict[str, float]


@dataclass
class _Pair:
    request: int  # index into requests
    item: int  # index into items
    per_unit: float  # units of the item per unit requested
    own: bool  # the item the request asked for (not a substitute)


def validate(problem: Problem) -> None:
    check_not_empty(problem.items, "items")
    check_not_empty(problem.requests, "requests")
    check_unique((i.id for i in problem.items), "items")
    check_unique((r.id for r in problem.requests), "requests")
    known = {i.id for i in problem.items}
    for n, r in enumerate(problem.requests):
        if r.item not in known:
            raise SolverInputError(f"requests[{n}].item", f"unknown item {r.item!r}")
    seen = set()
    for n, s in enumerate(problem.substitutes):
        for attr in ("requested", "may_receive"):
            if getattr(s, attr) not in known:
                raise SolverInputError(
                    f"substitutes[{n}].{attr}", f"unknown item {getattr(s, attr)!r}"
                )
        if s.requested == s.may_receive:
            raise SolverInputError(f"substitutes[{n}]", "an item cannot substitute itself")
        if (s.requested, s.may_receive) in seen:
            raise SolverInputError(f"substitutes[{n}]", "duplicate substitute")
        seen.add((s.requested, s.may_receive))


def _pairs(items: list[Item], requests: list[Request], subs: list[Substitute]) -> list[_Pair]:
    index = {it.id: j for j, it in enumerate(items)}
    alternatives: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for s in sorted(subs, key=lambda s: (s.requested, s.may_receive)):
        alternatives[s.requested].append((index[s.may_receive], s.per_unit))
    pairs = []
    for r, req in enumerate(requests):
        if req.qty <= 0:
            continue
        pairs.append(_Pair(r, index[req.item], 1.0, own=True))
        pairs.extend(_Pair(r, j, per, own=False) for j, per in alternatives[req.item])
    return pairs


def _components(n_items: int, pairs: list[_Pair]) -> list[list[int]]:
    """Groups of pair indices that share no item with another group (solved apart)."""
    parent = list(range(n_items))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    first_item: dict[int, int] = {}
    for p in pairs:
        if p.request in first_item:
            parent[find(p.item)] = find(first_item[p.request])
        else:
            first_item[p.request] = p.item
    groups: dict[int, list[int]] = defaultdict(list)
    for k, p in enumerate(pairs):
        groups[find(p.item)].append(k)
    return [groups[g] for g in sorted(groups)]


def _new_highs():
    """A silent HiGHS instance (its constructor prints a banner to standard output)."""
    import os

    import highspy

    with _BANNER_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


class _Component:
    """One group of items as one HiGHS model, re-solved from its last basis at every step.

    Columns: x per pair, then t. Rows: stock per item; fill <= qty per request; and a level row
    per request, ``fill - qty * t >= 0`` while its tier is being raised, ``fill >= level * qty``
    once fixed, free before its tier comes.
    """

    def __init__(self, pairs: list[_Pair], requests: list[Request], items: list[Item]):
        import highspy

        self.inf = highspy.kHighsInf
        self.pairs = pairs
        self.items = sorted({p.item for p in pairs})
        self.reqs = sorted({p.request for p in pairs})
        self.requests = requests
        self.qty = np.array([requests[r].qty for r in self.reqs], dtype=float)
        self.level = np.full(len(self.reqs), np.nan)  # fixed fill ratio per request
        self.pair_tier = np.array([requests[p.request].tier for p in pairs])
        n, n_items, n_reqs = len(pairs), len(self.items), len(self.reqs)
        self.t = n
        self.first_level_row = n_items + n_reqs
        row_of_item = {j: i for i, j in enumerate(self.items)}
        row_of_req = {r: i for i, r in enumerate(self.reqs)}
        rows: list[list[tuple[int, float]]] = [[] for _ in range(n_items + 2 * n_reqs)]
        for k, p in enumerate(pairs):
            rows[row_of_item[p.item]].append((k, 1.0))
            rows[n_items + row_of_req[p.request]].append((k, 1.0 / p.per_unit))
            rows[self.first_level_row + row_of_req[p.request]].append((k, 1.0 / p.per_unit))
        for i in range(n_reqs):  # the t column, zero until the request's tier is raised
            rows[self.first_level_row + i].append((self.t, 0.0))
        h = self.h = _new_highs()
        h.addVars(n + 1, np.zeros(n + 1), np.zeros(n + 1))
        h.changeColBounds(self.t, 0.0, 1.0)
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
        index = np.array([c for r in rows for c, _v in r], dtype=np.int32)
        value = np.array([v for r in rows for _c, v in r], dtype=float)
        stock = np.array([items[j].stock for j in self.items], dtype=float)
        lower = np.r_[np.full(n_items + n_reqs, -self.inf), np.full(n_reqs, -self.inf)]
        upper = np.r_[stock, self.qty, np.full(n_reqs, self.inf)]
        h.addRows(len(rows), lower, upper, len(index), starts, index, value)
        h.changeColCost(self.t, 1.0)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def _run(self):
        import highspy

        for tolerance in TOLERANCES:
            self.h.setOptionValue("primal_feasibility_tolerance", tolerance)
            self.h.run()
            if self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                return self.h.getSolution()
            self.h.clearSolver()
        raise RuntimeError(f"allocation LP failed: {self.h.getModelStatus()}")

    def _fix(self, i: int, level: float) -> None:
        self.level[i] = level
        row = self.first_level_row + i
        q = self.qty[i]
        self.h.changeCoeff(row, self.t, 0.0)
        # with a hair of slack against the solver's round-off
        self.h.changeRowBounds(row, level * q - SLACK_ABS - SLACK_REL * q, self.inf)

    def fill_tier(self, members: list[int], tier: int) -> None:
        """Raise the lowest fill ratio among ``members`` (request rows) as far as it goes, then
        the next: requests whose level row has a non-zero dual cannot rise above t."""
        cols = np.flatnonzero(self.pair_tier == tier).astype(np.int32)
        if len(cols):
            self.h.changeColsBounds(
                len(cols), cols, np.zeros(len(cols)), np.full(len(cols), self.inf)
            )
        for i in members:
            row = self.first_level_row + i
            self.h.changeCoeff(row, self.t, -self.qty[i])
            self.h.changeRowBounds(row, 0.0, self.inf)
        active = list(members)
        while active:
            solution = self._run()
            t = min(float(solution.col_value[self.t]), 1.0)
            duals = np.abs(np.array(solution.row_dual)[[self.first_level_row + i for i in active]])
            if t >= 1 - EPS:
                blocked = set(active)
            else:
                blocked = {i for i, d in zip(active, duals, strict=True) if d > EPS} or set(active)
            for i in blocked:
                self._fix(i, t)
            active = [i for i in active if i not in blocked]

    def final(self) -> np.ndarray:
        """Every level kept; the fewest substitute units (own items first)."""
        import highspy

        h = self.h
        h.changeColBounds(self.t, 0.0, 0.0)
        h.changeColCost(self.t, 0.0)
        # substitutes cost their requested-unit equivalent; a small reward for every unit
        # filled, larger for higher tiers, keeps each request at the top of its level rather
        # than at the bottom of the slack
        tiers = self.pair_tier.astype(float)
        reward = 1e-4 * (1 + tiers.max() - tiers) / tiers.max()
        per = np.array([1.0 / p.per_unit for p in self.pairs])
        cost = np.where([p.own for p in self.pairs], 0.0, per) - reward * per
        n = len(self.pairs)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        x = np.array(self._run().col_value[:n])
        return np.maximum(x, 0.0)


def solve(problem: Problem) -> Solution:
    validate(problem)
    items = sorted(problem.items, key=lambda i: i.id)
    requests = sorted(problem.requests, key=lambda r: (r.tier, r.id))
    pairs = _pairs(items, requests, problem.substitutes)
    x = np.zeros(len(pairs))
    for group in _components(len(items), pairs):
        comp = _Component([pairs[k] for k in group], requests, items)
        for tier in sorted({requests[r].tier for r in comp.reqs}):
            comp.fill_tier([i for i, r in enumerate(comp.reqs) if requests[r].tier == tier], tier)
        x[group] = comp.final()
    x = _whole_packs(x, pairs, items, requests)
    return _solution(x, pairs, items, requests)


def _round(x, pairs, items, requests) -> np.ndarray:
    """Packed items down to whole packs; the rest to 0.0001, never past a stock or a request."""
    x = x.copy()
    for k, p in enumerate(pairs):
        pack = items[p.item].pack
        x[k] = math.floor(x[k] / pack + EPS) * pack if pack else round(x[k], 4)
    # rounding up by half a ten-thousandth may pass a stock or a request: take it back
    for key, limit, scale in (
        (lambda p: ("item", p.item), lambda p: items[p.item].stock, lambda p: 1.0),
        (
            lambda p: ("request", p.request),
            lambda p: requests[p.request].qty,
            lambda p: 1.0 / p.per_unit,
        ),
    ):
        groups: dict[tuple, list[int]] = defaultdict(list)
        for k, p in enumerate(pairs):
            groups[key(p)].append(k)
        for ks in groups.values():
            total = sum(x[k] * scale(pairs[k]) for k in ks)
            excess = total - limit(pairs[ks[0]])
            if excess > 0:
                loose = [j for j in ks if not items[pairs[j].item].pack]
                if loose:
                    j = max(loose, key=lambda j: x[j])
                    x[j] = max(0.0, x[j] - math.ceil(excess / scale(pairs[j]) * 1e4) / 1e4)
    return x


def _whole_packs(x, pairs, items, requests) -> np.ndarray:
    """Round, then hand the packs freed by rounding down out by tier and fill."""
    x = _round(x, pairs, items, requests)
    filled = np.zeros(len(requests))
    for k, p in enumerate(pairs):
        filled[p.request] += x[k] / p.per_unit
    left = np.array([it.stock for it in items], dtype=float)
    for k, p in enumerate(pairs):
        left[p.item] -= x[k]
    heap: list[tuple] = []
    for k, p in enumerate(pairs):
        if items[p.item].pack:
            heapq.heappush(heap, _pack_key(k, p, filled, requests))
    while heap:
        key = heapq.heappop(heap)
        k = key[-1]
        p = pairs[k]
        pack = items[p.item].pack
        r = requests[p.request]
        fits = filled[p.request] + pack / p.per_unit <= r.qty + EPS
        if not fits or left[p.item] + EPS < pack:
            continue
        if key[:3] != _pack_key(k, p, filled, requests)[:3]:  # stale: fill changed
            heapq.heappush(heap, _pack_key(k, p, filled, requests))
            continue
        x[k] += pack
        left[p.item] -= pack
        filled[p.request] += pack / p.per_unit
        heapq.heappush(heap, _pack_key(k, p, filled, requests))
    return x


def _pack_key(k, p, filled, requests):
    r = requests[p.request]
    return (r.tier, filled[p.request] / r.qty, r.id, k)


def _fmt(q: float) -> str:
    return f"{q:,.0f}" if abs(q - round(q)) < 1e-6 else f"{q:,.2f}"


def _solution(x, pairs, items, requests) -> Solution:
    filled = np.zeros(len(requests))
    used = np.zeros(len(items))
    allocations = []
    for k, p in enumerate(pairs):
        if x[k] > EPS:
            allocations.append(Allocation(requests[p.request].id, items[p.item].id, _num(x[k])))
            filled[p.request] += x[k] / p.per_unit
            used[p.item] += x[k]
    fills = []
    for r, req in enumerate(requests):
        ratio = 1.0 if req.qty <= 0 else min(1.0, filled[r] / req.qty)
        fills.append(RequestFill(req.id, _num(filled[r]), round(float(ratio), 6)))
    leftover = {it.id: _num(it.stock - used[j]) for j, it in enumerate(items)}
    tiers = _tiers(requests, filled, items, pairs, x)
    return Solution(
        allocations=sorted(allocations, key=lambda a: (a.request, a.item)),
        requests=sorted(fills, key=lambda f: f.id),
        tiers=tiers,
        leftover=leftover,
    )


def _num(v: float) -> float:
    v = round(float(v), 4)
    return float(int(v)) if v == int(v) else v


def _tiers(requests, filled, items, pairs, x) -> list[TierFill]:
    out = []
    by_tier: dict[int, list[int]] = defaultdict(list)
    for r, req in enumerate(requests):
        by_tier[req.tier].append(r)
    taken_before = np.zeros(len(items))  # units of each item given to higher tiers
    for tier in sorted(by_tier):
        members = by_tier[tier]
        asked = sum(requests[r].qty for r in members)
        got = float(sum(filled[r] for r in members))
        share = 1.0 if asked <= 0 else got / asked
        member_set = set(members)
        wanted = sorted({p.item for p in pairs if p.request in member_set})
        out.append(
            TierFill(
                tier,
                _num(asked),
                _num(got),
                _explain_tier(tier, share, wanted, items, taken_before),
            )
        )
        for k, p in enumerate(pairs):
            if requests[p.request].tier == tier:
                taken_before[p.item] += x[k]
    return out


EXPLAIN_ITEMS = 3  # an explanation names at most this many items


def _explain_tier(tier, share, wanted, items, taken_before) -> Explain:
    pct = f"{share * 100:.0f} %"
    if share >= 1 - EPS:
        return Explain(f"第{tier}级需求全部满足", f"tier {tier} filled completely")
    before = sorted(
        ((items[j], taken_before[j]) for j in wanted if taken_before[j] >= 0.5),
        key=lambda it_t: -it_t[1] / max(it_t[0].stock, 1e-9),
    )
    more = len(before) - EXPLAIN_ITEMS
    before = before[:EXPLAIN_ITEMS]
    if tier > 1 and before:
        zh = "、".join(f"{it.id} {_fmt(t)}件（共{_fmt(it.stock)}件）" for it, t in before)
        en = ", ".join(f"{_fmt(t)} of {_fmt(it.stock)} {it.id}" for it, t in before)
        if more > 0:
            zh += f"等{more + EXPLAIN_ITEMS}种物资"
            en += f" and {more} more items"
        return Explain(
            f"第{tier}级满足{pct}：更高优先级已用去{zh}",
            f"tier {tier} filled to {pct} because higher tiers took {en}",
        )
    shown = wanted[:EXPLAIN_ITEMS]
    stock = "、".join(f"{items[j].id} {_fmt(items[j].stock)}件" for j in shown)
    stock_en = ", ".join(f"{_fmt(items[j].stock)} {items[j].id}" for j in shown)
    if len(wanted) > EXPLAIN_ITEMS:
        stock += f"等{len(wanted)}种物资"
        stock_en += f" and {len(wanted) - EXPLAIN_ITEMS} more items"
    return Explain(
        f"第{tier}级满足{pct}：库存只有{stock}，按相同比例分配",
        f"tier {tier} filled to {pct}: only {stock_en} in stock, shared at equal fill ratios",
    )
