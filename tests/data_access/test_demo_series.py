"""The per-kind series of the demo generator, on one project and one month with the randomness switched off."""
import numpy as np
import pytest

from data_access.demo.library import INDICATORS
from data_access.demo.series import SERIES, Curves


class _NoRandomness:
    """Stands in for the random generator: no noise, and a Poisson draw returns its mean."""

    def normal(self, _loc, _scale, size):
        return np.zeros(size)

    def poisson(self, mean):
        return mean


def _curves():
    return Curves(actual=np.array([[50.0]]), planned=np.array([[40.0]]), progress_ratio=np.array([[125.0]]),
                  spend_actual=np.array([[300.0]]), spend_plan=np.array([[250.0]]), budget_exec=np.array([[120.0]]),
                  overrun=np.array([[1.5]]), delay=np.array([[0.5]]), perf=np.array([[0.5]]), size=np.array([[4.0]]),
                  season=np.array([[1.25]]), budget_wan=np.array([1000.0]), project_size=np.array([2.0]),
                  rng=_NoRandomness())


def test_every_kind_in_the_indicator_library_has_a_series_and_every_series_is_used():
    assert {spec.kind for spec in INDICATORS} == set(SERIES)


@pytest.mark.parametrize(("kind", "value"), [
    ("progress_actual", 50.0), ("progress_plan", 40.0), ("progress_ratio", 125.0), ("budget_exec", 120.0),
    ("cost_var", 50.0),  # (1.5 − 1) × 100
    ("delay_days", 15.0),  # half a month behind, in days
    ("rate", 79.0),  # 90 − (1 − 0.5) × 22
    ("incidents", 198.0),  # 90 × (1.6 − 0.5) × √4
    ("satisfaction", 82.5),  # 70 + 25 × 0.5
    ("growth", 81.0),  # 90 × (0.2 + 1.4 × 0.5)
    ("stock_rate", 43.2),  # 90 × 50 % × (0.9 + 0.12 × 0.5)
    ("uptime", 99.55),  # 99.1 + 0.9 × 0.5
])
def test_a_series_measured_against_the_library_target(kind, value):
    values, targets = SERIES[kind](_curves(), 90)
    assert values.shape == (1, 1) and values[0, 0] == pytest.approx(value, rel=1e-12)
    assert targets.tolist() == [90.0]


@pytest.mark.parametrize(("kind", "value"), [("spend_actual", 300.0), ("spend_plan", 250.0)])
def test_spend_is_measured_against_the_project_budget(kind, value):
    values, targets = SERIES[kind](_curves(), 90)
    assert values.tolist() == [[value]] and targets.tolist() == [1000.0]


def test_flows_and_stocks_scale_their_target_with_the_project():
    values, targets = SERIES["flow"](_curves(), 100)
    assert values[0, 0] == pytest.approx(276.25)  # 100 × 4 × 1.25 × (0.55 + 0.6 × 0.5) × (0.3 + 0.7 × 50 %)
    assert targets.tolist() == [200.0]
    values, targets = SERIES["stock"](_curves(), 25)
    assert values.tolist() == [[49.0]]  # round(25 × 4 × 50 % × (0.85 + 0.25 × 0.5)) = round(48.75)
    assert targets.tolist() == [50.0]
