"""Supply demand forecast, days of cover, stock-out day and the quantity to order.

Per item, daily use is forecast with Holt's exponential smoothing with a damped trend
(statsmodels) when there are at least ``MIN_HISTORY_FOR_SMOOTHING`` days of history, else with
the mean of the last 7 days; the output says which. Planned use (a testing round's swabs) adds
on top of the trend. Days are calendar days; missing days in the history count as zero use.
Today is the day after the last day of history.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from pydantic import Field

from .common import STRICT, Explain, SolverInputError, check_not_empty

MIN_HISTORY_FOR_SMOOTHING = 14
MEAN_WINDOW = 7
NonNegative = Annotated[float, Field(ge=0)]


@dataclass(frozen=True)
class Use:
    __pydantic_config__ = STRICT

    item: str
    day: dt.date
    used: NonNegative


@dataclass(frozen=True)
class Planned:
    __pydantic_config__ = STRICT

    item: str
    day: dt.date
    qty: NonNegative


@dataclass(frozen=True)
class Problem:
    __pydantic_config__ = STRICT

    history: list[Use]
    stock: dict[str, NonNegative]
    horizon_days: Annotated[int, Field(ge=1, le=366)]
    planned: list[Planned] = field(default_factory=list)
    target_cover_days: Annotated[int, Field(ge=1, le=366)] = 30


@dataclass(frozen=True)
class Day:
    day: dt.date
    qty: float


@dataclass(frozen=True)
class ItemForecast:
    item: str
    method: str  # holt_damped | mean_7_days | no_history
    daily: list[Day]
    days_of_cover: float | None  # None: the stock outlasts the horizon
    stockout_day: dt.date | None
    order_qty: float
    explain: Explain


@dataclass(frozen=True)
class Solution:
    today: dt.date
    items: list[ItemForecast]


def validate(problem: Problem) -> None:
    check_not_empty(problem.history, "history")
    known = set(problem.stock)
    seen = set()
    for i, u in enumerate(problem.history):
        if u.item not in known:
            raise SolverInputError(f"history[{i}].item", f"{u.item!r} has no entry in stock")
        if (u.item, u.day) in seen:
            raise SolverInputError(f"history[{i}]", f"{u.item} on {u.day} is listed twice")
        seen.add((u.item, u.day))
    for i, p in enumerate(problem.planned):
        if p.item not in known:
            raise SolverInputError(f"planned[{i}].item", f"{p.item!r} has no entry in stock")


def _series(history: list[Use], item: str, first: dt.date, today: dt.date) -> np.ndarray:
    values = np.zeros((today - first).days)
    for u in history:
        if u.item == item:
            values[(u.day - first).days] = u.used
    return values


def _trend(series: np.ndarray, horizon: int) -> tuple[np.ndarray, str]:
    nonzero = np.flatnonzero(series)
    if len(nonzero) == 0:
        return np.zeros(horizon), "no_history"
    series = series[nonzero[0] :]  # an item starts being used on its first day of use
    if len(series) >= MIN_HISTORY_FOR_SMOOTHING and series.std() > 0:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short, flat series
            fit = ExponentialSmoothing(
                series, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit()
            return np.maximum(fit.forecast(horizon), 0.0), "holt_damped"
    return np.full(horizon, series[-MEAN_WINDOW:].mean()), f"mean_{MEAN_WINDOW}_days"


def solve(problem: Problem) -> Solution:
    validate(problem)
    first = min(u.day for u in problem.history)
    today = max(u.day for u in problem.history) + dt.timedelta(days=1)
    span = max(problem.horizon_days, problem.target_cover_days)
    planned: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(span))
    for p in problem.planned:
        offset = (p.day - today).days
        if 0 <= offset < span:
            planned[p.item][offset] += p.qty
    out = []
    for item in sorted(problem.stock):
        trend, method = _trend(_series(problem.history, item, first, today), span)
        need = trend + planned[item]
        out.append(_item(item, method, need, problem, today))
    return Solution(today=today, items=out)


def _cover(stock: float, need: np.ndarray) -> float | None:
    """Days the stock lasts (fractional), or None when it outlasts ``need``."""
    cumulative = np.cumsum(need)
    short = np.flatnonzero(cumulative > stock + 1e-9)
    if len(short) == 0:
        return None
    d = int(short[0])
    before = cumulative[d - 1] if d else 0.0
    return d + (stock - before) / need[d]


def _item(item: str, method: str, need: np.ndarray, problem: Problem, today: dt.date):
    stock = problem.stock[item]
    horizon = need[: problem.horizon_days]
    cover = _cover(stock, need[: problem.horizon_days])
    stockout = today + dt.timedelta(days=math.floor(cover)) if cover is not None else None
    order = max(0.0, float(need[: problem.target_cover_days].sum()) - stock)
    order = math.ceil(order - 1e-9)
    daily = [Day(today + dt.timedelta(days=i), round(float(q), 2)) for i, q in enumerate(horizon)]
    return ItemForecast(
        item=item,
        method=method,
        daily=daily,
        days_of_cover=None if cover is None else round(cover, 1),
        stockout_day=stockout,
        order_qty=float(order),
        explain=_explain(item, stock, cover, stockout, order, problem),
    )


def _explain(item, stock, cover, stockout, order, problem) -> Explain:
    days = problem.target_cover_days
    if cover is None:
        zh = f"{item}库存{stock:g}，预测期{problem.horizon_days}天内不会用完"
        en = f"{item}: stock of {stock:g} lasts beyond the {problem.horizon_days}-day horizon"
    else:
        zh = f"{item}库存{stock:g}可用{cover:.1f}天，预计{stockout:%m月%d日}断货"
        en = f"{item}: stock of {stock:g} covers {cover:.1f} days, out on {stockout:%Y-%m-%d}"
    if order > 0:
        zh += f"；要保障{days}天需订购{order:g}"
        en += f"; order {order:g} to cover {days} days"
    return Explain(zh, en)
