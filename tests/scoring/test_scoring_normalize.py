import numpy as np
import pandas as pd
import pytest

from scoring import normalize, normalize_frame

NaN = np.nan


class TestTarget:
    def test_higher_is_better_scores_value_over_target_capped(self):
        # 45/90 = 0.5 → 50; 90/90 → 100; 120/90 = 1.33 → capped at 100
        assert normalize([45, 90, 120], "higher", "target", target=90).tolist() == [50.0, 100.0, 100.0]

    def test_cap_rewards_over_achievement(self):
        # 99/90 = 1.1 → 110; 120/90 = 133.3 → capped at 120
        result = normalize([99, 120], +1, "target", target=90, cap=120)
        assert result == pytest.approx([110.0, 120.0])

    def test_lower_is_better_scores_target_over_value(self):
        # 1/2 → 50, 1/4 → 25, 1/0.5 = 2 → 200 capped 100
        assert normalize([2, 4, 0.5], "lower", "target", target=1).tolist() == [50.0, 25.0, 100.0]

    def test_zero_incidents_against_a_target_earns_the_cap(self):
        # 0 safety incidents beats a target of 1: full marks (the cap), no division by zero
        with np.errstate(all="raise"):
            assert normalize([0, 0], -1, "target", target=1, cap=120).tolist() == [120.0, 120.0]

    def test_negative_value_floors_at_zero_for_higher(self):
        assert normalize([-10.0], "higher", "target", target=100).tolist() == [0.0]

    def test_per_project_targets_and_missing_target(self):
        # 50/100 → 50; 50/50 → 100; no target → no score
        assert normalize([50, 50, 50], "higher", "target", target=[100, 50, NaN]).tolist()[:2] == [50.0, 100.0]
        assert np.isnan(normalize([50, 50, 50], "higher", "target", target=[100, 50, NaN])[2])

    def test_nan_value_stays_nan(self):
        assert np.isnan(normalize([NaN], "lower", "target", target=3)).all()

    def test_series_in_array_out(self):
        result = normalize(pd.Series([1.0, None], dtype="Float64"), "higher", "target", target=2)
        assert isinstance(result, np.ndarray)
        assert result[0] == 50.0 and np.isnan(result[1])

    @pytest.mark.parametrize("target", [0, -5, [10, 0]])
    def test_non_positive_target_raises_naming_indicator(self, target):
        with pytest.raises(ValueError, match=r"indicator 'incidents'.*target must be positive"):
            normalize([1, 2], "lower", "target", target=target, name="incidents")

    def test_cap_below_100_raises(self):
        with pytest.raises(ValueError, match="cap must be at least 100"):
            normalize([1], "higher", "target", target=1, cap=90, name="x")


class TestMinMax:
    def test_higher_and_lower(self):
        # min 10, max 30: (20-10)/20 = 0.5 → 50; lower mirrors
        assert normalize([10, 20, 30, NaN], "higher", "minmax")[:3].tolist() == [0.0, 50.0, 100.0]
        assert normalize([10, 20, 30, NaN], "lower", "minmax")[:3].tolist() == [100.0, 50.0, 0.0]

    def test_constant_column_scores_100_and_nan_stays(self):
        result = normalize([5, 5, NaN], "higher", "minmax")
        assert result[:2].tolist() == [100.0, 100.0] and np.isnan(result[2])

    def test_all_missing_stays_missing_without_warnings(self):
        with np.errstate(all="raise"):
            assert np.isnan(normalize([NaN, NaN], "higher", "minmax")).all()

    def test_rejects_unused_parameters(self):
        with pytest.raises(ValueError, match="'rate'.*does not use target"):
            normalize([1, 2], "higher", "minmax", target=3, name="rate")


