"""Roll indicator scores up into one explainable total per project.

Every total is *defined* as the sum of its contribution columns (added left to
right, in indicator order), so a scorecard can always show where each point
came from and the pieces add up to the printed total exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from scoring.weight_tree import WeightTree, effective_weights

MissingPolicy = Literal["renormalize", "zero"]
RESULT_COLUMNS = ("total", "coverage", "reason")
MIN_COVERAGE = 0.6  # a total needs data for at least this share of the weight
_COVERAGE_TOLERANCE = 1e-12  # weights like 0.1 + 0.2 + 0.3 must still reach a 0.6 minimum


def score_matrix(scores: pd.DataFrame, indicators: pd.Index) -> np.ndarray:
    """The scores of ``indicators`` as a float array, with clear errors for absent or text columns.

    >>> score_matrix(pd.DataFrame({"a": [1, 2], "b": [3.0, None]}), pd.Index(["b", "a"]))
    array([[ 3.,  1.],
           [nan,  2.]])
    """
    absent = [name for name in indicators if name not in scores.columns]
    if absent:
        raise ValueError(f"indicator(s) {', '.join(map(repr, absent))} have a weight but no score column")
    subset = scores if scores.columns.equals(indicators) else scores[list(indicators)]
    text = [name for name, dtype in subset.dtypes.items() if not pd.api.types.is_numeric_dtype(dtype)]
    if text:
        raise ValueError(f"indicator(s) {', '.join(map(repr, text))}: scores must be numeric")
    return subset.to_numpy(dtype=float, na_value=np.nan)


def check_missing_options(missing: object, min_coverage: float) -> None:
    """Reject an unknown ``missing`` policy or a ``min_coverage`` outside 0..1."""
    if missing not in ("renormalize", "zero"):
        raise ValueError(f"unknown missing policy {missing!r}; use 'renormalize' or 'zero'")
    if not 0 <= min_coverage <= 1:
        raise ValueError(f"min_coverage must lie in 0..1, got {min_coverage!r}")


def weighted_contributions(
    s: np.ndarray, w: np.ndarray, missing: MissingPolicy = "renormalize", min_coverage: float = MIN_COVERAGE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Array core of :func:`composite`: (contributions as indicators × projects, totals, coverage).

    ``s`` is projects × indicators (NaN = no data), ``w`` sums to 1. Rows below
    ``min_coverage`` come back all-NaN. Shared with :mod:`scoring.whatif` so
    that what-if totals equal the dashboard's totals bit for bit.

    >>> c, total, coverage = weighted_contributions(np.array([[80.0, np.nan]]), np.array([0.5, 0.5]), min_coverage=0.5)
    >>> c.T, total, coverage
    (array([[80.,  0.]]), array([80.]), array([0.5]))
    """
    check_missing_options(missing, min_coverage)
    present = ~np.isnan(s)
    coverage = present @ w
    scored = (coverage > 0) & (coverage >= min_coverage - _COVERAGE_TOLERANCE)
    if missing == "renormalize":
        with np.errstate(divide="ignore", invalid="ignore"):
            per_point = w[:, None] / np.where(scored, coverage, np.nan)[None, :]
    else:
        per_point = np.where(scored, 1.0, np.nan)[None, :] * w[:, None]
    contributions = np.where(present.T, s.T, 0.0) * per_point
    totals = contributions[0].copy() if len(w) else np.zeros(len(s))
    for row in contributions[1:]:
        totals += row
    return contributions, totals, coverage


