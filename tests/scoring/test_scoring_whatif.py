import functools
import operator

import numpy as np
import pandas as pd
import pytest

from scoring import composite, rank, whatif
from scoring.aggregation import batched_totals, weighted_contributions

NaN = np.nan


@pytest.fixture
def scores():
    return pd.DataFrame({"a": [90.0, 60.0, 80.0, NaN], "b": [50.0, 100.0, 70.0, 40.0]},
                        index=pd.Index(["p1", "p2", "p3", "p4"], name="project"))


def top_set(scores, weights, k, **options):
    ranks = rank(composite(scores, weights, **options)["total"])
    return set(ranks.index[(ranks <= k).fillna(False)])


def rescaled(weights, j, t):
    w = pd.Series(weights, dtype=float)
    w = w / w.sum()
    moved = w * (1 - t) / (1 - w.iloc[j])
    moved.iloc[j] = t
    return moved


def rescaled_matrix(weights, j, ts):
    """One rescaled weight vector per t (rows), as :func:`rescaled`."""
    w = np.array(list(weights.values()), dtype=float)
    w = w / w.sum()
    moved = w[None, :] * ((1 - ts) / (1 - w[j]))[:, None]
    moved[:, j] = ts
    return moved


def brute_force_top_sets(values, weight_rows, k, missing="renormalize", min_coverage=0.6):
    """Top-k sets (ties included) for many weight vectors at once, straight from the definitions."""
    present = ~np.isnan(values)
    coverage = present @ weight_rows.T
    numerator = np.where(present, values, 0.0) @ weight_rows.T
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = numerator / coverage if missing == "renormalize" else numerator
    totals = np.round(np.where((coverage > 0) & (coverage >= min_coverage - 1e-12), totals, np.nan), 9)
    sets = []
    for column in totals.T:
        better = (column[None, :] > column[:, None]).sum(axis=1)  # NaN compares False
        sets.append(set(np.flatnonzero(~np.isnan(column) & (better < k)).tolist()))
    return sets


class TestCompare:
    def test_hand_computed_and_movers_first(self, scores):
        # base a:b = 3:1 → p1 0.75·90 + 0.25·50 = 80, p2 0.75·60 + 0.25·100 = 70, p3 60 + 17.5 = 77.5,
        #   p4 only b: coverage 0.25 < 0.6 → unscored
        # new a:b = 1:3 → p1 22.5 + 37.5 = 60, p2 15 + 75 = 90, p3 20 + 52.5 = 72.5, p4 coverage 0.75: 40
        result = whatif.compare(scores, {"a": 3, "b": 1}, {"a": 1, "b": 3})
        assert result.index.tolist() == ["p2", "p1", "p3", "p4"]
        assert result.columns.tolist() == ["base_total", "new_total", "change", "base_rank", "new_rank", "rank_change"]
        assert result.loc["p2"].tolist() == [70.0, 90.0, 20.0, 3, 1, 2]
        assert result.loc["p1"].tolist() == [80.0, 60.0, -20.0, 1, 3, -2]
        assert result.loc["p3", "rank_change"] == 0
        assert pd.isna(result.loc["p4", "base_rank"]) and result.loc["p4", "new_rank"] == 4
        assert pd.isna(result.loc["p4", "rank_change"])

    def test_totals_equal_composite_bit_for_bit(self, scores):
        weights = {"a": 0.37, "b": 0.63}
        result = whatif.compare(scores, weights, weights).reindex(scores.index)
        np.testing.assert_array_equal(result["base_total"], composite(scores, weights)["total"])
        assert (result["rank_change"].dropna() == 0).all()


