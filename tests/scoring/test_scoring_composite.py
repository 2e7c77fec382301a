import numpy as np
import pandas as pd
import pytest

from scoring import composite, dimension_contributions, effective_weights, indicator_dimensions

NaN = np.nan
TREE = {
    "progress": (0.4, {"on_time": 1, "milestones": 3}),
    "quality": (0.6, {"defects": 2, "rework": (1, {"rework_rate": 1, "rework_cost": 3})}),
}


class TestEffectiveWeights:
    def test_three_levels_hand_computed(self):
        # progress 0.4 × 1/4 = 0.1 and 0.4 × 3/4 = 0.3; quality: defects 0.6 × 2/3 = 0.4,
        # rework 0.6 × 1/3 = 0.2 split 1:3 → 0.05 and 0.15
        result = effective_weights(TREE)
        assert result.index.tolist() == ["on_time", "milestones", "defects", "rework_rate", "rework_cost"]
        assert result.tolist() == pytest.approx([0.1, 0.3, 0.4, 0.05, 0.15])
        assert result.sum() == pytest.approx(1.0)

    def test_any_positive_scale(self):
        scaled = {"progress": (40, {"on_time": 10, "milestones": 30}),
                  "quality": (60, {"defects": 14, "rework": (7, {"rework_rate": 5, "rework_cost": 15})})}
        pd.testing.assert_series_equal(effective_weights(scaled), effective_weights(TREE))

    def test_flat_mapping_and_series(self):
        assert effective_weights({"a": 1, "b": 3}).tolist() == [0.25, 0.75]
        assert effective_weights(pd.Series({"a": 1, "b": 3})).tolist() == [0.25, 0.75]

    def test_zero_weight_is_kept(self):
        assert effective_weights({"a": 0, "b": 2}).tolist() == [0.0, 1.0]

    @pytest.mark.parametrize("tree, message", [
        # a dimension without its weight, or written as a list, used to read "weight must be a finite number"
        ({"progress": {"a": 1}}, r"'progress' has children but no weight: a dimension is written as a tuple "
                                 r"\(weight, \{children\}\)"),
        ({"progress": [0.4, {"a": 1}]}, r"'progress': a dimension is written as a tuple \(weight, \{children\}\), "
                                        r"not a list"),
        ({"q": (1, {"deep": {"a": 1}})}, r"'q > deep' has children but no weight"),
        ({"a": "0.4"}, r"weight of 'a' must be a finite number, got '0.4' \(an indicator is written name: weight, "
                       r"a dimension name: \(weight, \{children\}\)\)"),
    ])
    def test_misformatted_dimensions_say_what_is_expected(self, tree, message):
        with pytest.raises(ValueError, match=message):
            effective_weights(tree)

    @pytest.mark.parametrize("tree, message", [
        ({"a": -1, "b": 2}, "weight of 'a' is negative"),
        ({"q": (1, {"a": 0, "b": 0}), "p": (1, {"c": 1})}, "all weights under 'q' are zero"),
        ({"a": 0}, "under 'top level' are zero"),
        ({"a": NaN}, "weight of 'a' must be a finite number"),
        ({"a": True}, "must be a finite number"),
        ({"q": (1, {"a": 1}), "p": (1, {"a": 1})}, "'a' appear more than once"),
        ({"q": (1, 2, 3)}, r"'q': a dimension is written \(weight, \{children\}\)"),
        ({"q": (1, {"deep": (-2, {"a": 1})})}, "weight of 'q > deep' is negative"),
    ])
    def test_invalid_trees_raise(self, tree, message):
        with pytest.raises(ValueError, match=message):
            effective_weights(tree)

    @pytest.mark.parametrize("series, message", [
        (pd.Series({"a": -1.0, "b": 1.0}), "'a' is negative"),
        (pd.Series({"a": 0.0, "b": 0.0}), "are zero"),
    ])
    def test_invalid_series_raise(self, series, message):
        with pytest.raises(ValueError, match=message):
            effective_weights(series)

    def test_indicator_dimensions(self):
        assert indicator_dimensions(TREE).to_dict() == {
            "on_time": "progress", "milestones": "progress", "defects": "quality",
            "rework_rate": "quality", "rework_cost": "quality"}


@pytest.fixture
def scores():
    return pd.DataFrame({"a": [80.0, 50.0, NaN], "b": [60.0, NaN, NaN], "c": [100.0, 90.0, 70.0],
                         "unused": [1.0, 2.0, 3.0]}, index=pd.Index(["p1", "p2", "p3"], name="project"))


WEIGHTS = {"a": 2, "b": 1, "c": 1}  # → 0.5, 0.25, 0.25


