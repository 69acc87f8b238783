import datetime as dt
import itertools
import json
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.solvers import capacity, forecast
from fangkong.solvers.common import SolverInputError


def round_(areas, **kw):
    base = dict(pool=10, hours=8, swabs_per_sampler_hour=60, home_visits_per_team_hour=4)
    base.update(kw)
    return capacity.Problem(areas=areas, **base)


def test_a_round_is_sized_per_area_and_in_total():
    s = capacity.solve(round_([capacity.Area("a", 10_000, 100), capacity.Area("b", 2_000)]))
    a, b = s.areas
    # 9,900 walk-in people / (60 swabs an hour * 8 hours) = 20.6 -> 21 samplers
    assert (a.samplers_needed, a.teams, a.swabs, a.tubes) == (21, 4, 10_000, 1_000)
    assert a.suits == (21 + 4) * 2  # two 4-hour shifts each
    assert (b.samplers_needed, b.teams, b.tubes) == (5, 0, 200)
    assert s.total.samplers_needed == 26 and s.total.finish_hours <= 8


def test_tubes_never_pool_across_areas():
    s = capacity.solve(round_([capacity.Area("a", 11), capacity.Area("b", 9)]))
    assert [x.tubes for x in s.areas] == [2, 1]  # not ceil(20 / 10) = 2 in all


def test_short_samplers_go_where_they_finish_the_round_soonest():
    s = capacity.solve(
        round_([capacity.Area("a", 10_000, 100), capacity.Area("b", 2_000)], samplers_available=10)
    )
    assert [x.samplers_assigned for x in s.areas] == [8, 2]
    assert s.total.finish_hours == pytest.approx(9_900 / (8 * 60), abs=0.01)
    assert "10" in s.explain.zh and "soonest" in s.explain.en


def test_too_few_samplers_for_the_areas_is_refused():
    with pytest.raises(SolverInputError, match="at least one per area"):
        capacity.solve(
            round_([capacity.Area("a", 10), capacity.Area("b", 10)], samplers_available=1)
        )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(1, 3000), min_size=1, max_size=4),
    st.integers(1, 12),
)
def test_the_spread_of_short_samplers_is_optimal(populations, spare):
    areas = [capacity.Area(f"a{i}", p) for i, p in enumerate(populations)]
    available = len(areas) + spare
    s = capacity.solve(round_(areas, samplers_available=available, hours=1))
    if s.total.samplers_assigned == s.total.samplers_needed:
        return  # enough samplers: no spreading
    assert s.total.samplers_assigned <= available
    best = math.inf
    for split in itertools.product(range(1, available + 1), repeat=len(areas)):
        if sum(split) <= available:
            best = min(best, max(p / (n * 60) for p, n in zip(populations, split, strict=True)))
    assert s.total.finish_hours == pytest.approx(best, abs=0.01)


D0 = dt.date(2026, 11, 1)


