"""Allocation of scarce items: hand-checked cases for each rule, then properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from fangkong.solvers.allocation import Item, Problem, Request, Substitute, solve
from fangkong.solvers.common import SolverInputError


def fills(solution):
    return {r.id: r.filled for r in solution.requests}


def given_items(solution):
    out = {}
    for a in solution.allocations:
        out[(a.request, a.item)] = out.get((a.request, a.item), 0) + a.qty
    return out


def test_tiers_are_strict_and_explained():
    s = solve(
        Problem(
            items=[Item("N95", 8000)],
            requests=[
                Request("icu", "医院", "N95", 6000, 1),
                Request("clinic", "社区", "N95", 3000, 2),
                Request("school", "学校", "N95", 2000, 2),
            ],
        )
    )
    assert fills(s) == {"icu": 6000, "clinic": 1200, "school": 800}
    tier2 = s.tiers[1]
    assert (tier2.requested, tier2.filled) == (5000, 2000)
    assert tier2.explain.en == "tier 2 filled to 40 % because higher tiers took 6,000 of 8,000 N95"
    assert "第2级满足40 %" in tier2.explain.zh
    assert s.leftover == {"N95": 0}


def test_equal_needs_get_equal_shares_and_unequal_needs_equal_ratios():
    s = solve(
        Problem(
            items=[Item("rice", 90)],
            requests=[
                Request("a", "u", "rice", 60, 1),
                Request("b", "u", "rice", 60, 1),
                Request("c", "u", "rice", 30, 1),
            ],
        )
    )
    assert fills(s) == {"a": 36, "b": 36, "c": 18}
    assert {r.fill_ratio for r in s.requests} == {0.6}


def test_the_lowest_fill_rises_first_then_the_next():
    # a can only use X (10 of 100 wanted); b asks for W, of which there is none, and may take
    # X or Y instead. Max-min: a takes all X, b fills from Y — b must not take X and leave a
    # lower.
    s = solve(
        Problem(
            items=[Item("X", 10), Item("Y", 100), Item("W", 0)],
            substitutes=[Substitute("W", "X"), Substitute("W", "Y")],
            requests=[Request("a", "u", "X", 100, 1), Request("b", "u", "W", 100, 1)],
        )
    )
    assert given_items(s) == {("a", "X"): 10, ("b", "Y"): 100}


def test_a_request_may_be_filled_by_a_substitute_at_its_rate():
    s = solve(
        Problem(
            items=[Item("N95", 0), Item("KN95", 30)],
            substitutes=[Substitute("N95", "KN95", per_unit=2)],
            requests=[Request("a", "u", "N95", 10, 1)],
        )
    )
    assert given_items(s) == {("a", "KN95"): 20}
    assert fills(s) == {"a": 10}
    assert s.leftover == {"KN95": 10, "N95": 0}


def test_own_items_go_first_substitutes_only_when_needed():
    s = solve(
        Problem(
            items=[Item("N95", 10), Item("KN95", 10)],
            substitutes=[Substitute("N95", "KN95")],
            requests=[Request("a", "u", "N95", 12, 1)],
        )
    )
    assert given_items(s) == {("a", "N95"): 10, ("a", "KN95"): 2}


def test_substitutes_do_not_chain():
    s = solve(
        Problem(
            items=[Item("A", 0), Item("B", 0), Item("C", 50)],
            substitutes=[Substitute("A", "B"), Substitute("B", "C")],
            requests=[Request("r", "u", "A", 10, 1)],
        )
    )
    assert fills(s) == {"r": 0}


def test_whole_packs_never_exceed_stock_or_requests():
    s = solve(
        Problem(
            items=[Item("N95", 100, pack=20), Item("KN95", 50)],
            substitutes=[Substitute("N95", "KN95")],
            requests=[
                Request("a", "u", "N95", 90, 1),
                Request("b", "u", "N95", 90, 1),
                Request("c", "u", "N95", 30, 2),
            ],
        )
    )
    # 150 units for 180 asked: a takes 4 packs, b 1 pack and all 50 KN95: the best whole-pack
    # split (the other, 3 packs and 2 packs, leaves a at 60/90)
    assert given_items(s) == {("a", "N95"): 80, ("b", "N95"): 20, ("b", "KN95"): 50}
    assert all(a.qty % 20 == 0 for a in s.allocations if a.item == "N95")
    assert fills(s)["c"] == 0


def test_a_pack_larger_than_what_is_left_to_fill_is_not_given():
    s = solve(Problem(items=[Item("gas", 10, pack=4)], requests=[Request("a", "u", "gas", 6, 1)]))
    assert fills(s) == {"a": 4}
    assert s.leftover == {"gas": 6}


def test_a_request_for_nothing_is_filled():
    s = solve(Problem(items=[Item("x", 5)], requests=[Request("a", "u", "x", 0, 1)]))
    assert s.requests[0].fill_ratio == 1.0 and s.allocations == []


@pytest.mark.parametrize(
    ("problem", "where"),
    [
        (Problem(items=[], requests=[Request("a", "u", "x", 1, 1)]), "items"),
        (
            Problem(items=[Item("x", 1)], requests=[Request("a", "u", "y", 1, 1)]),
            "requests[0].item",
        ),
        (
            Problem(items=[Item("x", 1), Item("x", 2)], requests=[Request("a", "u", "x", 1, 1)]),
            "items[1].id",
        ),
        (
            Problem(
                items=[Item("x", 1)],
                requests=[Request("a", "u", "x", 1, 1)],
                substitutes=[Substitute("x", "z")],
            ),
            "substitutes[0].may_receive",
        ),
    ],
)
def test_bad_problems_name_the_offending_entry(problem, where):
    with pytest.raises(SolverInputError) as err:
        solve(problem)
    assert err.value.where == where


# --- properties -----------------------------------------------------------------------------

ITEMS = ["A", "B", "C"]


@st.composite
def problems(draw, packs=False):
    items = [
        Item(
            i,
            draw(st.integers(0, 60)),
            pack=draw(st.sampled_from([None, 1, 5, 10])) if packs else None,
        )
        for i in ITEMS
    ]
    subs = [
        Substitute(a, b, per_unit=draw(st.sampled_from([1.0, 2.0, 0.5])))
        for a in ITEMS
        for b in ITEMS
        if a != b and draw(st.booleans())
    ]
    n = draw(st.integers(1, 6))
    requests = [
        Request(
            f"r{k}",
            "u",
            draw(st.sampled_from(ITEMS)),
            draw(st.integers(0, 40)),
            draw(st.integers(1, 3)),
        )
        for k in range(n)
    ]
    return Problem(items=items, requests=requests, substitutes=subs)


def usable(problem, request):
    rates = {request.item: 1.0}
    for s in problem.substitutes:
        if s.requested == request.item:
            rates[s.may_receive] = s.per_unit
    return rates


def check_feasible(problem, s):
    stock = {i.id: i.stock for i in problem.items}
    for a in s.allocations:
        stock[a.item] -= a.qty
    assert all(v >= -1e-6 for v in stock.values())
    by_id = {r.id: r for r in problem.requests}
    for a in s.allocations:
        assert a.item in usable(problem, by_id[a.request])
    for r in s.requests:
        assert r.filled <= by_id[r.id].qty + 1e-6


@settings(max_examples=60, deadline=None)
@given(problems())
def test_never_more_than_stock_or_asked_and_only_usable_items(problem):
    check_feasible(problem, solve(problem))


@settings(max_examples=60, deadline=None)
@given(problems(packs=True))
def test_whole_packs_stay_feasible(problem):
    s = solve(problem)
    check_feasible(problem, s)
    packs = {i.id: i.pack for i in problem.items}
    for a in s.allocations:
        if packs[a.item]:
            assert a.qty % packs[a.item] == 0


@settings(max_examples=60, deadline=None)
@given(problems())
def test_no_unit_goes_down_a_tier_while_a_higher_request_could_use_it(problem):
    s = solve(problem)
    by_id = {r.id: r for r in problem.requests}
    left = dict(s.leftover)
    lower = {}  # (tier, item) -> units given to tiers below
    for a in s.allocations:
        t = by_id[a.request].tier
        for tier in range(1, t):
            lower[(tier, a.item)] = lower.get((tier, a.item), 0) + a.qty
    for r in s.requests:
        req = by_id[r.id]
        if r.filled < req.qty - 1e-3:  # results are rounded to 0.0001 per allocation
            for item in usable(problem, req):
                assert left[item] < 1e-3
                assert lower.get((req.tier, item), 0) < 1e-3


@settings(max_examples=60, deadline=None)
@given(problems())
def test_the_lowest_fill_of_the_first_tier_is_the_best_possible(problem):
    """Against a direct LP: maximise the minimum fill ratio of tier 1 alone."""
    s = solve(problem)
    tier1 = [r for r in problem.requests if r.tier == min(x.tier for x in problem.requests)]
    tier1 = [r for r in tier1 if r.qty > 0]
    if not tier1:
        return
    pairs = [
        (k, item, rate) for k, r in enumerate(tier1) for item, rate in usable(problem, r).items()
    ]
    n = len(pairs)
    stock = {i.id: i.stock for i in problem.items}
    rows, b = [], []
    for item in ITEMS:
        rows.append([1.0 if p[1] == item else 0.0 for p in pairs] + [0.0])
        b.append(stock[item])
    for k, r in enumerate(tier1):
        fill = [(1.0 / p[2]) if p[0] == k else 0.0 for p in pairs]
        rows.append(fill + [0.0])
        b.append(r.qty)
        rows.append([-v for v in fill] + [r.qty])
        b.append(0.0)
    c = np.zeros(n + 1)
    c[-1] = -1
    best = -linprog(c, A_ub=rows, b_ub=b, bounds=[(0, None)] * n + [(0, 1)], method="highs").fun
    got = min(r.fill_ratio for r in s.requests if r.id in {x.id for x in tier1})
    assert got == pytest.approx(best, abs=1e-4)


def test_same_input_same_output():
    p = Problem(
        items=[Item("A", 7), Item("B", 3)],
        substitutes=[Substitute("A", "B")],
        requests=[Request(f"r{i}", "u", "A", 3, 1) for i in range(4)],
    )
    assert solve(p) == solve(p)