class TestComposite:
    def test_columns_and_index(self, scores):
        result = composite(scores, WEIGHTS)
        assert result.columns.tolist() == ["total", "coverage", "reason", "a", "b", "c"]
        assert result.index.equals(scores.index)
        assert isinstance(result["reason"].dtype, pd.StringDtype)

    def test_full_data_hand_computed(self, scores):
        # p1: 0.5·80 + 0.25·60 + 0.25·100 = 40 + 15 + 25 = 80
        row = composite(scores, WEIGHTS).loc["p1"]
        assert (row["a"], row["b"], row["c"], row["total"], row["coverage"]) == (40.0, 15.0, 25.0, 80.0, 1.0)
        assert pd.isna(row["reason"])

    def test_renormalize_spreads_weight_over_present(self, scores):
        # p2 has a and c: coverage 0.75; a: 0.5·50/0.75 = 33.33, c: 0.25·90/0.75 = 30 → 63.33
        row = composite(scores, WEIGHTS).loc["p2"]
        assert row["coverage"] == 0.75
        assert row["a"] == pytest.approx(100 / 3) and row["c"] == pytest.approx(30.0) and row["b"] == 0.0
        assert row["total"] == pytest.approx(190 / 3)

    def test_zero_policy_scores_missing_as_zero(self, scores):
        # p2: 0.5·50 + 0 + 0.25·90 = 25 + 22.5 = 47.5
        row = composite(scores, WEIGHTS, missing="zero").loc["p2"]
        assert (row["a"], row["b"], row["c"], row["total"]) == (25.0, 0.0, 22.5, 47.5)

    def test_below_min_coverage_gets_nan_and_reason(self, scores):
        # p3 has only c: coverage 0.25 < 0.6
        for missing in ("renormalize", "zero"):
            row = composite(scores, WEIGHTS, missing=missing).loc["p3"]
            assert np.isnan(row["total"]) and np.isnan(row[["a", "b", "c"]].astype(float)).all()
            assert row["coverage"] == 0.25
            assert row["reason"] == "coverage 25% is below the minimum 60%; missing: a, b"

    def test_min_coverage_zero_scores_everyone_with_data(self, scores):
        # p3 renormalised on c alone: 0.25·70/0.25 = 70; zero policy: 0.25·70 = 17.5
        assert composite(scores, WEIGHTS, min_coverage=0).at["p3", "total"] == 70.0
        assert composite(scores, WEIGHTS, missing="zero", min_coverage=0).at["p3", "total"] == 17.5

    def test_no_data_reason(self):
        result = composite(pd.DataFrame({"a": [NaN]}), {"a": 1}, min_coverage=0)
        assert np.isnan(result.at[0, "total"]) and result.at[0, "reason"] == "no data for any weighted indicator"

    def test_coverage_exactly_at_minimum_passes_despite_float_noise(self):
        # 0.1 + 0.2 + 0.3 is 0.6000000000000001 or 0.5999999999999999 depending on order; both count as 0.6
        scores = pd.DataFrame({"a": [50.0], "b": [50.0], "c": [50.0], "d": [NaN]})
        result = composite(scores, {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4})
        assert result.at[0, "total"] == pytest.approx(50.0)

    def test_contributions_sum_exactly_to_total(self, scores):
        result = composite(scores, {"a": 0.37, "b": 0.21, "c": 0.11})
        for _, row in result.dropna(subset=["total"]).iterrows():
            assert sum(row[["a", "b", "c"]]) == row["total"]

    def test_accepts_weight_tree(self):
        scores = pd.DataFrame({"on_time": [100.0], "milestones": [0.0], "defects": [50.0],
                               "rework_rate": [100.0], "rework_cost": [0.0]})
        # 0.1·100 + 0.3·0 + 0.4·50 + 0.05·100 + 0.15·0 = 10 + 20 + 5 = 35
        assert composite(scores, TREE).at[0, "total"] == pytest.approx(35.0)

    @pytest.mark.parametrize("kwargs, message", [
        (dict(weights={"a": 1, "zz": 1}), "'zz' have a weight but no score column"),
        (dict(weights={"a": 1}, missing="mean"), "unknown missing policy 'mean'"),
        (dict(weights={"a": 1}, min_coverage=1.5), "min_coverage must lie in 0..1"),
    ])
    def test_errors(self, scores, kwargs, message):
        with pytest.raises(ValueError, match=message):
            composite(scores, **kwargs)

    def test_reserved_and_text_columns_raise(self):
        with pytest.raises(ValueError, match="'total'.*clash"):
            composite(pd.DataFrame({"total": [1.0]}), {"total": 1})
        with pytest.raises(ValueError, match="'a'.*numeric"):
            composite(pd.DataFrame({"a": ["x"]}), {"a": 1})


class TestDimensionContributions:
    def test_sums_by_dimension(self, scores):
        result = composite(scores, WEIGHTS)
        dims = dimension_contributions(result, {"a": "progress", "b": "progress", "c": "quality"})
        # p1: progress 40 + 15 = 55, quality 25
        assert dims.loc["p1"].tolist() == [55.0, 25.0]
        assert dims.columns.tolist() == ["progress", "quality"]
        np.testing.assert_allclose(dims.sum(axis=1)[:2], result["total"][:2])
        assert dims.loc["p3"].isna().all()

    def test_unmapped_indicator_raises(self, scores):
        with pytest.raises(ValueError, match="'c' have no dimension"):
            dimension_contributions(composite(scores, WEIGHTS), {"a": "x", "b": "x"})