def history(item, values, start=D0):
    return [forecast.Use(item, start + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def test_a_rising_trend_is_followed_and_the_stock_out_day_named():
    s = forecast.solve(
        forecast.Problem(
            history=history("mask", [100 + 10 * i for i in range(20)]),
            stock={"mask": 3000},
            horizon_days=10,
        )
    )
    (m,) = s.items
    assert m.method == "holt_damped" and s.today == dt.date(2026, 11, 21)
    assert 280 < m.daily[0].qty < 320 and m.daily[5].qty > m.daily[0].qty
    assert 8 < m.days_of_cover < 10
    assert m.stockout_day == s.today + dt.timedelta(days=int(m.days_of_cover))
    assert m.order_qty > 9000  # thirty days of a rising use
    assert "断货" in m.explain.zh


def test_a_short_history_uses_the_recent_mean_and_planned_use_adds_on():
    s = forecast.solve(
        forecast.Problem(
            history=history("swab", [40, 60, 50, 50]),
            stock={"swab": 900},
            planned=[forecast.Planned("swab", dt.date(2026, 11, 7), 800)],  # today + 2
            horizon_days=5,
            target_cover_days=10,
        )
    )
    (w,) = s.items
    assert w.method == "mean_7_days"
    assert [d.qty for d in w.daily] == [50, 50, 850, 50, 50]
    assert w.days_of_cover == pytest.approx(2 + (900 - 100) / 850, abs=0.05)
    assert w.stockout_day == dt.date(2026, 11, 7)
    assert w.order_qty == 10 * 50 + 800 - 900


def test_an_item_without_use_lasts_and_needs_no_order():
    s = forecast.solve(
        forecast.Problem(
            history=history("mask", [5, 5]), stock={"mask": 10, "rice": 7}, horizon_days=3
        )
    )
    rice = next(i for i in s.items if i.item == "rice")
    assert (rice.method, rice.days_of_cover, rice.stockout_day, rice.order_qty) == (
        "no_history",
        None,
        None,
        0,
    )


def test_history_of_an_item_without_stock_is_named():
    with pytest.raises(SolverInputError) as err:
        forecast.solve(
            forecast.Problem(history=history("gas", [1]), stock={"mask": 1}, horizon_days=3)
        )
    assert err.value.where == "history[0].item"


# --- the command line -----------------------------------------------------------------------


def test_fangkong_solve_reads_json_and_writes_json(tmp_path):
    problem = {
        "items": [{"id": "N95", "stock": 8000}],
        "requests": [
            {"id": "icu", "unit": "医院", "item": "N95", "qty": 6000, "tier": 1},
            {"id": "school", "unit": "学校", "item": "N95", "qty": 5000, "tier": 2},
        ],
    }
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(problem, ensure_ascii=False), encoding="utf-8")
    call_command("solve", "allocation", str(src), "-o", str(out))
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["requests"] == [
        {"id": "icu", "filled": 6000.0, "fill_ratio": 1.0},
        {"id": "school", "filled": 2000.0, "fill_ratio": 0.4},
    ]
    assert answer["tiers"][1]["explain"]["en"].startswith("tier 2 filled to 40 %")


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ({"items": [{"id": "x", "stock": -1}], "requests": []}, "items[0].stock"),
        (
            {"items": [{"id": "x", "stock": 1, "colour": "red"}], "requests": []},
            "items[0].colour: unknown field",
        ),
        ({"items": [{"id": "x", "stock": 1}]}, "requests: missing"),
        ({"items": [{"id": "x", "stock": 1}], "requests": []}, "requests: empty"),
        (
            {
                "items": [{"id": "x", "stock": 1}, {"id": "x", "stock": 2}],
                "requests": [{"id": "r", "unit": "u", "item": "x", "qty": 1, "tier": 1}],
            },
            "items[1].id: duplicate id 'x'",
        ),
    ],
)
def test_fangkong_solve_names_what_is_wrong(tmp_path, problem, message):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(problem))
    with pytest.raises(CommandError) as err:
        call_command("solve", "allocation", str(src))
    assert message in str(err.value)


def test_fangkong_solve_refuses_what_is_not_json(tmp_path):
    src = tmp_path / "in.json"
    src.write_text("{items: ")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("solve", "beds", str(src))


def test_an_unknown_field_is_named_with_the_fields_allowed(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(
        json.dumps(
            {
                "facilities": [{"id": "f", "lat": 30, "lon": 114, "beds": {"gym": 2}}],
                "patients": [
                    {
                        "id": "p",
                        "lat": 30,
                        "lon": 114,
                        "severity": "bad",
                        "age": 3,
                        "waiting_hours": 1,
                        "bloodtype": "A",
                    }
                ],
                "max_km": 5,
            }
        )
    )
    with pytest.raises(CommandError) as err:
        call_command("solve", "beds", str(src))
    text = str(err.value)
    assert (
        "facilities[0].beds.gym: Input should be 'icu', 'ward', 'fangcang' or 'quarantine'" in text
    )
    assert (
        "patients[0].severity: Input should be 'critical', 'severe', 'moderate', 'mild' or "
        "'contact'" in text
    )
    assert "patients[0].bloodtype: unknown field; allowed: id, lat, lon, severity, age" in text
