"""Glue for the 权重调优 what-if page: stored data → normalised scores, weight trees ↔ slider percentages,
presets (default, equal, entropy, AHP, combined) and the re-ranking itself (``scoring.whatif``).

Categories. ``scoring.whatif`` takes one projects × KPIs frame of normalised 0–100 scores and one flat weight
vector. Category-specific KPIs (visitor growth for tourism, school places for education …) are NaN for the
projects of other categories, and the what-if uses the ``renormalize`` missing-data policy, so a project's
total spreads the weight over the KPIs it has: w·score / Σ(w of its KPIs with data). That is the dashboard's
arithmetic too (:func:`services.scores.score_matrix` scores each category with the scheme restricted to its
KPIs, which renormalises the same way), so under the stored scheme the what-if totals equal the dashboard's
(to float rounding) and so do the ranks.

Coverage. The dashboard measures coverage against the KPIs that apply to a project's category; the
engine's ``min_coverage`` would measure it against all KPIs. So which projects take part is decided once,
by the dashboard under the base scheme (:attr:`WhatIfBase.unscored` lists those it leaves out for too little
data), and the what-if itself runs with ``min_coverage=0``: a project is ranked as long as it has data for
some weighted KPI.

Pure apart from :func:`load_base` (which reads through ``data_access`` with the viewer's scope); no Streamlit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import scoring
from data_access import Viewer, list_indicators, list_weight_schemes, load_indicator_matrix, weight_scheme_items
from scoring.aggregation import MissingPolicy
from scoring.weight_tree import DimensionTree, tree_problems
from scoring.weights import AHPResult
from services.scores import load_model, normalised_scores, score_matrix

MIN_COVERAGE = 0.0  # eligibility is decided by the dashboard (see the module docstring)
MISSING: MissingPolicy = "renormalize"


@dataclass(frozen=True)
class WhatIfBase:
    """What the page re-ranks, read once per viewer, period and scheme."""

    period: dt.date | None
    scheme_id: int
    scores: pd.DataFrame  # dashboard-scored projects (id index) × KPI codes: 0–100, NaN = no data / not applicable
    weights: pd.Series  # the scheme's flat effective weights over the KPI codes (sum 1)
    tree: DimensionTree  # the scheme as stored: {dimension: (weight, {code: weight})}
    indicators: pd.DataFrame  # KPI code index: dimension, category (None = all), name_zh/en, unit_zh/en
    dimensions: pd.DataFrame  # dimension code index (library order): name_zh, name_en
    categories: pd.Series  # project id → category code, for the projects in ``scores``
    dashboard: pd.DataFrame  # the dashboard's total, rank and grade for the projects in ``scores``
    unscored: pd.Index  # projects with data that the dashboard leaves unscored (too little coverage)


# -- reading ------------------------------------------------------------------------------------------------

def scheme_tree(items: pd.DataFrame) -> DimensionTree:
    """``weight_scheme_items`` rows (dimension, indicator_code None for the dimension row, weight) as a tree."""
    tree: dict[str, tuple[float, dict[str, float]]] = {}
    for dimension, group in items.groupby("dimension", sort=False):
        own = group[group["indicator_code"].isna()]["weight"]
        children = group.dropna(subset=["indicator_code"])
        weights = {str(c): float(w) for c, w in zip(children["indicator_code"], children["weight"], strict=True)}
        tree[str(dimension)] = (float(own.iloc[0]) if len(own) else 0.0, weights)
    return tree


def default_scheme_id(schemes: pd.DataFrame) -> int:
    return int(schemes.loc[schemes["is_default"].astype(bool), "id"].iloc[0])


def load_base(engine: Engine, viewer: Viewer, period: dt.date | None = None,
              scheme_id: int | None = None) -> WhatIfBase:
    """Normalised scores of the viewer's projects for ``period`` (default latest) and the weights of
    ``scheme_id`` (default: the default scheme)."""
    if scheme_id is None:
        scheme_id = default_scheme_id(list_weight_schemes(engine, viewer))
    model = load_model(engine, viewer, scheme_id=scheme_id)
    values = load_indicator_matrix(engine, viewer, period=period)
    library = list_indicators(engine, viewer)
    kpis = library[library["level"] == 3].set_index("code").reindex(model.specs.index)
    indicators = pd.DataFrame({"dimension": model.specs["dimension"], "category": model.specs["category"],
                               "name_zh": kpis["name_zh"], "name_en": kpis["name_en"],
                               "unit_zh": kpis["unit_zh"], "unit_en": kpis["unit_en"]})
    top = library[library["level"] == 1]
    dimensions = top.set_index("dimension")[["name_zh", "name_en"]]
    dimensions = dimensions[dimensions.index.isin(indicators["dimension"])]
    dashboard = score_matrix(model, values)[["total", "rank", "grade"]] if len(values) else \
        pd.DataFrame(columns=["total", "rank", "grade"], dtype=float)
    scored = dashboard.index[dashboard["total"].notna()]
    scores = normalised_scores(model, values).loc[scored]
    return WhatIfBase(
        period=values.attrs.get("period"), scheme_id=scheme_id, scores=scores,
        weights=model.weights.reindex(model.specs.index).fillna(0.0),
        tree=scheme_tree(weight_scheme_items(engine, viewer, scheme_id)), indicators=indicators,
        dimensions=dimensions, categories=model.projects["category_code"].reindex(scored),
        dashboard=dashboard.loc[scored], unscored=dashboard.index[dashboard["total"].isna()],
    )


# -- weight trees (validated by scoring.weight_tree.tree_problems) -----------------------------------------

def flat_weights(tree: DimensionTree, indicators: pd.Index) -> pd.Series:
    """One effective weight per KPI (sum 1) in ``indicators`` order; zero-weight dimensions are dropped
    first. Raises ``ValueError`` for a tree with :func:`scoring.weight_tree.tree_problems`."""
    problems = tree_problems(tree)
    if problems:
        raise ValueError(f"weights cannot be applied: {problems}")
    kept = {dimension: (weight, dict(children)) for dimension, (weight, children) in tree.items() if weight > 0}
    return scoring.effective_weights(kept).reindex(indicators).fillna(0.0)


def tree_from_flat(flat: pd.Series, dimension_of: pd.Series) -> DimensionTree:
    """A flat weight per KPI as a tree: each dimension gets the sum of its KPIs, each KPI its share of that
    (a dimension whose KPIs all weigh 0 gets weight 0 and equal shares)."""
    tree: dict[str, tuple[float, dict[str, float]]] = {}
    for dimension in pd.unique(dimension_of.to_numpy()):
        codes = dimension_of.index[dimension_of == dimension]
        weights = flat.reindex(codes).fillna(0.0).astype(float)
        total = float(weights.sum())
        shares = weights / total if total > 0 else pd.Series(1.0 / len(codes), index=codes)
        tree[str(dimension)] = (total, {str(c): float(s) for c, s in shares.items()})
    return tree


def to_percent(tree: DimensionTree) -> tuple[dict[str, float], dict[str, float]]:
    """Slider values: each dimension's share of all dimensions and each KPI's share of its dimension, in
    percent (a level that is all zero stays all zero)."""
    dimension_total = sum(weight for weight, _ in tree.values())
    dimensions = {d: (100.0 * w / dimension_total if dimension_total > 0 else 0.0) for d, (w, _) in tree.items()}
    shares: dict[str, float] = {}
    for _, children in tree.values():
        total = sum(children.values())
        shares.update({c: (100.0 * w / total if total > 0 else 0.0) for c, w in children.items()})
    return dimensions, shares


def from_percent(dimensions: Mapping[str, float], shares: Mapping[str, float],
                 dimension_of: pd.Series) -> DimensionTree:
    """The tree the sliders describe (any scale works: :func:`scoring.effective_weights` normalises)."""
    return {str(d): (float(dimensions.get(d, 0.0)),
                     {str(c): float(shares.get(c, 0.0)) for c in dimension_of.index[dimension_of == d]})
            for d in pd.unique(dimension_of.to_numpy())}


def equal_tree(dimension_of: pd.Series) -> DimensionTree:
    """Every dimension the same weight, and every KPI the same share of its dimension."""
    return {str(d): (1.0, {str(c): 1.0 for c in dimension_of.index[dimension_of == d]})
            for d in pd.unique(dimension_of.to_numpy())}


def with_dimension_weights(tree: DimensionTree, dimension_weights: Mapping[str, float]) -> DimensionTree:
    """``tree`` with its dimension weights replaced (e.g. by AHP priorities); KPI shares are kept."""
    return {d: (float(dimension_weights.get(d, 0.0)), dict(children)) for d, (_, children) in tree.items()}


def pairwise_matrix(judgements: Mapping[tuple[str, str], float], dimensions: list[str]) -> pd.DataFrame:
    """An AHP matrix from the upper-triangle judgements ``(a, b) → how much more a matters than b`` (1–9 or
    1/9–1); the lower triangle is left empty for :func:`scoring.weights.ahp` to complete with reciprocals."""
    matrix = pd.DataFrame(np.nan, index=dimensions, columns=dimensions)
    for i, a in enumerate(dimensions):
        matrix.loc[a, a] = 1.0
        for b in dimensions[i + 1:]:
            matrix.loc[a, b] = float(judgements.get((a, b), 1.0))
    return matrix


def ahp(judgements: Mapping[tuple[str, str], float], dimensions: list[str]) -> AHPResult:
    """AHP priorities of the dimensions (``weights`` labelled by dimension) with λmax, CI and CR."""
    return scoring.weights.ahp(pairwise_matrix(judgements, dimensions))


def _entropy_or_equal(block: pd.DataFrame) -> pd.Series:
    """Entropy weights of ``block``'s columns (0–100 scores, higher is better); equal weights when there is
    nothing to learn from (one column, fewer than two complete rows, or no column varies)."""
    columns = block.columns
    if len(columns) == 1:
        return pd.Series(1.0, index=columns)
    complete = block.dropna()
    if len(complete) >= 2:
        try:
            return scoring.weights.entropy(complete, [1] * len(columns))
        except ValueError:  # no column varies across the projects
            pass
    return pd.Series(1.0 / len(columns), index=columns)


def entropy_tree(scores: pd.DataFrame, indicators: pd.DataFrame, categories: pd.Series) -> DimensionTree:
    """熵权 from the data, level by level, so category-specific KPIs are judged among the projects that have them.

    1. Inside each dimension the KPIs fall into groups: those for every category, and each category's own.
       A group's KPIs share by entropy (:func:`scoring.weights.entropy`, on the 0–100 scores) over the
       projects that report every KPI of the group — for a category's group, that category's projects.
       Each group then holds a share of the dimension proportional to its number of KPIs.
    2. Each project's dimension sub-score is its renormalised weighted score over that dimension's KPIs
       (:func:`scoring.composite`); the dimensions share by entropy over the projects with every sub-score.

    Where a block has nothing to learn from (one KPI, < 2 complete rows, nothing varies) it shares equally.
    """
    dimension_of = indicators["dimension"]
    shares: dict[str, float] = {}
    sub_scores = {}
    for dimension in pd.unique(dimension_of.to_numpy()):
        codes = dimension_of.index[dimension_of == dimension]
        applies = indicators.loc[codes, "category"]
        for category in pd.unique(applies.to_numpy()):
            group = codes[(applies.isna() if category is None or pd.isna(category) else applies == category)
                          .to_numpy()]
            rows = scores if category is None or pd.isna(category) else \
                scores.loc[categories.reindex(scores.index).to_numpy() == category]
            weights = _entropy_or_equal(rows[group])
            shares.update({code: float(weights[code]) * len(group) / len(codes) for code in group})
        weights = pd.Series({code: shares[code] for code in codes})
        sub_scores[dimension] = scoring.composite(scores[codes], weights[weights > 0], min_coverage=0.0)["total"]
    dimension_weights = _entropy_or_equal(pd.DataFrame(sub_scores, index=scores.index))
    return {str(d): (float(dimension_weights[d]), {str(c): shares[c] for c in dimension_of.index[dimension_of == d]})
            for d in pd.unique(dimension_of.to_numpy())}


def combined_tree(subjective: DimensionTree, objective: DimensionTree, alpha: float,
                  indicators: pd.DataFrame) -> DimensionTree:
    """组合赋权: α·subjective + (1 − α)·objective on the flat KPI weights (:func:`scoring.weights.combine`),
    back as a tree."""
    index = indicators.index
    mixed = scoring.weights.combine(flat_weights(subjective, index), flat_weights(objective, index), alpha)
    return tree_from_flat(mixed, indicators["dimension"])


# -- re-ranking --------------------------------------------------------------------------------------------

def compare(scores: pd.DataFrame, base: pd.Series, new: pd.Series) -> pd.DataFrame:
    """:func:`scoring.whatif.compare` with the page's policy (renormalise, eligibility decided upstream)."""
    return scoring.whatif.compare(scores, base, new, missing=MISSING, min_coverage=MIN_COVERAGE)


