"""Combine expert / superior / peer / self ratings into one score per project, with their reliability.

Rating panels are where scores get challenged ("the peers were harsh this
year", "they rated themselves"), so the result carries the evidence next to
the score: how much the raters agree, where self-ratings run ahead of
everyone else, and what a leniency correction would change.

Input is long format, one row per rating, with columns ``project``,
``rater``, ``rater_type``, ``score`` and optionally ``dimension`` (then every
result is per project *and* dimension).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_RATER_WEIGHTS: dict[str, float] = {"superior": 0.5, "peer": 0.3, "self": 0.2}
SELF_TYPE = "self"
TRIM_MIN_RATERS = 5
REQUIRED_COLUMNS = ("project", "rater", "rater_type", "score")


@dataclass(frozen=True)
class RatingsResult:
    """Everything :func:`aggregate_ratings` found, each a DataFrame indexed by ``project`` (and ``dimension``).

    * ``scores``: ``score`` (type-weighted mean of the group means),
      ``type_coverage`` (share of the rater-type weight present, 0–1) and
      ``missing_types`` (text, NA when every weighted type rated).
    * ``group_means``: per project and ``rater_type``: ``raters``, ``used``
      (after dropping the highest and lowest) and ``mean``.
    * ``agreement``: per ``rater_type`` (and dimension): ``raters`` and
      ``projects`` in the complete block used, ``kendall_w``, ``icc_single``
      (ICC(2,1)) and ``icc_average`` (ICC(2,k)); computed on the raw ratings.
    * ``self_flags``: where a self-rating exists next to others: ``self``,
      ``others`` (type-weighted mean of the other groups), ``gap`` and
      ``flagged`` (gap > margin).
    * ``rater_offsets`` (Series per rater, points subtracted) and
      ``correction_effect`` (``uncorrected``, ``corrected``, ``change``):
      only with ``correct_leniency=True``, else ``None``.
    """

    scores: pd.DataFrame
    group_means: pd.DataFrame
    agreement: pd.DataFrame
    self_flags: pd.DataFrame
    rater_offsets: pd.Series | None
    correction_effect: pd.DataFrame | None


def kendalls_w(table: pd.DataFrame | np.ndarray) -> float:
    """Kendall's coefficient of concordance W (0 = no agreement, 1 = identical orderings), tie-corrected.

    ``table`` is projects (rows) × raters (columns), complete.
    ``W = 12 S / (m²(n³ − n) − m Σ T)`` with ``S`` the squared deviations of
    the projects' rank sums and ``T = Σ (t³ − t)`` over each rater's ties.

    >>> kendalls_w(np.array([[1, 1], [2, 2], [3, 3]]))
    1.0
    """
    frame = pd.DataFrame(np.asarray(table, dtype=float))
    n, m = frame.shape
    ranks = frame.rank(axis=0, method="average")
    rank_sums = ranks.sum(axis=1).to_numpy()
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    ties = sum(float(((counts**3) - counts).sum()) for counts in (frame[c].value_counts().to_numpy() for c in frame))
    denominator = m**2 * (n**3 - n) - m * ties
    return 12 * s / denominator if denominator > 0 else float("nan")


def intraclass_correlation(table: pd.DataFrame | np.ndarray) -> tuple[float, float]:
    """ICC(2,1) and ICC(2,k) (Shrout & Fleiss, 1979): two-way random effects, absolute agreement.

    Unlike Kendall's W these also fall when raters agree on the order but
    not on the level, which is what a leniency correction addresses.
    ``table`` is projects (rows) × raters (columns), complete.

    >>> single, average = intraclass_correlation(np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...                                                    [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]))
    >>> round(single, 2), round(average, 2)
    (0.29, 0.62)
    """
    x = np.asarray(table, dtype=float)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    ms_rows, ms_cols = ss_rows / (n - 1), ss_cols / (k - 1)
    ms_error = ss_error / ((n - 1) * (k - 1))
    single_denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    average_denominator = ms_rows + (ms_cols - ms_error) / n
    single = (ms_rows - ms_error) / single_denominator if single_denominator > 0 else float("nan")
    average = (ms_rows - ms_error) / average_denominator if average_denominator > 0 else float("nan")
    return float(single), float(average)


def _validated(ratings: pd.DataFrame, weights: Mapping[str, float]) -> tuple[pd.DataFrame, list[str]]:
    absent = [c for c in REQUIRED_COLUMNS if c not in ratings.columns]
    if absent:
        raise ValueError(f"ratings need column(s) {', '.join(map(repr, absent))}")
    if not pd.api.types.is_numeric_dtype(ratings["score"]):
        raise ValueError("ratings column 'score' must be numeric")
    if ratings["score"].isna().any():
        raise ValueError(f"ratings column 'score' is missing in {int(ratings['score'].isna().sum())} row(s)")
    keys = ["project", "dimension"] if "dimension" in ratings.columns else ["project"]
    unweighted = sorted(set(ratings["rater_type"].astype(str)) - set(weights))
    if unweighted:
        raise ValueError(f"rater type(s) {', '.join(map(repr, unweighted))} have no weight; pass rater_weights "
                         f"covering them (given: {dict(weights)})")
    bad = {t: w for t, w in weights.items() if not (np.isfinite(w) and w >= 0)}
    if bad or sum(weights.values()) <= 0:
        raise ValueError(f"rater weights must be non-negative and not all zero, got {dict(weights)}")
    repeated = ratings.duplicated(keys + ["rater"])
    if repeated.any():
        first = ratings.loc[repeated, keys + ["rater"]].iloc[0].to_dict()
        raise ValueError(f"rater rated the same project twice: {first}")
    frame = ratings[keys + ["rater", "rater_type", "score"]].copy()
    frame["rater_type"] = frame["rater_type"].astype(str)
    frame["score"] = frame["score"].astype(float)
    return frame, keys


def _leniency_offsets(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each rater's mean deviation from their own panel (same rater type) on the projects they rated."""
    panel_mean = frame.groupby(keys + ["rater_type"])["score"].transform("mean")
    return (frame["score"] - panel_mean).groupby(frame["rater"]).mean().rename("offset")


