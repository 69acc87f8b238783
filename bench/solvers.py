"""Solver benchmarks (no database): `python -m bench.solvers`, run by `make bench`.

Random problems of the sizes the issue names; for each, the time to read the JSON form into a
problem, the time spent building the model (everything but the solver library's own call), and
the time inside HiGHS or OR-Tools. Medians of a few runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from contextlib import contextmanager

from bench.__main__ import machine, publish


def allocation_input(rng: random.Random, requests=5_000, items=50) -> dict:
    ids = [f"item{i:02d}" for i in range(items)]
    subs = []
    for i, item in enumerate(ids):
        for j in rng.sample(range(items), 2):
            if j != i and rng.random() < 0.5:
                subs.append(
                    {
                        "requested": item,
                        "may_receive": ids[j],
                        "per_unit": rng.choice([1, 1, 2, 0.5]),
                    }
                )
    reqs = [
        {
            "id": f"r{k}",
            "unit": f"unit{k % 300}",
            "item": rng.choice(ids),
            "qty": rng.randint(1, 500),
            "tier": rng.choice([1, 2, 2, 3, 3, 3]),
        }
        for k in range(requests)
    ]
    demand = {i: 0 for i in ids}
    for r in reqs:
        demand[r["item"]] += r["qty"]
    stock = [
        {
            "id": i,
            "stock": int(demand[i] * rng.uniform(0.3, 0.9)),
            "pack": rng.choice([None, None, 10, 20]),
        }
        for i in ids
    ]
    return {"items": stock, "substitutes": subs, "requests": reqs}


def beds_input(rng: random.Random, patients=20_000, facilities=200) -> dict:
    def here():
        return {"lat": 30.4 + rng.uniform(0, 0.5), "lon": 114.1 + rng.uniform(0, 0.6)}

    return {
        "facilities": [
            {
                "id": f"f{i:03d}",
                **here(),
                "dialysis": rng.random() < 0.2,
                "beds": {
                    "icu": rng.randint(0, 20),
                    "ward": rng.randint(0, 60),
                    "fangcang": rng.randint(0, 200) if rng.random() < 0.2 else 0,
                },
            }
            for i in range(facilities)
        ],
        "patients": [
            {
                "id": f"p{i:05d}",
                **here(),
                "severity": rng.choices(["critical", "severe", "moderate", "mild"], [1, 3, 10, 20])[
                    0
                ],
                "age": rng.randint(1, 95),
                "waiting_hours": rng.randint(0, 72),
                "needs": ["dialysis"] if rng.random() < 0.02 else [],
            }
            for i in range(patients)
        ],
        "max_km": 40,
    }


def dispatch_input(rng: random.Random, requests=5_000, volunteers=2_000) -> dict:
    skills = ["drive", "medic", "carry", "elderly_care", "sign"]

    def here():
        return {"lat": 30.4 + rng.uniform(0, 0.5), "lon": 114.1 + rng.uniform(0, 0.6)}

    return {
        "volunteers": [
            {
                "id": f"v{i:04d}",
                **here(),
                "capacity": rng.randint(1, 4),
                "skills": rng.sample(skills, rng.randint(0, 3)),
            }
            for i in range(volunteers)
        ],
        "requests": [
            {
                "id": f"q{i:04d}",
                **here(),
                "urgency": rng.choices(["urgent", "today", "normal"], [1, 3, 6])[0],
                "needs": rng.sample(skills, rng.choice([0, 0, 1, 1, 2])),
            }
            for i in range(requests)
        ],
        "max_km": 15,
    }


class Clock:
    solver = 0.0


@contextmanager
def solver_clock():
    """Time spent inside the solver libraries' own calls (HiGHS runs, OR-Tools flows)."""
    import highspy
    from ortools.graph.python import min_cost_flow

    from fangkong.solvers import capacity

    def timed(fn):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                Clock.solver += time.perf_counter() - t

        return wrapper

    class TimedFlow(min_cost_flow.SimpleMinCostFlow):
        def solve_max_flow_with_min_cost(self):
            return timed(super().solve_max_flow_with_min_cost)()

    saved = (capacity.milp, min_cost_flow.SimpleMinCostFlow, highspy.Highs.run)
    capacity.milp = timed(capacity.milp)
    min_cost_flow.SimpleMinCostFlow = TimedFlow
    highspy.Highs.run = timed(highspy.Highs.run)
    try:
        yield
    finally:
        capacity.milp, min_cost_flow.SimpleMinCostFlow, highspy.Highs.run = saved


def measure(kind: str, data: dict, runs: int) -> dict[str, float]:
    from pydantic import TypeAdapter

    from fangkong.solvers.io import MODULES, parse

    module = MODULES[kind]
    parse_s, build_s, solver_s = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        problem = parse(kind, data)
        parse_s.append(time.perf_counter() - t)
        Clock.solver = 0.0
        with solver_clock():
            t = time.perf_counter()
            solution = module.solve(problem)
            total = time.perf_counter() - t
        TypeAdapter(module.Solution).dump_python(solution, mode="json")
        solver_s.append(Clock.solver)
        build_s.append(total - Clock.solver)
    return {
        "parse": statistics.median(parse_s),
        "build": statistics.median(build_s),
        "solver": statistics.median(solver_s),
        "total": statistics.median(
            p + b + s for p, b, s in zip(parse_s, build_s, solver_s, strict=True)
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(2026)
    cases = [
        (
            "allocation",
            "5,000 requests × 50 items, substitutes, packs, 3 tiers",
            allocation_input(rng),
            2,
        ),
        ("beds", "20,000 patients × 200 facilities", beds_input(rng), 10),
        ("dispatch", "5,000 requests × 2,000 volunteers", dispatch_input(rng), 5),
    ]
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — solvers — {machine()}",
        "",
        f"Median of {args.runs} runs, seconds: parse = JSON to problem; build = everything but "
        "the solver library's own call (distances, compatibility, model); solver = inside "
        "HiGHS / OR-Tools.",
        "",
        "| problem | size | parse | build | solver | total | goal |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind, size, data, goal in cases:
        m = measure(kind, data, args.runs)
        lines.append(
            f"| {kind} | {size} | {m['parse']:.2f} | {m['build']:.2f} | {m['solver']:.2f} | "
            f"{m['total']:.2f} | < {goal} |"
        )
        print(lines[-1], flush=True)
    publish("\n".join(lines) + "\n", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
