"""Scarce items to requests: strict priority tiers, max-min fair within a tier, substitutes, packs.

Model (per connected group of items, tier by tier, with HiGHS through scipy):
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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from pydantic import Field
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from .common import STRICT, Explain, SolverInputError, check_not_empty, check_unique

EPS = 1e-7
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


class _Component:
    """The LPs of one group of items: levels tier by tier, then the fewest substitutes."""

    def __init__(self, pairs: list[_Pair], requests: list[Request], items: list[Item]):
        self.pairs = pairs
        self.items = sorted({p.item for p in pairs})
        self.reqs = sorted({p.request for p in pairs})
        self.requests = requests
        self.stock = np.array([items[j].stock for j in self.items], dtype=float)
        self.qty = np.array([requests[r].qty for r in self.reqs], dtype=float)
        row_of_item = {j: i for i, j in enumerate(self.items)}
        self.row_of_req = {r: i for i, r in enumerate(self.reqs)}
        n = len(pairs)
        cols = np.arange(n)
        # stock: sum of x over an item's pairs
        self.S = coo_matrix(
            (np.ones(n), ([row_of_item[p.item] for p in pairs], cols)),
            shape=(len(self.items), n),
        ).tocsr()
        # fill: x / per_unit summed over a request's pairs
        self.F = coo_matrix(
            (
                [1.0 / p.per_unit for p in pairs],
                ([self.row_of_req[p.request] for p in pairs], cols),
            ),
            shape=(len(self.reqs), n),
        ).tocsr()
        self.level = np.full(len(self.reqs), np.nan)  # fixed fill ratio per request

    def _fixed_rows(self):
        fixed = np.flatnonzero(~np.isnan(self.level))
        # -fill <= -(level * qty), with a hair of slack against the solver's round-off
        q = self.qty[fixed]
        return -self.F[fixed], -(self.level[fixed] * q) + 1e-7 + 1e-9 * q

    def fill_tier(self, members: list[int]) -> None:
        """Raise the lowest fill ratio among ``members`` (row indices) as far as it goes, …"""
        from scipy.sparse import hstack, vstack

        active = list(members)
        n = len(self.pairs)
        while active:
            a = np.array(active)
            fixed_a, fixed_b = self._fixed_rows()
            zero = np.zeros((len(self.items), 1))
            # rows: stock, fill <= qty, fixed levels, t*qty - fill <= 0 (active)
            A = vstack(
                [
                    hstack([self.S, zero]),
                    hstack([self.F, np.zeros((len(self.reqs), 1))]),
                    hstack([fixed_a, np.zeros((fixed_a.shape[0], 1))]),
                    hstack([-self.F[a], self.qty[a][:, None]]),
                ]
            ).tocsr()
            b = np.concatenate([self.stock, self.qty, fixed_b, np.zeros(len(a))])
            c = np.zeros(n + 1)
            c[-1] = -1.0
            bounds = [(0, None)] * n + [(0, 1)]
            res = linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs")
            if res.status != 0:
                raise RuntimeError(f"allocation LP failed: {res.message}")
            t = float(res.x[-1])
            duals = -res.ineqlin.marginals[-len(a) :]
            if t >= 1 - EPS:
                blocked = active
            else:
                blocked = [r for r, d in zip(active, duals, strict=True) if d > EPS] or active
            for r in blocked:
                self.level[r] = min(t, 1.0)
            active = [r for r in active if r not in set(blocked)]

    def final(self) -> np.ndarray:
        """Every level kept; the fewest substitute units (own items first)."""
        from scipy.sparse import vstack

        fixed_a, fixed_b = self._fixed_rows()
        A = vstack([self.S, self.F, fixed_a]).tocsr()
        b = np.concatenate([self.stock, self.qty, fixed_b])
        # substitutes cost their requested-unit equivalent; a small reward for every unit
        # filled, larger for higher tiers, keeps each request at the top of its level rather
        # than at the bottom of the slack
        tiers = np.array([self.requests[p.request].tier for p in self.pairs], dtype=float)
        reward = 1e-4 * (1 + tiers.max() - tiers) / tiers.max()
        c = np.array([0.0 if p.own else 1.0 / p.per_unit for p in self.pairs])
        c = c - reward * np.array([1.0 / p.per_unit for p in self.pairs])
        res = linprog(c, A_ub=A, b_ub=b, bounds=[(0, None)] * len(self.pairs), method="highs")
        if res.status != 0:
            raise RuntimeError(f"allocation LP failed: {res.message}")
        return np.maximum(res.x, 0.0)


def solve(problem: Problem) -> Solution:
    validate(problem)
    items = sorted(problem.items, key=lambda i: i.id)
    requests = sorted(problem.requests, key=lambda r: (r.tier, r.id))
    pairs = _pairs(items, requests, problem.substitutes)
    x = np.zeros(len(pairs))
    for group in _components(len(items), pairs):
        comp = _Component([pairs[k] for k in group], requests, items)
        for tier in sorted({requests[r].tier for r in comp.reqs}):
            comp.fill_tier([i for i, r in enumerate(comp.reqs) if requests[r].tier == tier])
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
        wanted = sorted({p.item for p in pairs if p.request in set(members)})
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


def _explain_tier(tier, share, wanted, items, taken_before) -> Explain:
    pct = f"{share * 100:.0f} %"
    if share >= 1 - EPS:
        return Explain(f"第{tier}级需求全部满足", f"tier {tier} filled completely")
    before = [(items[j], taken_before[j]) for j in wanted if taken_before[j] > EPS]
    if tier > 1 and before:
        zh = "；".join(
            f"更高优先级已用去{it.id} {_fmt(t)}件（共{_fmt(it.stock)}件）" for it, t in before
        )
        en = "; ".join(
            f"higher tiers took {_fmt(t)} of {_fmt(it.stock)} {it.id}" for it, t in before
        )
        return Explain(f"第{tier}级满足{pct}：{zh}", f"tier {tier} filled to {pct} because {en}")
    stock = "、".join(f"{items[j].id} {_fmt(items[j].stock)}件" for j in wanted)
    stock_en = ", ".join(f"{_fmt(items[j].stock)} {items[j].id}" for j in wanted)
    return Explain(
        f"第{tier}级满足{pct}：库存只有{stock}，按相同比例分配",
        f"tier {tier} filled to {pct}: only {stock_en} in stock, shared at equal fill ratios",
    )
