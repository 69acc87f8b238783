"""Assignment under strict priority, then least total distance (OR-Tools min-cost flow).

Agents (patients, help requests) go to slots with a capacity (a facility's beds of one type, a
volunteer). Each agent has a priority rank (0 highest; equal ranks are equal priority) and may
use only the arcs given. The placed set is the one a strict-priority dispatcher would choose: no
agent stays out while one of lower priority holds a slot it could have had, and as many of each
rank as possible. Among such plans the total distance is least.

Why one min-cost flow is enough: the sets of agents that can be placed together form a
transversal matroid, so a maximum-weight set for any weights that respect the ranks is the
greedy-by-rank set (Gale-optimal), whatever the weights' sizes. Each arc costs
``-weight(rank) * K + distance`` with K above any possible total distance, so weight decides
first and distance only among equals; a maximum flow with that least cost is the plan.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

DIST_UNITS_PER_KM = 10  # distances compared to 100 m: plenty to break ties, small costs


def priority_assign(
    *,
    n_agents: int,
    capacity: np.ndarray,
    arc_agent: np.ndarray,
    arc_slot: np.ndarray,
    arc_km: np.ndarray,
    rank: np.ndarray,
    arc_penalty: np.ndarray | None = None,
) -> np.ndarray:
    """The arc index used by each agent, or -1 for an agent left out.

    ``arc_penalty`` (small non-negative integers below 4) breaks ties between arcs of equal
    distance, e.g. to keep an ICU bed for a patient who needs one.
    """
    result = np.full(n_agents, -1, dtype=np.int64)
    if len(arc_agent) == 0:
        return result
    n_slots = len(capacity)
    ranks = np.unique(rank)
    weight = len(ranks) - np.searchsorted(ranks, rank)  # highest priority weighs most
    units = np.rint(arc_km * DIST_UNITS_PER_KM).astype(np.int64) * 4
    if arc_penalty is not None:
        units += arc_penalty.astype(np.int64)
    big = int(units.max(initial=0)) * n_agents + 1
    cost = -weight[arc_agent].astype(np.int64) * big + units

    source, sink = 0, 1 + n_agents + n_slots
    agents = np.arange(n_agents) + 1
    slots = np.arange(n_slots) + 1 + n_agents
    smcf = min_cost_flow.SimpleMinCostFlow()
    used = np.unique(arc_agent)
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(len(used), source),
        agents[used],
        np.ones(len(used), dtype=np.int64),
        np.zeros(len(used), dtype=np.int64),
    )
    first_arc = smcf.num_arcs()
    smcf.add_arcs_with_capacity_and_unit_cost(
        agents[arc_agent], slots[arc_slot], np.ones(len(arc_agent), dtype=np.int64), cost
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        slots, np.full(n_slots, sink), capacity.astype(np.int64), np.zeros(n_slots, dtype=np.int64)
    )
    smcf.set_node_supply(source, len(used))
    smcf.set_node_supply(sink, -len(used))
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(first_arc, first_arc + len(arc_agent)))
    chosen = np.flatnonzero(flows > 0)
    result[arc_agent[chosen]] = chosen
    return result