class TestBand:
    def test_full_inside_linear_decay_outside(self):
        # band [90, 110], falloff 10: 85 is 5 below → 1 - 5/10 = 0.5; 112 is 2 above → 0.8; 80/125 ≥ 10 away → 0
        result = normalize([80, 85, 90, 100, 110, 112, 125], "band", "band", lower=90, upper=110, falloff=10)
        assert result == pytest.approx([0, 50, 100, 100, 100, 80, 0])

    def test_lower_above_upper_raises(self):
        with pytest.raises(ValueError, match=r"indicator 'budget_rate'.*lower bound 110.0 is above upper bound 90.0"):
            normalize([1], "band", "band", lower=110, upper=90, falloff=5, name="budget_rate")

    def test_falloff_must_be_positive(self):
        with pytest.raises(ValueError, match="falloff must be a positive number"):
            normalize([1], "band", "band", lower=1, upper=2, falloff=0)

    def test_band_method_needs_band_direction(self):
        with pytest.raises(ValueError, match="'band' go together"):
            normalize([1], "higher", "band", lower=1, upper=2, falloff=1)
        with pytest.raises(ValueError, match="'band' go together"):
            normalize([1], "band", "minmax")


class TestThreshold:
    def test_higher_earns_highest_threshold_reached(self):
        pairs = [(80, 80), (60, 60), (95, 100)]  # order does not matter
        values = [59.9, 60, 79, 80, 94.99, 95, 200, NaN]
        result = normalize(values, "higher", "threshold", thresholds=pairs)
        assert result[:7].tolist() == [0, 60, 60, 80, 80, 100, 100] and np.isnan(result[7])

    def test_lower_earns_lowest_threshold_not_exceeded(self):
        pairs = [(1, 100), (3, 70), (5, 40)]
        # 0, 1 ≤ 1 → 100; 2, 3 ≤ 3 → 70; 4.5, 5 ≤ 5 → 40; 6 exceeds all → 0
        result = normalize([0, 1, 2, 3, 4.5, 5, 6], "lower", "threshold", thresholds=pairs)
        assert result.tolist() == [100, 100, 70, 70, 40, 40, 0]

    def test_scores_falling_as_value_improves_raise(self):
        with pytest.raises(ValueError, match=r"'delay'.*must not fall as the value improves"):
            normalize([1], "higher", "threshold", thresholds=[(1, 90), (2, 50)], name="delay")

    @pytest.mark.parametrize("pairs, message", [
        ([(1, 50), (1, 60)], "repeat"),
        ([(1, 150)], "0..100"),
        ([], "finite"),
        ("abc", "pairs"),
    ])
    def test_bad_tables_raise(self, pairs, message):
        with pytest.raises(ValueError, match=message):
            normalize([1], "higher", "threshold", thresholds=pairs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(direction="up", method="minmax"), "unknown direction 'up'"),
    (dict(direction=2, method="minmax"), "unknown direction 2"),
    (dict(direction="higher", method="zscore"), "unknown method 'zscore'"),
    (dict(direction="higher", method="target"), "needs target"),
])
def test_invalid_recipes_name_the_indicator(kwargs, message):
    with pytest.raises(ValueError, match=rf"indicator 'kpi'.*{message}"):
        normalize([1.0], name="kpi", **kwargs)


def test_text_values_raise():
    with pytest.raises(ValueError, match="'kpi': values must be numeric"):
        normalize(["a"], "higher", "minmax", name="kpi")


