import math
import warnings

import numpy as np
import pandas as pd
import pytest

from scoring import topsis
from scoring.weights import SAATY_RANDOM_INDEX, ahp, ahp_group, combine, critic, entropy

NaN = np.nan


# ---------------------------------------------------------------- independent loop references


def reference_ahp(a):
    """Power iteration on plain lists: λmax and priorities without numpy's eigen-solver."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(1000):
        v = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        total = sum(v)
        w = [x / total for x in v]
    lam = sum(sum(a[i][j] * w[j] for j in range(n)) / w[i] for i in range(n)) / n
    return w, lam


def reference_entropy(x):
    m, n = len(x), len(x[0])
    d = []
    for j in range(n):
        col = [x[i][j] for i in range(m)]
        s = sum(col)
        e = -sum((v / s) * math.log(v / s) for v in col if v > 0) / math.log(m)
        d.append(1 - e)
    return [v / sum(d) for v in d]


def reference_topsis(x, w, directions):
    m, n = len(x), len(x[0])
    norms = [math.sqrt(sum(x[i][j] ** 2 for i in range(m))) for j in range(n)]
    v = [[w[j] * x[i][j] / norms[j] for j in range(n)] for i in range(m)]
    best = [max(r[j] for r in v) if directions[j] > 0 else min(r[j] for r in v) for j in range(n)]
    worst = [min(r[j] for r in v) if directions[j] > 0 else max(r[j] for r in v) for j in range(n)]
    out = []
    for r in v:
        dp = math.sqrt(sum((r[j] - best[j]) ** 2 for j in range(n)))
        dm = math.sqrt(sum((r[j] - worst[j]) ** 2 for j in range(n)))
        out.append(dm / (dp + dm))
    return out


def random_reciprocal(rng, n):
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            value = float(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9])) ** int(rng.choice([-1, 1]))
            a[i, j], a[j, i] = value, 1 / value
    return a


# ---------------------------------------------------------------- AHP


class TestAHP:
    def test_consistent_matrix_recovers_weights(self):
        # a_ij = w_i / w_j with w ∝ (4, 2, 1): λmax = n = 3, CI = CR = 0
        w = np.array([4, 2, 1]) / 7
        result = ahp(w[:, None] / w[None, :])
        assert result.weights == pytest.approx(w, abs=1e-12)
        assert result.lambda_max == pytest.approx(3.0) and result.cr == pytest.approx(0.0, abs=1e-12)
        assert result.consistent

    def test_saaty_three_by_three_closed_form(self):
        # For a 3×3 reciprocal matrix [[1,a,b],[.,1,c],[.,.,1]], λmax = 1 + r^(1/3) + r^(-1/3), r = ac/b.
        # a = 1/3, b = 1/2, c = 3 → r = 2 → λmax = 1 + 1.259921 + 0.793701 = 3.053622
        # CI = 0.053622/2 = 0.026811, CR = 0.026811/0.58 = 0.046226.
        # For n = 3 the eigenvector equals the row geometric means:
        # (1/6)^(1/3) = 0.550321, 9^(1/3) = 2.080084, (2/3)^(1/3) = 0.873580, sum 3.503985
        result = ahp([[1, 1 / 3, 1 / 2], [3, 1, 3], [2, 1 / 3, 1]])
        assert result.lambda_max == pytest.approx(1 + 2 ** (1 / 3) + 2 ** (-1 / 3), abs=1e-9)
        assert result.ci == pytest.approx(0.026811, abs=1e-6)
        assert result.cr == pytest.approx(0.046226, abs=1e-6)
        assert result.weights == pytest.approx([0.157056, 0.593634, 0.249311], abs=1e-6)
        assert result.consistent

    def test_inconsistent_matrix_flagged(self):
        # a = 9, b = 1/9, c = 9 → r = 729 → λmax = 1 + 9 + 1/9 = 10.111, CI = 3.556, CR = 6.13
        result = ahp([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
        assert result.lambda_max == pytest.approx(1 + 9 + 1 / 9)
        assert result.cr == pytest.approx((1 + 9 + 1 / 9 - 3) / 2 / 0.58)
        assert not result.consistent

    def test_random_index_table(self):
        assert [SAATY_RANDOM_INDEX[n] for n in range(3, 16)] == [
            .58, .90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.54, 1.56, 1.58, 1.59]

    @pytest.mark.parametrize("n", [3, 4, 6, 9, 15])
    def test_matches_power_iteration(self, n):
        a = random_reciprocal(np.random.default_rng(n), n)
        w, lam = reference_ahp(a.tolist())
        result = ahp(a)
        assert result.weights == pytest.approx(w, abs=1e-9)
        assert result.lambda_max == pytest.approx(lam, abs=1e-9)
        assert result.cr == pytest.approx(max(lam - n, 0) / (n - 1) / SAATY_RANDOM_INDEX[n], abs=1e-9)

    def test_small_matrices_have_zero_cr(self):
        assert ahp([[1]]).weights.tolist() == [1.0]
        two = ahp([[1, 3], [1 / 3, 1]])
        # 2×2 is always consistent: weights 3/4, 1/4
        assert two.weights == pytest.approx([0.75, 0.25]) and two.cr == 0.0 and two.ci == 0.0

    def test_upper_triangle_is_completed(self):
        full = ahp([[1, 1 / 3, 1 / 2], [3, 1, 3], [2, 1 / 3, 1]])
        for empty in (NaN, 0):
            upper = ahp([[1, 1 / 3, 1 / 2], [empty, 1, 3], [empty, empty, 1]])
            assert upper.weights == pytest.approx(full.weights, abs=1e-12)

    def test_typed_reciprocals_are_tolerated_and_made_exact(self):
        result = ahp([[1, 3], [0.33, 1]])
        # a_12 ← √(3/0.33) = 3.0151: weights 3.0151/4.0151
        assert result.weights[0] == pytest.approx(math.sqrt(3 / 0.33) / (1 + math.sqrt(3 / 0.33)))

    def test_tolerance_is_configurable(self):
        with pytest.raises(ValueError, match="not reciprocal"):
            ahp([[1, 3], [0.33, 1]], tolerance=0.001)

    def test_dataframe_in_series_out(self):
        labels = ["cost", "time"]
        result = ahp(pd.DataFrame([[1, 3], [1 / 3, 1]], index=labels, columns=labels))
        assert result.weights.index.tolist() == labels

    @pytest.mark.parametrize("matrix, message", [
        ([[1, 2, 3], [0.5, 1, 2]], "must be square"),
        ([[1, -2], [-0.5, 1]], r"pairwise\[0, 1\] = -2: comparisons must be positive"),
        ([[1, 3], [0.5, 1]], r"pairwise\[0, 1\] = 3 and pairwise\[1, 0\] = 0.5 are not reciprocal \(product 1.5"),
        ([[2, 1], [1, 1]], r"pairwise\[0, 0\] = 2: the diagonal must be 1"),
        ([[1, np.inf], [0, 1]], r"pairwise\[0, 1\] = inf"),
        (np.ones((16, 16)), "beyond Saaty's random-index table"),
    ])
    def test_invalid_matrices_name_the_cell(self, matrix, message):
        with pytest.raises(ValueError, match=message):
            ahp(matrix)

    def test_labels_in_error(self):
        labels = ["cost", "time"]
        with pytest.raises(ValueError, match=r"pairwise\['cost', 'time'\] = 3 and"):
            ahp(pd.DataFrame([[1, 3], [0.5, 1]], index=labels, columns=labels))
        with pytest.raises(ValueError, match="same labels"):
            ahp(pd.DataFrame([[1, 3], [1 / 3, 1]], index=["a", "b"], columns=labels))


def test_zero_in_the_upper_triangle_names_the_cell_without_a_warning():
    upper = [[1, 0, 2], [NaN, 1, 3], [NaN, NaN, 1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 1/0 while completing the lower triangle used to warn first
        with pytest.raises(ValueError, match=r"pairwise\[0, 1\] = 0: comparisons must be positive"):
            ahp(upper)


class TestAHPGroup:
    def test_geometric_mean_hand_computed(self):
        # √(4·1) = 2 and √(1/4·1) = 1/2 → weights 2/3, 1/3
        group = ahp_group([[[1, 4], [1 / 4, 1]], [[1, 1], [1, 1]]])
        assert np.asarray(group.combined) == pytest.approx(np.array([[1, 2], [0.5, 1]]))
        assert group.group.weights == pytest.approx([2 / 3, 1 / 3])
        assert group.cr.index.tolist() == [0, 1, "group"]

    def test_each_expert_and_group_cr(self):
        consistent = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
        inconsistent = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
        group = ahp_group({"li": consistent, "wang": inconsistent})
        assert group.experts["li"].cr == pytest.approx(0, abs=1e-12)
        assert group.experts["wang"].cr == pytest.approx(ahp(inconsistent).cr)
        # combined: √(2·9) = 4.243, √(4/9) = 0.667, √(2·9) = 4.243 → r = 4.243·4.243/0.667 = 27, λ = 1 + 3 + 1/3
        assert group.cr["group"] == pytest.approx((1 + 3 + 1 / 3 - 3) / 2 / 0.58)
        assert group.cr["li"] == group.experts["li"].cr

    def test_errors_name_the_expert(self):
        with pytest.raises(ValueError, match=r"expert 'zhao': pairwise\[0, 1\]"):
            ahp_group({"li": [[1, 2], [0.5, 1]], "zhao": [[1, -1], [1, 1]]})
        with pytest.raises(ValueError, match="expert 1: matrix shape"):
            ahp_group([[[1, 2], [0.5, 1]], np.ones((3, 3))])
        with pytest.raises(ValueError, match="at least one"):
            ahp_group([])

    @pytest.mark.parametrize("first_plain", [True, False])
    def test_labels_are_checked_whichever_expert_comes_first(self, first_plain):
        a = [[1, 2], [0.5, 1]]
        xy = pd.DataFrame(a, index=["x", "y"], columns=["x", "y"])
        uv = pd.DataFrame(a, index=["u", "v"], columns=["u", "v"])
        experts = {"plain": np.array(a), "li": xy, "wang": uv} if first_plain else {"li": xy, "plain": a, "wang": uv}
        # with a plain array first, the DataFrames' labels used not to be compared at all
        with pytest.raises(ValueError, match=r"expert 'wang': criteria \['u', 'v'\] differ from \['x', 'y'\] "
                                             r"of expert 'li'"):
            ahp_group(experts)
        yx = xy.loc[["y", "x"], ["y", "x"]]
        with pytest.raises(ValueError, match="expert 'wang': criteria"):
            ahp_group({"plain": a, "li": xy, "wang": yx})
        group = ahp_group({"plain": a, "li": xy})
        assert group.group.weights.index.tolist() == ["x", "y"]
        assert group.experts["plain"].weights.index.tolist() == ["x", "y"]


# ---------------------------------------------------------------- entropy, CRITIC, combine


class TestEntropy:
    def test_textbook_hand_computed(self):
        x = [[1, 2, 0], [3, 2, 4]]
        # col 0: p = .25, .75 → e = (.25·ln4 + .75·ln(4/3))/ln2 = (0.346574 + 0.215762)/0.693147 = 0.811278,
        #        d = 0.188722
        # col 1: constant → e = 1, d = 0;  col 2: p = 0, 1 → e = 0, d = 1
        # weights: 0.188722/1.188722 = 0.158760, 0, 1/1.188722 = 0.841240
        assert entropy(np.array(x, dtype=float), [1, 1, 1]) == pytest.approx([0.158760, 0.0, 0.841240], abs=1e-6)

    def test_lower_is_better_mirrored_within_range(self):
        # [1, 2, 6] lower-is-better → max + min − x = [6, 5, 1]; compare with the higher-is-better column [6, 5, 1]
        lower = entropy(np.array([[1.0, 6.0], [2.0, 5.0], [6.0, 1.0]]), [-1, 1])
        assert lower[0] == pytest.approx(lower[1])

    def test_minmax_prenormalisation(self):
        # [1, 2, 3] → [0, .5, 1] → p = 0, 1/3, 2/3 → e = (1/3·ln3 + 2/3·ln1.5)/ln3 = 0.579380; d = 0.420620
        # [3, 1, 2] lower → (3 − x)/2 = [0, 1, .5] → same p multiset → same d → equal weights
        result = entropy(np.array([[1.0, 3.0], [2.0, 1.0], [3.0, 2.0]]), [1, -1], prenormalize="minmax")
        assert result == pytest.approx([0.5, 0.5])

    def test_matches_loop_reference_on_random_data(self):
        rng = np.random.default_rng(7)
        for _ in range(20):
            x = rng.uniform(0, 100, size=(rng.integers(2, 30), rng.integers(1, 8)))
            assert entropy(x, [1] * x.shape[1]) == pytest.approx(reference_entropy(x.tolist()), abs=1e-12)

    def test_dataframe_in_series_out(self):
        frame = pd.DataFrame({"cost": [1.0, 3.0], "speed": [2.0, 2.5]})
        assert entropy(frame, ["lower", "higher"]).index.tolist() == ["cost", "speed"]

    def test_leaves_its_input_untouched(self):
        # it works in place on its own copy: mirroring and p = x / Σx must not reach the caller's data
        array = np.array([[1.0, 5.0, 0.0], [3.0, 1.0, 2.0], [2.0, 4.0, 7.0]])
        frame = pd.DataFrame(array.copy(), columns=["a", "b", "c"])
        for prenormalize in ("none", "minmax"):
            entropy(array, [1, -1, 1], prenormalize=prenormalize)
            entropy(frame, [1, -1, 1], prenormalize=prenormalize)
        assert array.tolist() == [[1.0, 5.0, 0.0], [3.0, 1.0, 2.0], [2.0, 4.0, 7.0]]
        assert frame.to_numpy().tolist() == array.tolist()

    def test_a_share_too_small_to_represent_counts_as_zero(self):
        # 5e-324 / (5e-324 + 1e300) underflows to p = 0, so 0 ln 0 = 0: the column is as concentrated as [0, 1]
        tiny = entropy(np.array([[5e-324, 1.0], [1e300, 2.0]]), [1, 1])
        plain = entropy(np.array([[0.0, 1.0], [1e300, 2.0]]), [1, 1])
        assert tiny.tolist() == plain.tolist()

    def test_rows_in_either_memory_order_give_the_same_weights(self):
        x = np.random.default_rng(3).uniform(0, 50, (500, 6))
        directions = [1, -1, 1, -1, 1, 1]
        assert entropy(x, directions).tolist() == entropy(np.asfortranarray(x), directions).tolist()
        assert entropy(x, directions) == pytest.approx(reference_entropy(
            np.where([d < 0 for d in directions], x.max(axis=0) + x.min(axis=0) - x, x).tolist()), abs=1e-12)

    @pytest.mark.parametrize("matrix, directions, message", [
        ([[1.0, -1.0], [2.0, 1.0]], [1, 1], "criterion 1 has negative values"),
        ([[1.0, NaN], [2.0, 1.0]], [1, 1], "criterion 1 has missing"),
        ([[1.0, 1.0], [1.0, 1.0]], [1, 1], "no criterion varies"),
        ([[1.0], [2.0]], [1, 1], "2 directions for 1 criteria"),
        ([[1.0], [2.0]], ["band"], "unknown direction 'band'"),
        ([[1.0, 2.0]], [1, 1], "at least 2 alternatives"),
    ])
    def test_errors(self, matrix, directions, message):
        with pytest.raises(ValueError, match=message):
            entropy(np.array(matrix), directions)

    def test_unknown_prenormalisation(self):
        with pytest.raises(ValueError, match="unknown prenormalize"):
            entropy(np.array([[1.0], [2.0]]), [1], prenormalize="zscore")


class TestCritic:
    def test_hand_computed(self):
        # min-max: A = B = [0, .5, 1], C = [1, 0, .5]; every σ = 0.5
        # r_AB = 1, r_AC = r_BC = cov/var = (−.25/2)/.25 = −0.5
        # conflict A = (1−1) + (1−1) + (1+.5) = 1.5, B = 1.5, C = 1.5 + 1.5 = 3 → weights 1.5:1.5:3
        x = np.array([[1.0, 1.0, 3.0], [2.0, 2.0, 1.0], [3.0, 3.0, 2.0]])
        assert critic(x, [1, 1, 1]) == pytest.approx([0.25, 0.25, 0.5])

    def test_opposite_columns_share_equally(self):
        # [1,2,3] and [3,2,1] both higher-is-better: r = −1, conflicts 2 and 2
        assert critic(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), [1, 1]) == pytest.approx([0.5, 0.5])

    def test_direction_flips_correlation(self):
        # [3,2,1] as lower-is-better becomes [0, .5, 1]: identical to column A, no conflict; C = [1, 0, .5]
        # r_AB = 1, r_AC = r_BC = −0.5: conflicts 1.5, 1.5, 3 as above
        x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0], [3.0, 1.0, 2.0]])
        assert critic(x, [1, -1, 1]) == pytest.approx([0.25, 0.25, 0.5])

    def test_constant_column_gets_zero(self):
        assert critic(np.array([[1.0, 5.0, 1.0], [2.0, 5.0, 3.0], [3.0, 5.0, 2.0]]), [1, 1, 1])[1] == 0.0

    def test_all_constant_raises(self):
        with pytest.raises(ValueError, match="no criterion varies"):
            critic(np.ones((3, 2)), [1, 1])


class TestCombine:
    def test_linear_blend(self):
        # 0.75·(0.6, 0.4) + 0.25·(0.2, 0.8) = (0.45 + 0.05, 0.3 + 0.2) = (0.5, 0.5)
        assert combine([0.6, 0.4], [0.2, 0.8], alpha=0.75) == pytest.approx([0.5, 0.5])

    def test_inputs_normalised_first(self):
        # (3, 1) → (.75, .25); (1, 1) → (.5, .5); α = .5 → (.625, .375)
        assert combine([3, 1], [1, 1]) == pytest.approx([0.625, 0.375])

    def test_series_matched_by_label(self):
        result = combine(pd.Series({"a": 1.0, "b": 0.0}), pd.Series({"b": 1.0, "a": 0.0}), alpha=0.5)
        assert result.to_dict() == {"a": 0.5, "b": 0.5}

    @pytest.mark.parametrize("args, message", [
        (([1, 1], [1, 1], 1.5), "alpha must lie in 0..1"),
        (([1, 1], [1, 1, 1], 0.5), "2 weights, objective 3"),
        (([1, -1], [1, 1], 0.5), "subjective weights must be"),
        ((pd.Series({"a": 1}), pd.Series({"b": 1}), 0.5), "differ"),
    ])
    def test_errors(self, args, message):
        with pytest.raises(ValueError, match=message):
            combine(*args)


# ---------------------------------------------------------------- TOPSIS


class TestTopsis:
    def test_hand_computed(self):
        # column norms √(1+4+4) = 3 both; v = 0.5·x/3 = x/6
        # ideal (2/6, 1/6), anti-ideal (1/6, 2/6)
        # alt 1 (1/6, 2/6) is the anti-ideal → 0; alt 2 (2/6, 1/6) is the ideal → 1;
        # alt 3 (2/6, 2/6): D+ = 1/6, D− = 1/6 → 0.5
        x = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]])
        assert topsis(x, [1, 1], [1, -1]) == pytest.approx([0.0, 1.0, 0.5])

    def test_matches_loop_reference_on_random_data(self):
        rng = np.random.default_rng(3)
        for _ in range(20):
            m, n = rng.integers(2, 20), rng.integers(1, 7)
            x = rng.uniform(1, 100, size=(m, n))
            w = rng.uniform(0.1, 1, size=n)
            d = rng.choice([1, -1], size=n)
            assert topsis(x, w, d) == pytest.approx(reference_topsis(x.tolist(), (w / w.sum()).tolist(), d), abs=1e-12)

    def test_dataframe_and_series_weights_by_label(self):
        frame = pd.DataFrame({"cost": [1.0, 2.0, 2.0], "quality": [2.0, 1.0, 2.0]}, index=["x", "y", "z"])
        result = topsis(frame, pd.Series({"quality": 1.0, "cost": 1.0}), ["lower", "higher"])
        assert result.index.tolist() == ["x", "y", "z"]
        assert result.tolist() == pytest.approx([1.0, 0.0, 0.5])

    @pytest.mark.parametrize("x, w, message", [
        ([[0.0, 1.0], [0.0, 2.0]], [1, 1], "criterion 0 is all zero"),
        ([[1.0, 1.0], [1.0, 1.0]], [1, 1], "every weighted criterion is constant"),
        ([[1.0, 1.0], [2.0, 1.0]], [1, 1, 1], "3 weights for 2 criteria"),
    ])
    def test_errors(self, x, w, message):
        with pytest.raises(ValueError, match=message):
            topsis(np.array(x), w, [1, 1])

    def test_missing_weight_label(self):
        with pytest.raises(ValueError, match="no TOPSIS weight for criterion.*'b'"):
            topsis(pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 3.0]}), pd.Series({"a": 1.0}), [1, 1])

    def test_extra_weight_labels_raise(self):
        # a weight for a criterion the matrix lacks used to be dropped silently, renormalising the rest
        with pytest.raises(ValueError, match=r"TOPSIS weight\(s\) for 'speed', 'zz', which the matrix does not have"):
            topsis(pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}), pd.Series({"a": 1, "speed": 2, "b": 1, "zz": 5}),
                   [1, 1])