@dataclass(frozen=True)
class WhatIfSummary:
    """The headline figures of a re-ranking, shown above the movers tables."""

    projects: int  # projects compared (ranked under either weighting or not)
    moved: int  # projects whose rank changed
    top_k: int
    entered_top_k: int  # in the new top k but not in the base one
    top_k_overlap: int  # in both top k
    base_top_k: int  # in the base top k (more than k with ties, fewer with fewer projects)
    biggest_rise: int | None  # most places gained; None when no project rose
    biggest_fall: int | None  # most places lost (a positive number); None when no project fell
    spearman: float  # rank correlation over the projects ranked both times; NaN for fewer than two


def summary(base_rank: pd.Series, new_rank: pd.Series, top_k: int) -> WhatIfSummary:
    """What moved between two rankings of the same projects (ranks 1 = best, NA = unranked), e.g. the
    ``base_rank`` and ``new_rank`` columns of :func:`compare`."""
    change = (base_rank - new_rank).astype("Float64")  # NA unless ranked both times
    base_top = set(base_rank.index[base_rank.fillna(top_k + 1) <= top_k])
    new_top = set(new_rank.index[new_rank.fillna(top_k + 1) <= top_k])
    ranked = base_rank.notna() & new_rank.notna()
    rise, fall = change.max(), change.min()
    return WhatIfSummary(
        projects=len(base_rank), moved=int((change.fillna(0) != 0).sum()), top_k=top_k,
        entered_top_k=len(new_top - base_top), top_k_overlap=len(base_top & new_top), base_top_k=len(base_top),
        biggest_rise=int(rise) if pd.notna(rise) and rise > 0 else None,
        biggest_fall=int(-fall) if pd.notna(fall) and fall < 0 else None,
        spearman=_spearman(base_rank[ranked].astype(float), new_rank[ranked].astype(float)),
    )


def _spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation: Pearson's of the average ranks (pandas' method="spearman" needs scipy)."""
    return float(a.rank().corr(b.rank())) if len(a) > 1 else float("nan")


def rank_uncertainty(scores: pd.DataFrame, weights: pd.Series, *, samples: int, concentration: float,
                     top_k: int, seed: int = 0) -> pd.DataFrame:
    positive = weights[weights > 0]
    return scoring.whatif.rank_uncertainty(scores[positive.index], positive, samples, concentration, seed,
                                           top_k=top_k, missing=MISSING, min_coverage=MIN_COVERAGE)


def stability(scores: pd.DataFrame, weights: pd.Series, top_k: int) -> pd.DataFrame | None:
    """Weight ranges keeping the top ``top_k`` for the weighted KPIs; None when a single KPI holds all the
    weight (there is nothing to rescale)."""
    positive = weights[weights > 0]
    if len(positive) < 2:
        return None
    return scoring.whatif.stability(scores[positive.index], positive, top_k, missing=MISSING,
                                    min_coverage=MIN_COVERAGE)
