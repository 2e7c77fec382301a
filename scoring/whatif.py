"""What-if analysis: how rankings respond to other weights, and why a total moved.

``scores`` is always a projects × indicators DataFrame of 0–100 scores (NaN =
no data) and weights are anything :func:`scoring.effective_weights` accepts.
Missing data follows :func:`scoring.composite` (same ``missing`` and
``min_coverage`` options, same arithmetic), so every total here equals the
dashboard's total for the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.aggregation import (
    MIN_COVERAGE,
    MissingPolicy,
    batched_totals,
    check_missing_options,
    score_matrix,
    weighted_contributions,
)
from scoring.ranking import TIE_DECIMALS, competition_ranks
from scoring.weight_tree import WeightTree, effective_weights

_CELLS_PER_CHUNK = 250_000  # ≈ 2 MB of float64 per working array


def _totals(scores: pd.DataFrame, weights: WeightTree, missing: MissingPolicy, min_coverage: float) -> np.ndarray:
    w = effective_weights(weights)
    return weighted_contributions(score_matrix(scores, w.index), w.to_numpy(), missing, min_coverage)[1]


def _nullable_ranks(ranks: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(ranks, ranks == 0)


def compare(scores: pd.DataFrame, base_weights: WeightTree, new_weights: WeightTree,
            *, missing: MissingPolicy = "renormalize", min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """Totals and ranks under two weightings, the projects that moved most first.

    Returns one row per project with ``base_total``, ``new_total``,
    ``change`` (new − base), ``base_rank``, ``new_rank`` and ``rank_change``
    (base rank − new rank: positive = moved up), ranks as ``Int64`` (NA when
    unscored). Sorted by ``|rank_change|`` descending, then ``new_rank``;
    projects without a rank change value go last.

    >>> scores = pd.DataFrame({"a": [90.0, 60.0], "b": [50.0, 100.0]}, index=["p1", "p2"])
    >>> compare(scores, {"a": 3, "b": 1}, {"a": 1, "b": 3})
        base_total  new_total  change  base_rank  new_rank  rank_change
    p2        70.0       90.0    20.0          2         1            1
    p1        80.0       60.0   -20.0          1         2           -1
    """
    base = _totals(scores, base_weights, missing, min_coverage)
    new = _totals(scores, new_weights, missing, min_coverage)
    base_rank, new_rank = competition_ranks(base), competition_ranks(new)
    both = (base_rank > 0) & (new_rank > 0)
    moved = np.where(both, np.abs(base_rank - new_rank), -1)
    order = np.lexsort((np.where(base_rank > 0, base_rank, np.iinfo(np.int64).max),
                        np.where(new_rank > 0, new_rank, np.iinfo(np.int64).max), -moved))
    base_rank, new_rank, both = base_rank[order], new_rank[order], both[order]
    return pd.DataFrame({
        "base_total": base[order], "new_total": new[order], "change": new[order] - base[order],
        "base_rank": _nullable_ranks(base_rank), "new_rank": _nullable_ranks(new_rank),
        "rank_change": pd.arrays.IntegerArray(base_rank - new_rank, ~both),
    }, index=scores.index[order])


def _quadratic_roots(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Real roots of a·t² + b·t + c (both, NaN where none), stable also when a = 0."""
    disc = b * b - 4 * a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        q = -0.5 * (b + np.where(b >= 0, 1.0, -1.0) * np.sqrt(np.where(disc >= 0, disc, np.nan)))
        return np.concatenate([(q / a).ravel(), (c / q).ravel()])


