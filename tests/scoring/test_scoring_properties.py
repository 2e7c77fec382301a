"""Properties that must hold for every input, not just the hand-computed ones."""

import functools
import operator

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring import composite, normalize, normalize_frame, rank, whatif

# per-test settings: loading a profile here would change every other suite's hypothesis defaults
property_test = settings(max_examples=60, deadline=None)

score_values = st.one_of(st.just(np.nan), st.floats(0, 100, allow_nan=False))
raw_values = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def score_tables(draw, min_indicators=1, max_indicators=6):
    k = draw(st.integers(min_indicators, max_indicators))
    n = draw(st.integers(1, 12))
    values = draw(arrays(float, (n, k), elements=score_values))
    weights = draw(arrays(float, k, elements=st.floats(0.01, 10)))
    columns = [f"i{j}" for j in range(k)]
    return pd.DataFrame(values, columns=columns), pd.Series(weights, index=columns)


@property_test
@given(score_tables(), st.floats(1e-3, 1e3), st.sampled_from(["renormalize", "zero"]))
def test_scaling_all_weights_changes_nothing(table, factor, missing):
    scores, weights = table
    base = composite(scores, weights, missing=missing)
    scaled = composite(scores, weights * factor, missing=missing)
    np.testing.assert_allclose(scaled["total"], base["total"], rtol=1e-12, atol=1e-12)
    assert rank(scaled["total"]).equals(rank(base["total"]))


@property_test
@given(score_tables(), st.sampled_from(["renormalize", "zero"]), st.floats(0, 1))
def test_contributions_sum_exactly_to_total(table, missing, min_coverage):
    scores, weights = table
    result = composite(scores, weights, missing=missing, min_coverage=min_coverage)
    for _, row in result.iterrows():
        if np.isnan(row["total"]):
            assert row[weights.index].isna().all() and isinstance(row["reason"], str)
        else:
            assert sum(row[weights.index]) == row["total"]  # left to right, bit for bit


MONOTONE_SPECS = pd.DataFrame({
    "direction": ["higher", "lower", "higher", "lower", "higher", "lower"],
    "method": ["target", "target", "minmax", "minmax", "threshold", "threshold"],
    "target": [100.0, 20.0, np.nan, np.nan, np.nan, np.nan],
    "cap": [120.0, 150.0, np.nan, np.nan, np.nan, np.nan],
    "thresholds": [None, None, None, None, [(50, 40), (100, 80), (150, 100)], [(10, 100), (50, 60), (120, 20)]],
}, index=["on_target", "under_target", "by_rank", "by_rank_low", "by_step", "by_step_low"])


@st.composite
def raw_tables(draw):
    """Raw values with gaps (NaN) for all six monotone recipes, one cell to raise and by how much."""
    n = draw(st.integers(2, 10))
    k = len(MONOTONE_SPECS)
    values = draw(arrays(float, (n, k), elements=st.one_of(st.just(np.nan), st.floats(-50, 200))))
    project = draw(st.integers(0, n - 1))
    column = draw(st.integers(0, k - 1))
    values[project, column] = draw(st.floats(-50, 200))  # the raised cell has data
    increase = draw(st.floats(0, 100))
    weights = draw(arrays(float, k, elements=st.floats(0.1, 5)))
    return pd.DataFrame(values, columns=MONOTONE_SPECS.index), project, column, increase, weights


@property_test
@given(raw_tables(), st.sampled_from(["renormalize", "zero"]), st.sampled_from([0.0, 0.3, 0.6]))
def test_improving_a_raw_value_never_lowers_its_total(case, missing, min_coverage):
    # Raising a higher-is-better value never lowers the project's total, raising a lower-is-better
    # one never raises it, whatever the other values, the gaps and the missing-data policy (the
    # gaps, hence coverage and whether the project is scored, do not change).
    values, project, column, increase, weights = case
    weights = pd.Series(weights, index=values.columns)

    def total(table):
        return composite(normalize_frame(table, MONOTONE_SPECS), weights, missing=missing,
                         min_coverage=min_coverage)["total"].iloc[project]

    raised = values.copy()
    raised.iloc[project, column] += increase
    before, after = total(values), total(raised)
    assert np.isnan(before) == np.isnan(after)
    if MONOTONE_SPECS["direction"].iloc[column] == "higher":
        assert not after < before - 1e-9
    else:
        assert not after > before + 1e-9


@property_test
@given(arrays(float, st.integers(1, 20), elements=st.one_of(st.just(np.nan), raw_values)))
def test_flipping_direction_mirrors_minmax(values):
    higher = normalize(values, "higher", "minmax")
    lower = normalize(values, "lower", "minmax")
    constant = np.nanmax(values) == np.nanmin(values) if not np.isnan(values).all() else True
    present = ~np.isnan(values)
    if not constant:
        np.testing.assert_allclose(higher[present] + lower[present], 100.0, atol=1e-9)
    assert ((higher[present] >= 0) & (higher[present] <= 100)).all()
    assert np.isnan(higher[~present]).all() and np.isnan(lower[~present]).all()


@property_test
@given(arrays(float, st.integers(0, 30), elements=st.one_of(st.just(np.nan), st.integers(0, 5).map(float))))
def test_rank_is_one_plus_number_strictly_better(totals):
    result = rank(totals)
    for total, position in zip(totals, result, strict=True):
        if np.isnan(total):
            assert position is pd.NA
        else:
            assert position == 1 + int(np.sum(totals[~np.isnan(totals)] > total))


@property_test
@given(score_tables(min_indicators=2), st.floats(0.01, 10))
def test_explained_parts_always_sum_to_the_change(table, new_weight):
    scores, weights = table
    after_weights = weights.copy()
    after_weights.iloc[0] = new_weight
    after_scores = scores.iloc[::-1].set_axis(scores.index)  # other data for the same projects
    result = whatif.explain_change(scores, weights, after_scores, after_weights)
    for project, row in result.summary.dropna(subset=["change"]).iterrows():
        # bit for bit: each effect is its parts added left to right, change is the two effects added
        assert functools.reduce(operator.add, result.data.loc[project], 0.0) == row["data_effect"]
        assert functools.reduce(operator.add, result.weights.loc[project], 0.0) == row["weight_effect"]
        assert row["data_effect"] + row["weight_effect"] == row["change"]
        assert abs(row["change"] - (row["total_after"] - row["total_before"])) <= 1e-9
