"""Beds and dispatch: hand-checked priority, compatibility and distance rules, then properties
against brute force on small problems."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.solvers import beds, dispatch
from fangkong.solvers.common import SolverInputError, great_circle_km

H = (30.0, 114.0)  # a hospital; 0.01° of latitude is about 1.1 km


def plan(solution):
    return {a.patient: (a.facility, a.bed) for a in solution.assignments}


def reasons(solution):
    return {u.patient: u.reason for u in solution.unplaced}


def patient(pid, severity, age=40, waiting=0, lat=H[0], needs=()):
    return beds.Patient(pid, lat, H[1], severity, age, waiting, list(needs))


def test_more_severe_first_even_when_farther_and_waiting_less():
    s = beds.solve(
        beds.Problem(
            facilities=[beds.Facility("h", *H, {"icu": 1})],
            patients=[
                patient("severe", "severe", waiting=48),
                patient("critical", "critical", lat=30.2),
            ],
            max_km=50,
        )
    )
    assert plan(s) == {"critical": ("h", "icu")}
    assert reasons(s) == {"severe": "no_compatible_bed"}
    assert "更紧急" in s.unplaced[0].explain.zh


def test_within_a_severity_longer_waiting_first_then_nearer():
    s = beds.solve(
        beds.Problem(
            facilities=[beds.Facility("h", *H, {"ward": 2})],
            patients=[
                patient("near_new", "moderate", waiting=1),
                patient("far_old", "moderate", waiting=30, lat=30.3),
                patient("mid_new", "moderate", waiting=1, lat=30.1),
            ],
            max_km=50,
        )
    )
    assert set(plan(s)) == {"far_old", "near_new"}


def test_compatibility_of_beds_by_severity_and_age():
    s = beds.solve(
        beds.Problem(
            facilities=[beds.Facility("h", *H, {"icu": 1, "ward": 2, "fangcang": 1})],
            patients=[
                patient("crit", "critical"),
                patient("sev", "severe"),
                patient("young_mild", "mild", age=30),
                patient("old_mild", "mild", age=70),
            ],
            max_km=10,
        )
    )
    assert plan(s) == {
        "crit": ("h", "icu"),
        "sev": ("h", "ward"),  # an ICU bed only when no ward bed is as near
        "young_mild": ("h", "fangcang"),
        "old_mild": ("h", "ward"),
    }


def test_dialysis_and_distance_limits_say_why():
    s = beds.solve(
        beds.Problem(
            facilities=[
                beds.Facility("near", *H, {"ward": 5}, dialysis=False),
                beds.Facility("far", 31.0, 114.0, {"ward": 5}, dialysis=True),
            ],
            patients=[
                patient("kidney", "moderate", needs=["dialysis"]),
                patient("elsewhere", "critical", lat=-30),
            ],
            max_km=20,
        )
    )
    assert plan(s) == {}
    assert reasons(s) == {"kidney": "needs_dialysis", "elsewhere": "no_compatible_bed"}
    s = beds.solve(
        beds.Problem(
            facilities=[beds.Facility("far", 31.0, 114.0, {"ward": 5})],
            patients=[patient("p", "moderate")],
            max_km=20,
        )
    )
    assert reasons(s) == {"p": "none_within_max_km"}
    assert s.unplaced[0].explain.en == "no free ward bed within 20 km"


def test_bad_beds_input_is_named():
    with pytest.raises(SolverInputError) as err:
        beds.solve(
            beds.Problem(
                facilities=[beds.Facility("h", 95, 114, {"icu": 1})],
                patients=[patient("p", "mild")],
                max_km=5,
            )
        )
    assert err.value.where == "facilities[0].lat"


def test_urgent_requests_first_then_least_distance():
    s = dispatch.solve(
        dispatch.Problem(
            volunteers=[
                dispatch.Volunteer("driver", *H, 1, ["drive"]),
                dispatch.Volunteer("walker", 30.05, 114.0, 2, []),
            ],
            requests=[
                dispatch.Request("gas", *H, "normal", ["drive"]),
                dispatch.Request("dialysis_trip", 30.02, 114.0, "urgent", ["drive"]),
                dispatch.Request("medicine", *H, "today"),
                dispatch.Request("nurse", *H, "normal", ["medic"]),
            ],
            max_km=20,
        )
    )
    got = {a.request: a.volunteer for a in s.assignments}
    assert got == {"dialysis_trip": "driver", "medicine": "walker"}
    assert {u.request: u.reason for u in s.unassigned} == {
        "gas": "all_busy",
        "nurse": "no_skilled_volunteer",
    }


def test_among_equal_urgency_the_nearest_plan_wins():
    s = dispatch.solve(
        dispatch.Problem(
            volunteers=[
                dispatch.Volunteer("a", 30.0, 114, 1),
                dispatch.Volunteer("b", 30.1, 114, 1),
            ],
            requests=[
                dispatch.Request("x", 30.0, 114, "today"),
                dispatch.Request("y", 30.1, 114, "today"),
            ],
            max_km=50,
        )
    )
    assert {a.request: a.volunteer for a in s.assignments} == {"x": "a", "y": "b"}
    assert all(a.km == 0 for a in s.assignments)


# --- properties against brute force -------------------------------------------------------

SEV = list(beds.SEVERITIES)


@st.composite
def bed_problems(draw):
    facilities = [
        beds.Facility(
            f"f{i}",
            30 + draw(st.integers(0, 30)) / 100,
            114.0,
            {t: draw(st.integers(0, 2)) for t in beds.BED_TYPES},
            draw(st.booleans()),
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    patients = [
        beds.Patient(
            f"p{i}",
            30 + draw(st.integers(0, 30)) / 100,
            114.0,
            draw(st.sampled_from(SEV)),
            draw(st.sampled_from([30, 70])),
            draw(st.sampled_from([0, 5, 10])),
            ["dialysis"] if draw(st.integers(0, 4)) == 0 else [],
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    return beds.Problem(facilities, patients, max_km=draw(st.sampled_from([10, 40])))


def options(problem, p):
    out = [None]
    for f in problem.facilities:
        km = float(great_circle_km(p.lat, p.lon, f.lat, f.lon))
        if km > problem.max_km or ("dialysis" in p.needs and not f.dialysis):
            continue
        for t in beds.compatible_beds(p.severity, p.age):
            if f.beds.get(t, 0) > 0:
                out.append((f.id, t, km))
    return out


def score(problem, chosen):
    """Placed count per priority class, best class first, then minus total distance."""
    classes = sorted({(SEV.index(p.severity), -p.waiting_hours) for p in problem.patients})
    counts = [0] * len(classes)
    km = 0.0
    for p, c in zip(problem.patients, chosen, strict=True):
        if c is not None:
            counts[classes.index((SEV.index(p.severity), -p.waiting_hours))] += 1
            km += c[2]
    return (*counts, -round(km, 1))


def brute_force(problem):
    best = None
    for chosen in itertools.product(*(options(problem, p) for p in problem.patients)):
        used = {}
        for c in chosen:
            if c is not None:
                used[c[:2]] = used.get(c[:2], 0) + 1
        beds_of = {f.id: f.beds for f in problem.facilities}
        if all(n <= beds_of[f].get(t, 0) for (f, t), n in used.items()):
            s = score(problem, chosen)
            best = s if best is None or s > best else best
    return best


@settings(max_examples=150, deadline=None)
@given(bed_problems())
def test_bed_plans_are_feasible_and_match_brute_force(problem):
    s = beds.solve(problem)
    by_id = {p.id: p for p in problem.patients}
    taken = {}
    for a in s.assignments:
        p = by_id[a.patient]
        opts = {(f, t): km for f, t, km in (o for o in options(problem, p) if o)}
        assert (a.facility, a.bed) in opts  # compatible, near enough, dialysis where needed
        taken[(a.facility, a.bed)] = taken.get((a.facility, a.bed), 0) + 1
    beds_of = {f.id: f.beds for f in problem.facilities}
    assert all(n <= beds_of[f][t] for (f, t), n in taken.items())
    chosen = []
    placed = {a.patient: a for a in s.assignments}
    for p in problem.patients:
        a = placed.get(p.id)
        chosen.append(None if a is None else (a.facility, a.bed, a.km))
    got = score(problem, chosen)
    best = brute_force(problem)
    assert got[:-1] == best[:-1]  # the same patients of each priority class are placed
    assert got[-1] == pytest.approx(best[-1], abs=0.1 * len(problem.patients) + 0.05)


@st.composite
def dispatch_problems(draw):
    skills = ["drive", "medic"]
    volunteers = [
        dispatch.Volunteer(
            f"v{i}",
            30 + draw(st.integers(0, 30)) / 100,
            114.0,
            draw(st.integers(0, 2)),
            [s for s in skills if draw(st.booleans())],
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    requests = [
        dispatch.Request(
            f"r{i}",
            30 + draw(st.integers(0, 30)) / 100,
            114.0,
            draw(st.sampled_from(dispatch.URGENCY)),
            [s for s in skills if draw(st.booleans())],
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    return dispatch.Problem(volunteers, requests, max_km=draw(st.sampled_from([10, 40])))


@settings(max_examples=150, deadline=None)
@given(dispatch_problems())
def test_dispatch_never_breaks_skills_capacity_range_or_urgency(problem):
    s = dispatch.solve(problem)
    vol = {v.id: v for v in problem.volunteers}
    req = {r.id: r for r in problem.requests}
    load = {}
    for a in s.assignments:
        v, r = vol[a.volunteer], req[a.request]
        assert set(r.needs) <= set(v.skills) and a.km <= problem.max_km
        load[v.id] = load.get(v.id, 0) + 1
    assert all(n <= vol[v].capacity for v, n in load.items())
    holder = {a.request: a.volunteer for a in s.assignments}
    # nobody left out while a less urgent request holds a volunteer who could have served it
    for u in s.unassigned:
        r = req[u.request]
        for v in problem.volunteers:
            km = float(great_circle_km(r.lat, r.lon, v.lat, v.lon))
            if set(r.needs) <= set(v.skills) and km <= problem.max_km and v.capacity:
                served = [req[q] for q, w in holder.items() if w == v.id]
                assert len(served) == v.capacity
                rank = dispatch.URGENCY.index
                assert all(rank(q.urgency) <= rank(r.urgency) for q in served)