def _event_points(filled: np.ndarray, present: np.ndarray, w: np.ndarray, j: int, top: np.ndarray,
                  missing: MissingPolicy, min_coverage: float) -> np.ndarray:
    """Weights t at which the top set can change: pair crossings and coverage thresholds.

    Along the path, each project's numerator and coverage are linear in t:
    ``num = a + b·t``, ``cov = c + d·t``, so totals are ratios of linear
    functions and two totals cross where a quadratic vanishes.
    """
    rest = 1.0 - w[j]
    others = np.delete(np.arange(len(w)), j)
    a = filled[:, others] @ w[others] / rest
    b = filled[:, j] - a
    c = present[:, others] @ w[others] / rest
    d = present[:, j] - c
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage_events = (min_coverage - c) / np.where(d != 0, d, np.nan)
    # Every project's coverage crossing is kept (at most one per project), not
    # only those that directly move a project into or out of the top set: an
    # outsider can overtake a top project and later drop below the minimum, and
    # the top set differs only between those two points. The caller probes
    # between consecutive points, so a point left out could hide such a span.
    den_c, den_d = (c, d) if missing == "renormalize" else (np.ones_like(c), np.zeros_like(d))
    tops, rest_ids = np.flatnonzero(top), np.flatnonzero(~top)
    points = [coverage_events]
    step = max(1, _CELLS_PER_CHUNK // max(len(rest_ids), 1))
    for start in range(0, len(tops), step):
        p = tops[start:start + step, None]
        q = rest_ids[None, :]
        roots = _quadratic_roots(b[p] * den_d[q] - b[q] * den_d[p],
                                 a[p] * den_d[q] + b[p] * den_c[q] - a[q] * den_d[p] - b[q] * den_c[p],
                                 a[p] * den_c[q] - a[q] * den_c[p])
        pair_p = np.concatenate([np.broadcast_to(p, (len(p), len(rest_ids))).ravel()] * 2)
        pair_q = np.concatenate([np.broadcast_to(q, (len(p), len(rest_ids))).ravel()] * 2)
        with np.errstate(invalid="ignore"):
            covered = ((c[pair_p] + d[pair_p] * roots >= min_coverage - 1e-12)
                       & (c[pair_q] + d[pair_q] * roots >= min_coverage - 1e-12))
        points.append(roots[covered])
    events = np.concatenate(points)
    return np.unique(events[np.isfinite(events) & (events >= 0) & (events <= 1)])


def _top_sets(filled: np.ndarray, present: np.ndarray, weight_rows: np.ndarray, top_k: int,
              missing: MissingPolicy, min_coverage: float) -> np.ndarray:
    """Top-k membership (weight vectors × projects) exactly as ranks ≤ top_k from :func:`scoring.rank`
    of the dashboard totals: x is in when it is scored and at least the k-th largest rounded total."""
    totals = np.round(batched_totals(filled, present, weight_rows, missing, min_coverage), TIE_DECIMALS)
    scored = ~np.isnan(totals)
    ranked = np.where(scored, totals, -np.inf)
    if top_k >= ranked.shape[1]:
        return scored
    kth = np.partition(ranked, ranked.shape[1] - top_k, axis=1)[:, ranked.shape[1] - top_k]
    return scored & (ranked >= kth[:, None])


def _probes(start: float, candidates: np.ndarray, edge: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights to test walking from ``start`` through ``candidates`` to ``edge``, each with the bound it
    sets when the top set differs there: the midpoint of each gap (bound = the gap's start) and each
    candidate itself (bound = the candidate)."""
    points = np.append(candidates, edge)
    starts = np.concatenate([[start], points[:-1]])
    probes = np.empty(2 * len(points) - 1)
    bounds = np.empty_like(probes)
    probes[0::2], bounds[0::2] = (starts + points) / 2, starts
    probes[1::2], bounds[1::2] = points[:-1], points[:-1]
    return probes, bounds


def stability(scores: pd.DataFrame, weights: WeightTree, top_k: int,
              *, missing: MissingPolicy = "renormalize", min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """For each weight, how far it can move (others rescaled in proportion) before the top-k set changes.

    The top-k set is every project ranked ≤ ``top_k`` (ties included).
    Returns one row per indicator with ``weight``, ``lower`` and ``upper``:
    the top-k set is the same for every weight strictly inside
    (``lower``, ``upper``) — 0 and 1 when no move changes it.

    Exact, not sampled: along the path every total is a ratio of linear
    functions of the weight, so the candidate points where the set can change
    are solved in closed form — every crossing of a top-k project with an
    outsider, and every project's crossing of ``min_coverage`` (all of them,
    at most one per project: an outsider can overtake a top project and then
    drop below the minimum, changing the set only in between). Between two
    consecutive candidates the set cannot change, so walking outwards from
    the current weight the set is verified at each gap's midpoint and at each
    candidate itself, and the bound is the last point before it differs.
    Cost: one vectorised re-scoring per point passed.

    >>> scores = pd.DataFrame({"a": [100.0, 0.0], "b": [0.0, 100.0]}, index=["p1", "p2"])
    >>> stability(scores, {"a": 0.6, "b": 0.4}, top_k=1)
       weight  lower  upper
    a     0.6    0.5    1.0
    b     0.4    0.0    0.5
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    w_series = effective_weights(weights)
    w = w_series.to_numpy()
    if (w == 1).any():
        raise ValueError(f"indicator {w_series.index[int(np.argmax(w == 1))]!r} holds all the weight; "
                         "there is nothing to rescale")
    s = score_matrix(scores, w_series.index)
    check_missing_options(missing, min_coverage)
    present = (~np.isnan(s)).astype(float)
    filled = np.where(present > 0, s, 0.0)
    current = _top_sets(filled, present, w[None, :], top_k, missing, min_coverage)[0]
    most = max(1, _CELLS_PER_CHUNK // (8 * max(len(s), 1)))  # probes per batch: ~1 MB per working array
    rows = []
    for j in range(len(w)):
        events = _event_points(filled, present, w, j, current, missing, min_coverage)
        bounds = []
        for candidates, edge in ((events[events > w[j]], 1.0), (events[events < w[j]][::-1], 0.0)):
            probes, fail_bounds = _probes(w[j], candidates, edge)
            bound, start, size = edge, 0, 1
            while start < len(probes):  # batches grow, as the set usually changes at the first candidates
                batch = probes[start:start + size]
                # w[j] → t and the other weights share 1 − t in proportion
                moved = w[None, :] * ((1.0 - batch) / (1.0 - w[j]))[:, None]
                moved[:, j] = batch
                sets = _top_sets(filled, present, moved, top_k, missing, min_coverage)
                differs = (sets != current).any(axis=1)
                if differs.any():
                    bound = fail_bounds[start + int(np.argmax(differs))]
                    break
                start, size = start + size, min(2 * size, most)
            bounds.append(bound + 0.0)  # + 0.0 turns a -0.0 root into 0.0
        rows.append((w[j], bounds[1], bounds[0]))
    return pd.DataFrame(rows, index=w_series.index, columns=["weight", "lower", "upper"])


@dataclass(frozen=True)
class ChangeExplanation:
    """Why totals moved: ``summary`` (``total_before``, ``total_after``, ``change``,
    ``data_effect``, ``weight_effect``) and projects × indicators ``data`` and
    ``weights`` parts.

    Everything adds up exactly (bit for bit), per project: ``data_effect`` is
    the sum of that row of ``data`` and ``weight_effect`` the sum of that row
    of ``weights`` (each added left to right, in column order), and
    ``change`` is *defined* as ``data_effect + weight_effect``. ``change``
    equals ``total_after − total_before`` up to float rounding (~1e-13), not
    bit for bit: no split into parts could add up exactly to both."""

    summary: pd.DataFrame
    data: pd.DataFrame
    weights: pd.DataFrame


def _row_sums(parts: np.ndarray) -> np.ndarray:
    """Each row's sum added left to right, column by column (np.sum may add pairwise or in blocks)."""
    total = np.zeros(len(parts))
    for column in parts.T:
        total += column
    return total


def explain_change(scores_before: pd.DataFrame, weights_before: WeightTree,
                   scores_after: pd.DataFrame, weights_after: WeightTree,
                   *, missing: MissingPolicy = "renormalize", min_coverage: float = MIN_COVERAGE) -> ChangeExplanation:
    """Split each project's total change into the part due to data and the part due to weights, per indicator.

    Uses the symmetric (Shapley) two-factor split, so the order in which the
    two changes are imagined cannot bias it::

        data    = ½[(c(S₁,w₀) − c(S₀,w₀)) + (c(S₁,w₁) − c(S₀,w₁))]
        weights = ½[(c(S₀,w₁) − c(S₀,w₀)) + (c(S₁,w₁) − c(S₁,w₀))]

    where c are the per-indicator contributions of :func:`scoring.composite`.
    Indicators and projects are the union of both sides (absent = no data /
    zero weight). The mixed scenarios ignore ``min_coverage`` (they are
    hypothetical); a project unscored before or after gets NaN parts and a
    NaN ``change``. See :class:`ChangeExplanation` for what sums to what.

    >>> before = pd.DataFrame({"a": [80.0], "b": [60.0]})
    >>> after = pd.DataFrame({"a": [90.0], "b": [60.0]})
    >>> parts = explain_change(before, {"a": 1, "b": 1}, after, {"a": 3, "b": 1})
    >>> parts.summary.round(2)
       total_before  total_after  change  data_effect  weight_effect
    0          70.0         82.5    12.5         6.25           6.25
    """
    w0, w1 = effective_weights(weights_before), effective_weights(weights_after)
    indicators = w0.index.union(w1.index, sort=False)
    projects = scores_before.index.union(scores_after.index, sort=False)
    s0 = score_matrix(scores_before.reindex(index=projects, columns=indicators), indicators)
    s1 = score_matrix(scores_after.reindex(index=projects, columns=indicators), indicators)
    w0a, w1a = w0.reindex(indicators, fill_value=0.0).to_numpy(), w1.reindex(indicators, fill_value=0.0).to_numpy()

    def parts(s: np.ndarray, w: np.ndarray) -> np.ndarray:
        return weighted_contributions(s, w, missing, 0.0)[0].T

    c00, c01, c10, c11 = parts(s0, w0a), parts(s0, w1a), parts(s1, w0a), parts(s1, w1a)
    total_before = weighted_contributions(s0, w0a, missing, min_coverage)[1]
    total_after = weighted_contributions(s1, w1a, missing, min_coverage)[1]
    unscored = (np.isnan(total_before) | np.isnan(total_after))[:, None]
    data = np.where(unscored, np.nan, 0.5 * ((c10 - c00) + (c11 - c01)))
    weight = np.where(unscored, np.nan, 0.5 * ((c01 - c00) + (c11 - c10)))
    data_effect, weight_effect = _row_sums(data), _row_sums(weight)
    summary = pd.DataFrame({
        "total_before": total_before, "total_after": total_after, "change": data_effect + weight_effect,
        "data_effect": data_effect, "weight_effect": weight_effect,
    }, index=projects)
    return ChangeExplanation(summary, pd.DataFrame(data, index=projects, columns=indicators),
                             pd.DataFrame(weight, index=projects, columns=indicators))


def _sample_ranks(filled: np.ndarray, present: np.ndarray, draws: np.ndarray, top_k: int,
                  missing: MissingPolicy, min_coverage: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Competition ranks (projects × samples, 0 = unscored) under each sampled weight vector, and
    per project the number of samples in which it ranks ≤ ``top_k`` and in which it is unscored.

    Samples are ranked in chunks of about ``_CELLS_PER_CHUNK`` totals, so besides the
    2-byte-per-cell result only a few chunk-sized working arrays are alive at a time.
    """
    n = len(filled)
    store = np.empty((n, len(draws)), dtype=np.uint16 if n < np.iinfo(np.uint16).max else np.uint32)
    in_top = np.zeros(n, dtype=np.int64)
    unranked = np.zeros(n, dtype=np.int64)
    positions = np.arange(n)
    step = max(1, _CELLS_PER_CHUNK // max(n, 1))
    for start in range(0, len(draws), step):
        w = draws[start:start + step].T
        coverage = (present @ w).T
        totals = (filled @ w).T
        if missing == "renormalize":
            with np.errstate(divide="ignore", invalid="ignore"):
                totals /= coverage
        totals[(coverage <= 0) | (coverage < min_coverage - 1e-12)] = np.nan
        del coverage
        descending = -np.round(totals, TIE_DECIMALS, out=totals)
        order = np.argsort(descending, axis=1)
        ordered = np.take_along_axis(descending, order, axis=1)
        new_value = np.ones_like(ordered, dtype=bool)
        new_value[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        ranks = np.maximum.accumulate(np.where(new_value, positions, 0), axis=1) + 1
        ranks[np.isnan(ordered)] = 0
        chunk = store[:, start:start + step]
        np.put_along_axis(chunk.T, order, ranks.astype(store.dtype), axis=1)
        in_top += ((chunk >= 1) & (chunk <= top_k)).sum(axis=1)
        unranked += (chunk == 0).sum(axis=1)
    return store, in_top, unranked


def _percentiles(sorted_ranks: np.ndarray, unranked: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """np.percentile's linear method over each row's ranked samples (the 0 = unranked entries lead each row)."""
    ranked = sorted_ranks.shape[1] - unranked
    rows = np.arange(len(sorted_ranks))
    out = np.full((len(sorted_ranks), len(quantiles)), np.nan)
    for i, q in enumerate(quantiles):
        h = unranked + (ranked - 1) * q / 100
        low = np.floor(h).astype(np.int64).clip(0, sorted_ranks.shape[1] - 1)
        high = np.ceil(h).astype(np.int64).clip(0, sorted_ranks.shape[1] - 1)
        lo_val, hi_val = sorted_ranks[rows, low].astype(float), sorted_ranks[rows, high].astype(float)
        out[:, i] = np.where(ranked > 0, lo_val + (h - low) * (hi_val - lo_val), np.nan)
    return out


def rank_uncertainty(scores: pd.DataFrame, weights: WeightTree, samples: int = 1000, concentration: float = 100,
                     seed: int = 0, *, top_k: int = 10, missing: MissingPolicy = "renormalize",
                     min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """How sure is each rank? Re-rank under weights drawn around the current ones.

    Weight vectors are drawn from a Dirichlet with mean = the current weights
    and total concentration ``concentration`` (higher = closer to the current
    weights; zero weights stay zero). Returns one row per project with
    ``rank`` (current, ``Int64``), ``rank_p5``, ``rank_p50``, ``rank_p95``
    (percentiles over the samples in which the project is scored, linear
    interpolation as ``np.percentile``) and ``p_top_k`` (share of samples
    ranked ≤ ``top_k``). Deterministic for a ``seed``. Memory: the ranks are
    kept at 2 bytes per project per sample (20 MB for 10,000 projects × 1,000
    samples) and samples are scored in chunks of about 250,000 totals, whose
    working arrays add roughly 20 MB more (tracemalloc peak ≈ 38 MB at that
    size in ``bench/bench_scoring.py``).

    >>> scores = pd.DataFrame({"a": [90.0, 50.0, 10.0], "b": [90.0, 10.0, 50.0]}, index=["x", "y", "z"])
    >>> rank_uncertainty(scores, {"a": 1, "b": 1}, samples=200, top_k=1)
       rank  rank_p5  rank_p50  rank_p95  p_top_k
    x     1      1.0       1.0       1.0      1.0
    y     2      2.0       2.0       3.0      0.0
    z     2      2.0       3.0       3.0      0.0
    """
    if samples < 1 or concentration <= 0 or top_k < 1:
        raise ValueError(f"need samples ≥ 1, concentration > 0 and top_k ≥ 1, got {samples}, {concentration}, {top_k}")
    w = effective_weights(weights)
    s = score_matrix(scores, w.index)
    present = ~np.isnan(s)
    weight = w.to_numpy()
    positive = weight > 0
    draws = np.zeros((samples, len(weight)))
    draws[:, positive] = np.random.default_rng(seed).dirichlet(concentration * weight[positive], size=samples)
    store, in_top, unranked = _sample_ranks(np.where(present, s, 0.0), present.astype(float), draws, top_k,
                                            missing, min_coverage)
    store.sort(axis=1)  # in place: each project's ranks ascending, the 0s (unscored samples) first
    bands = _percentiles(store, unranked, (5, 50, 95))
    current = competition_ranks(weighted_contributions(s, weight, missing, min_coverage)[1])
    return pd.DataFrame({"rank": _nullable_ranks(current), "rank_p5": bands[:, 0], "rank_p50": bands[:, 1],
                         "rank_p95": bands[:, 2], "p_top_k": in_top / samples}, index=scores.index)