class TestNormalizeFrame:
    @pytest.fixture
    def values(self):
        return pd.DataFrame({
            "on_time": [80.0, 100.0, NaN],
            "defects": [0.0, 4.0, 2.0],
            "budget_rate": [85.0, 100.0, 112.0],
            "audit": [55.0, 70.0, 99.0],
        }, index=pd.Index(["p1", "p2", "p3"], name="project"))

    @pytest.fixture
    def specs(self):
        return pd.DataFrame({
            "direction": ["higher", "lower", "band", "higher"],
            "method": ["target", "minmax", "band", "threshold"],
            "target": [100.0, NaN, NaN, NaN],
            "lower": [NaN, NaN, 90.0, NaN],
            "upper": [NaN, NaN, 110.0, NaN],
            "falloff": [NaN, NaN, 10.0, NaN],
            "thresholds": [None, None, None, [(60, 60), (80, 80), (95, 100)]],
            "unit": ["%", "count", "%", "points"],  # extra columns are ignored
        }, index=["on_time", "defects", "budget_rate", "audit"])

    def test_hand_computed_table(self, values, specs):
        result = normalize_frame(values, specs)
        expected = pd.DataFrame({
            "on_time": [80.0, 100.0, NaN],      # 80/100, 100/100, missing
            "defects": [100.0, 0.0, 50.0],      # lower minmax over 0..4
            "budget_rate": [50.0, 100.0, 80.0],  # 5 below / inside / 2 above the band
            "audit": [0.0, 60.0, 100.0],        # below 60, ≥ 60, ≥ 95
        }, index=values.index)
        pd.testing.assert_frame_equal(result, expected)

    def test_matches_column_by_column_normalize(self, values, specs):
        result = normalize_frame(values, specs)
        np.testing.assert_array_equal(result["audit"], normalize(values["audit"], "higher", "threshold",
                                                                 thresholds=specs.at["audit", "thresholds"]))
        np.testing.assert_array_equal(result["defects"], normalize(values["defects"], "lower", "minmax"))

    def test_per_project_targets_override_with_fallback(self, values, specs):
        targets = pd.DataFrame({"on_time": [160.0, NaN]}, index=["p1", "p2"])
        # p1: 80/160 → 50; p2: no own target → spec's 100 → 100; p3: value missing → NaN
        result = normalize_frame(values, specs, targets=targets)
        assert result["on_time"].tolist()[:2] == [50.0, 100.0]

    def test_no_target_anywhere_scores_nan(self, values, specs):
        specs.loc["on_time", "target"] = NaN
        targets = pd.DataFrame({"on_time": [100.0, NaN, NaN]}, index=values.index)
        result = normalize_frame(values, specs, targets=targets)
        assert result.at["p1", "on_time"] == 80.0 and np.isnan(result.at["p2", "on_time"])

    def test_bad_per_project_target_names_indicator(self, values, specs):
        targets = pd.DataFrame({"on_time": [0.0, 1.0, 1.0]}, index=values.index)
        with pytest.raises(ValueError, match="indicator 'on_time': target must be positive"):
            normalize_frame(values, specs, targets=targets)

    def test_missing_spec_and_text_columns_raise(self, values, specs):
        with pytest.raises(ValueError, match="no normalisation spec for indicator.*'extra'"):
            normalize_frame(values.assign(extra=1.0), specs)
        text = values.assign(on_time=values["on_time"].astype(str))
        with pytest.raises(ValueError, match="'on_time'.*numeric"):
            normalize_frame(text, specs)

    def test_bad_spec_row_names_indicator(self, values, specs):
        specs.loc["budget_rate", "lower"] = 120.0
        with pytest.raises(ValueError, match="indicator 'budget_rate'.*above upper bound"):
            normalize_frame(values, specs)

    def test_directions_as_numbers(self, values, specs):
        specs["direction"] = [1, -1, "band", 1.0]
        pd.testing.assert_frame_equal(normalize_frame(values, specs),
                                      normalize_frame(values, specs.assign(direction=["higher", "lower", "band",
                                                                                       "higher"])))