def _group_means(frame: pd.DataFrame, keys: list[str], trim: bool) -> pd.DataFrame:
    stats = frame.groupby(keys + ["rater_type"])["score"].agg(["count", "sum", "max", "min"])
    trimmed = trim & (stats["count"] >= TRIM_MIN_RATERS)
    used = stats["count"] - 2 * trimmed
    total = stats["sum"] - trimmed * (stats["max"] + stats["min"])
    return pd.DataFrame({"raters": stats["count"], "used": used, "mean": total / used})


def _weighted_scores(means: pd.DataFrame, keys: list[str], weights: Mapping[str, float]) -> pd.DataFrame:
    type_weight = means.index.get_level_values("rater_type").map(dict(weights)).to_numpy(dtype=float)
    parts = pd.DataFrame({"w": type_weight, "wx": type_weight * means["mean"].to_numpy()}, index=means.index)
    sums = parts.groupby(level=keys).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        score = sums["wx"] / sums["w"]
    present = means.reset_index().groupby(keys)["rater_type"].agg(set)
    weighted_types = [t for t, w in weights.items() if w > 0]
    missing = present.map(lambda types: ", ".join(t for t in weighted_types if t not in types) or None)
    return pd.DataFrame({
        "score": score,
        "type_coverage": sums["w"] / sum(weights.values()),
        "missing_types": missing.astype("string"),
    })


def _self_flags(means: pd.DataFrame, keys: list[str], weights: Mapping[str, float], margin: float) -> pd.DataFrame:
    is_self = means.index.get_level_values("rater_type") == SELF_TYPE
    self_mean = means.loc[is_self, "mean"].droplevel("rater_type")
    others = _weighted_scores(means.loc[~is_self], keys, weights)["score"]
    both = self_mean.index.intersection(others.index)
    gap = self_mean.reindex(both) - others.reindex(both)
    return pd.DataFrame({"self": self_mean.reindex(both), "others": others.reindex(both),
                         "gap": gap, "flagged": gap > margin})