class TestStability:
    def test_two_projects_hand_computed(self):
        # p1 = 100·t_a, p2 = 100·(1 − t_a): p1 leads while t_a > 0.5
        scores = pd.DataFrame({"a": [100.0, 0.0], "b": [0.0, 100.0]}, index=["p1", "p2"])
        result = whatif.stability(scores, {"a": 0.6, "b": 0.4}, top_k=1)
        assert result.loc["a"].tolist() == [0.6, 0.5, 1.0]
        assert result.loc["b"].tolist() == pytest.approx([0.4, 0.0, 0.5])

    def test_three_indicators_hand_computed(self):
        # w = (.5, .25, .25). Move a to t, b and c get (1 − t)/2 each:
        # p1 = 100t, p2 = 50(1 − t) + 50(1 − t)·0 → p2 (0, 100, 0): 100·(1 − t)/2
        # p1 leads while 100t > 50(1 − t) ⇔ t > 1/3
        scores = pd.DataFrame({"a": [100.0, 0.0], "b": [0.0, 100.0], "c": [0.0, 0.0]}, index=["p1", "p2"])
        result = whatif.stability(scores, {"a": 2, "b": 1, "c": 1}, top_k=1)
        assert result.loc["a", "lower"] == pytest.approx(1 / 3) and result.loc["a", "upper"] == 1.0
        # move c to t: a = .5(1 − t)/.75, b = .25(1 − t)/.75 → p1 always twice p2 until t = 1 where both are 0
        assert result.loc["c", "lower"] == 0.0 and result.loc["c", "upper"] == pytest.approx(1.0)

    def test_top_project_dropping_below_min_coverage(self):
        # p1 has only a: renormalised total 100 while its coverage (= weight of a) is ≥ 0.6; p2 scores 50
        # flat. Moving b to t leaves a with 1 − t, below 0.6 once t > 0.4; moving a below 0.6 does the same.
        scores = pd.DataFrame({"a": [100.0, 50.0], "b": [NaN, 50.0]}, index=["p1", "p2"])
        result = whatif.stability(scores, {"a": 0.7, "b": 0.3}, top_k=1)
        assert result.loc["a", ["lower", "upper"]].tolist() == pytest.approx([0.6, 1.0])
        assert result.loc["b", ["lower", "upper"]].tolist() == pytest.approx([0.0, 0.4])

    def test_outsider_overtakes_then_drops_below_min_coverage(self):
        # Moving c to t (a gets 1 − t): p1 has only a, so its total stays 58 while its coverage 1 − t ≥ 0.55,
        # i.e. t ≤ 0.45; p2 = 70(1 − t) + 40t = 70 − 30t, p3 = 7 + 40t. At t = 0.3 p2 (61) leads.
        # p2 = 58 at t = 0.4: from there until p1 drops out at 0.45 p1 leads (t = 0.42: 58 vs 57.4),
        # then p2 leads again until p3 catches it at t = 0.9. The top-1 set {p2} holds for c in (0, 0.4),
        # so a (= 1 − c) holds it in (0.6, 1).
        scores = pd.DataFrame({"a": [58.0, 70.0, 7.0], "c": [NaN, 40.0, 47.0]}, index=["p1", "p2", "p3"])
        result = whatif.stability(scores, {"a": 0.7, "c": 0.3}, top_k=1, min_coverage=0.55)
        assert result.loc["c", ["lower", "upper"]].tolist() == pytest.approx([0.0, 0.4])
        assert result.loc["a", ["lower", "upper"]].tolist() == pytest.approx([0.6, 1.0])
        assert top_set(scores, {"a": 0.58, "c": 0.42}, 1, min_coverage=0.55) == {"p1"}

    def test_bounds_are_never_negative_zero(self):
        # p1 leads everywhere; p2/p3 cross p1 only at a = 0, a root that used to come out as -0.0
        scores = pd.DataFrame({"a": [100.0, 0.0, 0.0], "b": [50.0, NaN, 50.0]})
        result = whatif.stability(scores, {"a": 0.6, "b": 0.4}, top_k=1, min_coverage=0.0)
        assert result[["lower", "upper"]].to_numpy().tolist() == [[0.0, 1.0], [0.0, 1.0]]
        assert not np.signbit(result[["lower", "upper"]].to_numpy()).any()

    @pytest.mark.parametrize("missing", ["renormalize", "zero"])
    @pytest.mark.parametrize("min_coverage", [0.6, 0.3, 0.0])
    @pytest.mark.parametrize("seed", range(8))
    def test_bounds_are_tight_against_brute_force(self, seed, min_coverage, missing):
        rng = np.random.default_rng(seed)
        n, k = 9, 3
        values = rng.uniform(0, 100, size=(n, k))
        values[rng.random((n, k)) < 0.3] = NaN
        scores = pd.DataFrame(values, columns=list("abc"))
        weights = dict(zip("abc", rng.uniform(0.2, 1, size=k), strict=True))
        top_k = int(rng.integers(1, 4))
        options = dict(missing=missing, min_coverage=min_coverage)
        result = whatif.stability(scores, weights, top_k, **options)
        current = top_set(scores, weights, top_k, **options)
        grid = np.linspace(0, 1, 2001)
        for j, name in enumerate("abc"):
            lower, upper = result.loc[name, ["lower", "upper"]]
            assert lower <= result.loc[name, "weight"] <= upper
            # every weight strictly inside the interval keeps the top set (a fine grid, computed independently)
            inside = grid[(grid > lower + 1e-9) & (grid < upper - 1e-9)]
            sets = brute_force_top_sets(values, rescaled_matrix(weights, j, inside), top_k, **options)
            assert all(s == current for s in sets), name
            # and it is as wide as it can be: just past each bound the set differs
            if upper < 1 - 1e-6:
                assert top_set(scores, rescaled(weights, j, upper + 1e-7), top_k, **options) != current
            if lower > 1e-6:
                assert top_set(scores, rescaled(weights, j, lower - 1e-7), top_k, **options) != current

    @pytest.mark.parametrize("missing", ["renormalize", "zero"])
    def test_probed_totals_equal_the_composite_core_bit_for_bit(self, missing):
        # stability re-scores many weightings at once; each must be the dashboard's total exactly
        rng = np.random.default_rng(4)
        values = rng.uniform(0, 100, size=(300, 7))
        values[rng.random(values.shape) < 0.3] = NaN
        weight_rows = rng.dirichlet(np.ones(7), size=40)
        present = (~np.isnan(values)).astype(float)
        for min_coverage in (0.0, 0.6):
            batch = batched_totals(np.nan_to_num(values), present, weight_rows, missing, min_coverage)
            for row, w in zip(batch, weight_rows, strict=True):
                # the array core of composite (composite itself would rescale w to sum 1 once more)
                np.testing.assert_array_equal(row, weighted_contributions(values, w, missing, min_coverage)[1])

    def test_single_weight_raises(self, scores):
        with pytest.raises(ValueError, match="'a' holds all the weight"):
            whatif.stability(scores, {"a": 1, "b": 0}, 1)
        with pytest.raises(ValueError, match="top_k"):
            whatif.stability(scores, {"a": 1, "b": 1}, 0)