class TestInvalidNumbers:
    """Bad parameters and values raise ValueError naming the indicator, instead of scoring silently."""

    def test_scalar_nan_target_raises_but_per_project_nan_is_allowed(self):
        for target in (NaN, None):
            with pytest.raises(ValueError, match=r"indicator 'on_time': target is NaN"):
                normalize([50, 80], "higher", "target", target=target, name="on_time")
        result = normalize([50, 80], "higher", "target", target=[100, NaN], name="on_time")
        assert result[0] == 50.0 and np.isnan(result[1])

    @pytest.mark.parametrize("method, params", [
        ("minmax", {}),
        ("target", {"target": 10}),
        ("threshold", {"thresholds": [(1, 50), (5, 100)]}),
    ])
    @pytest.mark.parametrize("bad", [np.inf, -np.inf])
    def test_infinite_values_raise(self, method, params, bad):
        # one inf used to turn a whole minmax column into 0/NaN and a target ratio into the cap
        with pytest.raises(ValueError, match=r"indicator 'cost': values must be finite numbers or NaN"):
            normalize([1.0, bad, 3.0], "higher", method, name="cost", **params)
        with pytest.raises(ValueError, match=r"indicator 'cost': values must be finite"):
            normalize([1.0, bad, 3.0], "band", "band", lower=0, upper=2, falloff=1, name="cost")

    def test_infinite_values_in_a_frame_name_the_columns(self):
        values = pd.DataFrame({"a": [1.0, 2.0], "b": [np.inf, 1.0], "c": [-np.inf, NaN]})
        specs = pd.DataFrame({"direction": ["higher"] * 3, "method": ["minmax"] * 3}, index=["a", "b", "c"])
        with pytest.raises(ValueError, match=r"indicator\(s\) 'b', 'c': values must be finite"):
            normalize_frame(values, specs)

    @pytest.mark.parametrize("params, message", [
        ({"target": np.inf}, "target must be positive and finite"),
        ({"target": [10, -np.inf]}, "target must be positive and finite"),
        ({"target": 10, "cap": np.inf}, "cap must be at least 100"),
    ])
    def test_infinite_target_and_cap_raise(self, params, message):
        with pytest.raises(ValueError, match=rf"indicator 'kpi': {message}"):
            normalize([1.0, 2.0], "higher", "target", name="kpi", **params)

    @pytest.mark.parametrize("bounds", [dict(lower=-np.inf, upper=5), dict(lower=1, upper=np.inf)])
    def test_infinite_band_bounds_raise(self, bounds):
        with pytest.raises(ValueError, match=r"indicator 'rate': band bounds must be finite"):
            normalize([1.0], "band", "band", falloff=1, name="rate", **bounds)

    def test_infinite_per_project_target_in_a_frame_raises(self):
        values = pd.DataFrame({"on_time": [80.0, 90.0]})
        specs = pd.DataFrame({"direction": ["higher"], "method": ["target"], "target": [100.0]}, index=["on_time"])
        targets = pd.DataFrame({"on_time": [np.inf, NaN]})
        with pytest.raises(ValueError, match=r"indicator 'on_time': target must be positive and finite"):
            normalize_frame(values, specs, targets=targets)

    @pytest.mark.parametrize("params, message", [
        ({"target": 100, "cap": "120"}, "cap must be a number, got '120'"),
        ({"target": "100"}, "target must be a number"),
        ({"target": [100, "x"]}, "target must be a number"),
    ])
    def test_text_parameters_raise_value_error(self, params, message):
        # cap="120" used to raise a bare TypeError from np.isfinite
        with pytest.raises(ValueError, match=rf"indicator 'kpi': {message}"):
            normalize([1.0, 2.0], "higher", "target", name="kpi", **params)
        with pytest.raises(ValueError, match=r"indicator 'kpi': falloff must be a number"):
            normalize([1.0], "band", "band", lower=0, upper=1, falloff="5", name="kpi")

    @pytest.mark.parametrize("method, params, key", [
        ("target", {"target": [100, 90]}, "target"),
        ("band", {"lower": [1, 2], "upper": 5, "falloff": 1}, "lower"),
        ("band", {"lower": 1, "upper": [5, 6, 7, 8], "falloff": 1}, "upper"),
    ])
    def test_per_project_parameters_of_the_wrong_length_raise(self, method, params, key):
        direction = "band" if method == "band" else "higher"
        size = len(params[key])
        with pytest.raises(ValueError, match=rf"indicator 'kpi': {key} has {size} per-project values .* for 3 values"):
            normalize([1.0, 2.0, 3.0], direction, method, name="kpi", **params)

    def test_per_project_band_bounds_of_the_right_length_work(self):
        # 5 inside [4, 6] → 100; 5 is 1 above [2, 4] → 50 with falloff 2
        assert normalize([5.0, 5.0], "band", "band", lower=[4, 2], upper=[6, 4], falloff=2).tolist() == [100.0, 50.0]

    def test_list_in_a_spec_cell_raises(self):
        values = pd.DataFrame({"on_time": [80.0, 90.0]})
        specs = pd.DataFrame({"direction": ["higher"], "method": ["target"], "target": [[100.0, 90.0]]},
                             index=["on_time"])
        with pytest.raises(ValueError, match=r"indicator 'on_time': spec target must be a single number"):
            normalize_frame(values, specs)
