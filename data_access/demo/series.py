"""How each kind of indicator draws its monthly values: one function per ``kind`` of the indicator library.

Every function gets the project curves (progress, spend, overrun, delay; projects × months) and the
library's target for the indicator, and returns the values with the target each project is measured
against. They are pure apart from the shared random generator, whose draws they take in library order, so
the same seed gives the same data.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class Curves:
    """What every series is drawn from. Matrices are projects × months; ``perf`` and ``size`` are one
    column (projects × 1), ``season`` one row (1 × months); ``budget_wan`` and ``project_size`` are per project."""

    actual: np.ndarray  # actual progress, %
    planned: np.ndarray  # planned progress, %
    progress_ratio: np.ndarray  # actual / planned, %, NaN while the plan is under 5 %
    spend_actual: np.ndarray  # 万元
    spend_plan: np.ndarray  # 万元
    budget_exec: np.ndarray  # spend against plan, %, NaN while the plan is under 5 %
    overrun: np.ndarray  # 1 + the share spent over plan
    delay: np.ndarray  # months behind plan
    perf: np.ndarray  # how well the team works, 0..1
    size: np.ndarray  # relative project size
    season: np.ndarray  # visitor seasonality
    budget_wan: np.ndarray
    project_size: np.ndarray
    rng: np.random.Generator

    def noise(self, scale: float) -> np.ndarray:
        """Normal noise over the whole projects × months grid."""
        return self.rng.normal(0, scale, self.actual.shape)

    def flat(self, target: float) -> np.ndarray:
        """The library target for every project."""
        return np.full(len(self.budget_wan), float(target))


class Series(NamedTuple):
    values: np.ndarray  # projects × months
    targets: np.ndarray  # per project


def _progress_actual(curves: Curves, target: float) -> Series:
    return Series(curves.actual, curves.flat(target))


def _progress_plan(curves: Curves, target: float) -> Series:
    return Series(curves.planned, curves.flat(target))


def _progress_ratio(curves: Curves, target: float) -> Series:
    return Series(curves.progress_ratio, curves.flat(target))


def _spend_actual(curves: Curves, _target: float) -> Series:
    """Measured against the project's budget, not a library target."""
    return Series(curves.spend_actual, curves.budget_wan)


def _spend_plan(curves: Curves, _target: float) -> Series:
    """Measured against the project's budget, not a library target."""
    return Series(curves.spend_plan, curves.budget_wan)


def _budget_exec(curves: Curves, target: float) -> Series:
    return Series(curves.budget_exec, curves.flat(target))


def _cost_var(curves: Curves, target: float) -> Series:
    return Series(np.maximum((curves.overrun - 1) * 100 + curves.noise(0.8), -5), curves.flat(target))


def _delay_days(curves: Curves, target: float) -> Series:
    return Series(np.maximum(curves.delay * 30 + curves.noise(4), 0).round(), curves.flat(target))


def _rate(curves: Curves, target: float) -> Series:
    return Series(np.clip(target - (1 - curves.perf) * 22 + curves.noise(2.0), 0, 100), curves.flat(target))


def _incidents(curves: Curves, target: float) -> Series:
    months = curves.actual.shape[1]
    values = curves.rng.poisson(target * (1.6 - curves.perf) * np.sqrt(curves.size) * np.ones((1, months)))
    return Series(values, curves.flat(target))


def _satisfaction(curves: Curves, target: float) -> Series:
    return Series(np.clip(70 + 25 * curves.perf + curves.noise(2.5), 0, 100), curves.flat(target))


def _growth(curves: Curves, target: float) -> Series:
    return Series(target * (0.2 + 1.4 * curves.perf) + curves.noise(3.0), curves.flat(target))


def _flow(curves: Curves, target: float) -> Series:
    """Visitors, freight and the like: grow with progress and the season, targets scale with the project."""
    values = np.maximum(target * curves.size * curves.season * (0.55 + 0.6 * curves.perf)
                        * (0.3 + 0.7 * curves.actual / 100) + curves.noise(0.03 * target), 0)
    return Series(values, target * curves.project_size)


def _stock(curves: Curves, target: float) -> Series:
    """Things built (places, units): grow with progress, targets scale with the project."""
    values = np.round(target * curves.size * curves.actual / 100 * np.clip(0.85 + 0.25 * curves.perf, 0, 1.1))
    return Series(values, np.round(target * curves.project_size))


def _stock_rate(curves: Curves, target: float) -> Series:
    return Series(np.clip(target * curves.actual / 100 * (0.9 + 0.12 * curves.perf) + curves.noise(1.0), 0, 100),
                  curves.flat(target))


def _uptime(curves: Curves, target: float) -> Series:
    return Series(np.clip(99.1 + 0.9 * curves.perf + curves.noise(0.08), 90, 100), curves.flat(target))


SERIES: dict[str, Callable[[Curves, float], Series]] = {
    "progress_actual": _progress_actual,
    "progress_plan": _progress_plan,
    "progress_ratio": _progress_ratio,
    "spend_actual": _spend_actual,
    "spend_plan": _spend_plan,
    "budget_exec": _budget_exec,
    "cost_var": _cost_var,
    "delay_days": _delay_days,
    "rate": _rate,
    "incidents": _incidents,
    "satisfaction": _satisfaction,
    "growth": _growth,
    "flow": _flow,
    "stock": _stock,
    "stock_rate": _stock_rate,
    "uptime": _uptime,
}