def assert_parts_add_up_exactly(result):
    """Per project: each effect = its parts added left to right; change = data + weight effect; all exact."""
    summary = result.summary
    for project in summary.index:
        data, weights = result.data.loc[project].to_list(), result.weights.loc[project].to_list()
        row = summary.loc[project]
        if np.isnan(row["change"]):
            assert np.isnan(data).all() and np.isnan(weights).all()
            continue
        assert functools.reduce(operator.add, data, 0.0) == row["data_effect"]
        assert functools.reduce(operator.add, weights, 0.0) == row["weight_effect"]
        assert row["data_effect"] + row["weight_effect"] == row["change"]
        assert row["change"] == pytest.approx(row["total_after"] - row["total_before"], abs=1e-9)


class TestExplainChange:
    def test_hand_computed_shapley_split(self):
        before = pd.DataFrame({"a": [80.0], "b": [60.0]})
        after = pd.DataFrame({"a": [90.0], "b": [60.0]})
        result = whatif.explain_change(before, {"a": 1, "b": 1}, after, {"a": 3, "b": 1})
        # c(S0,w0) = (40, 30); c(S1,w1) = (67.5, 15); c(S1,w0) = (45, 30); c(S0,w1) = (60, 15)
        # data    = ½[(45−40, 0) + (67.5−60, 0)] = (6.25, 0)
        # weights = ½[(60−40, 15−30) + (67.5−45, 15−30)] = (21.25, −15)
        # 6.25 + 21.25 − 15 = 12.5 = 82.5 − 70
        assert result.data.loc[0].tolist() == [6.25, 0.0]
        assert result.weights.loc[0].tolist() == [21.25, -15.0]
        assert result.summary.loc[0].tolist() == [70.0, 82.5, 12.5, 6.25, 6.25]

    def test_weights_only_change_has_no_data_part(self, scores):
        result = whatif.explain_change(scores, {"a": 1, "b": 1}, scores, {"a": 1, "b": 4})
        assert (result.data.dropna() == 0).all().all()
        scored = result.summary.dropna()
        assert (scored["weight_effect"] == scored["change"]).all()
        assert_parts_add_up_exactly(result)

    def test_parts_sum_to_change_with_new_indicator_and_projects(self, scores):
        after = scores.assign(c=[10.0, 90.0, 50.0, 70.0], b=[55.0, 100.0, 60.0, 40.0])
        after.loc["p5"] = [70.0, 70.0, 70.0]
        result = whatif.explain_change(scores, {"a": 1, "b": 1}, after, {"a": 1, "b": 1, "c": 2})
        assert result.data.columns.tolist() == ["a", "b", "c"]
        both = result.summary.dropna()
        assert both.index.tolist() == ["p1", "p2", "p3"]  # p4 unscored before, p5 new
        assert_parts_add_up_exactly(result)
        assert result.data.loc["p5"].isna().all() and np.isnan(result.summary.loc["p5", "change"])

    @pytest.mark.parametrize("seed", range(20))
    @pytest.mark.parametrize("missing", ["renormalize", "zero"])
    def test_parts_add_up_bit_for_bit_on_random_data(self, seed, missing):
        rng = np.random.default_rng(seed)
        n, k = 40, 6
        columns = [f"i{j}" for j in range(k)]

        def table():
            values = rng.uniform(0, 100, size=(n, k))
            values[rng.random((n, k)) < 0.15] = NaN
            return pd.DataFrame(values, columns=columns)

        def weights():
            return pd.Series(rng.uniform(0.01, 3, size=k), index=columns)

        result = whatif.explain_change(table(), weights(), table(), weights(), missing=missing, min_coverage=0.5)
        assert result.summary["change"].notna().sum() > n // 2
        assert_parts_add_up_exactly(result)