def _complete_block(table: pd.DataFrame) -> pd.DataFrame:
    """The larger of: raters who rated every project, or projects every rater rated."""
    by_rater = table.loc[:, table.notna().all(axis=0)]
    by_project = table.loc[table.notna().all(axis=1)]
    return by_rater if by_rater.size >= by_project.size else by_project


def _agreement(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    panels = ["dimension", "rater_type"] if "dimension" in keys else ["rater_type"]
    rows: list[dict[str, float]] = []
    labels: list[tuple[Hashable, ...]] = []
    for panel, ratings in frame.groupby(panels, sort=True):
        block = _complete_block(ratings.pivot(index="project", columns="rater", values="score"))
        projects, raters = block.shape
        enough = projects >= 2 and raters >= 2
        icc = intraclass_correlation(block) if enough else (float("nan"), float("nan"))
        labels.append(panel)
        rows.append({"raters": raters, "projects": projects,
                     "kendall_w": kendalls_w(block) if enough else float("nan"),
                     "icc_single": icc[0], "icc_average": icc[1]})
    index = (pd.MultiIndex.from_tuples(labels, names=panels) if len(panels) > 1
             else pd.Index([label[0] for label in labels], name=panels[0]))
    return pd.DataFrame(rows, index=index, columns=["raters", "projects", "kendall_w", "icc_single", "icc_average"])


def aggregate_ratings(ratings: pd.DataFrame, rater_weights: Mapping[str, float] | None = None, trim: bool = True,
                      *, self_margin: float = 10.0, correct_leniency: bool = False) -> RatingsResult:
    """One score per project (and dimension) from a rater panel; see :class:`RatingsResult` for the output.

    Within each rater type, a group of at least 5 raters loses its single
    highest and lowest rating (去掉最高分和最低分) when ``trim``; the group means
    are then combined with ``rater_weights`` (default superior 0.5, peer 0.3,
    self 0.2; add e.g. ``"expert"`` for an expert panel — every type in the
    data needs a weight). When a type is absent for a project its weight is
    spread over the types present, and ``type_coverage``/``missing_types`` say so.

    ``self_margin``: flag a self-rating that exceeds the others by more than
    this many points. ``correct_leniency``: subtract from each rater their mean
    deviation from their own panel on the projects they rated (centring
    lenient and harsh raters) before trimming and averaging; the effect is in
    ``correction_effect``.

    >>> ratings = pd.DataFrame({"project": ["p1"] * 3, "rater": ["boss", "ann", "me"],
    ...                         "rater_type": ["superior", "peer", "self"], "score": [80.0, 70.0, 95.0]})
    >>> result = aggregate_ratings(ratings)
    >>> float(result.scores.loc["p1", "score"]), bool(result.self_flags.loc["p1", "flagged"])
    (80.0, True)
    """
    weights = dict(DEFAULT_RATER_WEIGHTS if rater_weights is None else rater_weights)
    raw, keys = _validated(ratings, weights)
    frame, offsets, effect = raw, None, None
    if correct_leniency:
        offsets = _leniency_offsets(raw, keys)
        frame = raw.assign(score=raw["score"] - raw["rater"].map(offsets).to_numpy())
    means = _group_means(frame, keys, trim)
    scores = _weighted_scores(means, keys, weights)
    if correct_leniency:
        uncorrected = _weighted_scores(_group_means(raw, keys, trim), keys, weights)["score"]
        effect = pd.DataFrame({"uncorrected": uncorrected, "corrected": scores["score"],
                               "change": scores["score"] - uncorrected})
    return RatingsResult(
        scores=scores,
        group_means=means,
        agreement=_agreement(raw, keys),
        self_flags=_self_flags(means, keys, weights, self_margin),
        rater_offsets=offsets,
        correction_effect=effect,
    )