def batched_totals(filled: np.ndarray, present: np.ndarray, weight_rows: np.ndarray,
                   missing: MissingPolicy = "renormalize", min_coverage: float = MIN_COVERAGE) -> np.ndarray:
    """Totals (weight vectors × projects) for many weight vectors at once, each bit for bit as
    :func:`weighted_contributions` gives it (same operations in the same order) but without
    building the contribution tables; for :mod:`scoring.whatif`, which probes many weightings.

    ``filled`` is the score matrix with NaN replaced by 0 and ``present`` the 0/1 float mask of
    where scores exist (computed once by the caller). Coverage is one mat-vec per weight vector,
    as in :func:`weighted_contributions`: a single mat-mat product would round differently.

    >>> s = np.array([[80.0, np.nan], [60.0, 100.0]])
    >>> present = (~np.isnan(s)).astype(float)
    >>> batched_totals(np.nan_to_num(s), present, np.array([[0.5, 0.5], [0.25, 0.75]]), min_coverage=0.5)
    array([[80., 80.],
           [nan, 90.]])
    """
    check_missing_options(missing, min_coverage)
    totals = np.zeros((len(weight_rows), len(filled)))
    if not weight_rows.shape[1]:
        return totals
    coverage = np.stack([present @ w for w in weight_rows])
    scored = (coverage > 0) & (coverage >= min_coverage - _COVERAGE_TOLERANCE)
    if missing == "renormalize":
        denominator = np.where(scored, coverage, np.nan)
    else:
        factor = np.where(scored, 1.0, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(weight_rows.shape[1]):
            per_point = (weight_rows[:, i, None] / denominator if missing == "renormalize"
                         else factor * weight_rows[:, i, None])
            if i == 0:
                totals = filled[None, :, 0] * per_point
            else:
                totals += filled[None, :, i] * per_point
    return totals


def _reasons(coverage: np.ndarray, present: np.ndarray, w: np.ndarray, indicators: pd.Index,
             min_coverage: float, unscored: np.ndarray, index: pd.Index) -> pd.Series:
    """Why each unscored project has no total (NA for scored ones)."""
    reasons = pd.Series(pd.NA, index=index, dtype="string")
    weighted = w > 0
    flagged = np.flatnonzero(unscored)
    if len(flagged):
        reasons.iloc[flagged] = [
            "no data for any weighted indicator" if coverage[i] == 0 else
            f"coverage {coverage[i]:.0%} is below the minimum {min_coverage:.0%}; missing: "
            + ", ".join(map(str, indicators[weighted & ~present[i]]))
            for i in flagged
        ]
    return reasons


def composite(scores: pd.DataFrame, weights: WeightTree, missing: MissingPolicy = "renormalize",
              min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """Weighted total per project, with coverage, a reason when unscored, and each indicator's contribution.

    ``scores``: projects × indicators of 0–100 scores (NaN = no data); columns
    without a weight are ignored. ``weights``: a Series/mapping of indicator →
    weight or a weight tree (see :func:`scoring.effective_weights`); any
    positive scale works.

    Returns one row per project (same index) with columns ``total``,
    ``coverage`` (share of weight that has data, 0–1), ``reason`` (string, NA
    when scored) and one column per weighted indicator holding the points it
    contributed; those columns sum to ``total`` exactly (left to right).

    ``missing="renormalize"`` spreads the weight over the indicators that have
    data (contribution = w·score/coverage); ``"zero"`` scores missing data as 0.
    Under either policy a project with coverage below ``min_coverage`` gets a
    NaN total and NaN contributions plus a ``reason`` — never a score built
    on too little data. A missing indicator contributes 0 points.

    >>> scores = pd.DataFrame({"a": [80.0, 60.0], "b": [100.0, np.nan]}, index=["p1", "p2"])
    >>> composite(scores, {"a": 3, "b": 1}, min_coverage=0.5)
        total  coverage reason     a     b
    p1   85.0      1.00   <NA>  60.0  25.0
    p2   60.0      0.75   <NA>  60.0   0.0
    """
    w = effective_weights(weights)
    clash = [name for name in w.index if name in RESULT_COLUMNS]
    if clash:
        raise ValueError(f"indicator(s) {', '.join(map(repr, clash))} clash with result columns {RESULT_COLUMNS}")
    s = score_matrix(scores, w.index)
    weight = w.to_numpy()
    contributions, totals, coverage = weighted_contributions(s, weight, missing, min_coverage)
    unscored = np.isnan(totals)
    result = pd.DataFrame(contributions.T, index=scores.index, columns=w.index, copy=False)
    result.insert(0, "reason", _reasons(coverage, ~np.isnan(s), weight, w.index, min_coverage, unscored,
                                            scores.index))
    result.insert(0, "coverage", coverage)
    result.insert(0, "total", totals)
    return result


def dimension_contributions(composite_result: pd.DataFrame,
                            indicator_to_dimension: Mapping[str, str] | pd.Series) -> pd.DataFrame:
    """Points each dimension added to each project's total (projects × dimensions).

    Sums the indicator contribution columns of a :func:`composite` result by
    dimension; the dimension columns add up to ``total`` (to float rounding).
    Build the mapping from a weight tree with :func:`scoring.indicator_dimensions`.

    >>> result = composite(pd.DataFrame({"a": [80.0], "b": [40.0], "c": [100.0]}), {"a": 1, "b": 1, "c": 2})
    >>> dimension_contributions(result, {"a": "progress", "b": "progress", "c": "quality"})
       progress  quality
    0      30.0     50.0
    """
    mapping = pd.Series(indicator_to_dimension)
    indicators = composite_result.columns.difference(list(RESULT_COLUMNS), sort=False)
    unmapped = [name for name in indicators if name not in mapping.index]
    if unmapped:
        raise ValueError(f"indicator(s) {', '.join(map(repr, unmapped))} have no dimension")
    dimension_of = mapping.reindex(indicators)
    dimensions = pd.Index(pd.unique(dimension_of.to_numpy()))
    membership = (dimension_of.to_numpy()[:, None] == dimensions.to_numpy()[None, :]).astype(float)
    summed = composite_result[indicators].to_numpy(dtype=float) @ membership
    return pd.DataFrame(summed, index=composite_result.index, columns=dimensions)