class TestRankUncertainty:
    def test_matches_sample_by_sample_reference(self):
        rng = np.random.default_rng(11)
        scores = pd.DataFrame(rng.uniform(0, 100, size=(12, 4)), columns=list("abcd"))
        scores.iloc[2, 1] = NaN
        weights = pd.Series({"a": 0.4, "b": 0.3, "c": 0.0, "d": 0.3})
        result = whatif.rank_uncertainty(scores, weights, samples=60, concentration=20, seed=5, top_k=3)
        draws = np.random.default_rng(5).dirichlet(20 * weights[weights > 0].to_numpy(), size=60)
        ranks = np.array([rank(composite(scores, pd.Series(d, index=["a", "b", "d"]))["total"]).to_numpy(dtype=float)
                          for d in draws])
        for q, column in ((5, "rank_p5"), (50, "rank_p50"), (95, "rank_p95")):
            # percentiles are over the samples in which a project is scored (row 2 sometimes is not)
            np.testing.assert_allclose(result[column], np.nanpercentile(ranks, q, axis=0))
        np.testing.assert_allclose(result["p_top_k"], (ranks <= 3).mean(axis=0))
        assert result["rank"].tolist() == rank(composite(scores, weights)["total"]).tolist()

    def test_deterministic_for_a_seed_and_independent_of_chunking(self, scores, monkeypatch):
        first = whatif.rank_uncertainty(scores, {"a": 1, "b": 1}, samples=40, seed=3, top_k=2)
        pd.testing.assert_frame_equal(first, whatif.rank_uncertainty(scores, {"a": 1, "b": 1}, samples=40, seed=3,
                                                                     top_k=2))
        monkeypatch.setattr(whatif, "_CELLS_PER_CHUNK", 7)
        pd.testing.assert_frame_equal(first, whatif.rank_uncertainty(scores, {"a": 1, "b": 1}, samples=40, seed=3,
                                                                     top_k=2))

    def test_unscored_samples_are_left_out(self):
        # Totals under weights (1 − b, b): p1 = 100 − 20b, p2 = 70, p3 = 50, and p4 (only b) = 85 but
        # scored only while its coverage b ≥ 0.6. So the ranks in each sample depend only on b:
        #   b < 0.6          p4 unscored          p1 1, p2 2, p3 3
        #   0.6 ≤ b < 0.75   p1 = 85..88 > p4     p1 1, p4 2, p2 3, p3 4
        #   b ≥ 0.75         p4 = 85 ≥ p1         p4 1, p1 2, p2 3, p3 4
        scores = pd.DataFrame({"a": [100.0, 70.0, 50.0, NaN], "b": [80.0, 70.0, 50.0, 85.0]},
                              index=["p1", "p2", "p3", "p4"])
        weights = {"a": 0.42, "b": 0.58}  # currently p4 is unscored (coverage 0.58)
        result = whatif.rank_uncertainty(scores, weights, samples=400, concentration=20, seed=7, top_k=1)
        b = np.random.default_rng(7).dirichlet([20 * 0.42, 20 * 0.58], size=400)[:, 1]
        n0, n1, n2 = int((b < 0.6).sum()), int(((b >= 0.6) & (b < 0.75)).sum()), int((b >= 0.75).sum())
        assert min(n0, n1, n2) >= 20  # every regime occurs
        samples = {"p1": [1] * (n0 + n1) + [2] * n2, "p2": [2] * n0 + [3] * (n1 + n2),
                   "p3": [3] * n0 + [4] * (n1 + n2), "p4": [2] * n1 + [1] * n2}  # p4: only where scored
        expected = pd.DataFrame({f"rank_p{q}": {p: np.percentile(r, q) for p, r in samples.items()}
                                 for q in (5, 50, 95)})
        pd.testing.assert_frame_equal(result[["rank_p5", "rank_p50", "rank_p95"]], expected, check_exact=False,
                                      rtol=0, atol=1e-12)
        assert result["rank"].tolist() == [1, 2, 3, pd.NA]
        assert result["p_top_k"].tolist() == [(n0 + n1) / 400, 0.0, 0.0, n2 / 400]

    def test_high_concentration_keeps_current_ranks(self, scores):
        result = whatif.rank_uncertainty(scores, {"a": 1, "b": 1}, samples=50, concentration=1e7, top_k=1)
        scored = result.dropna(subset=["rank_p50"])
        assert (scored["rank_p5"] == scored["rank"]).all() and (scored["rank_p95"] == scored["rank"]).all()
        assert result["p_top_k"].tolist() == [float(r == 1) for r in result["rank"].fillna(0)]

    def test_bad_arguments(self, scores):
        with pytest.raises(ValueError, match="concentration > 0"):
            whatif.rank_uncertainty(scores, {"a": 1}, concentration=0)
