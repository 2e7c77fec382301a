"""Project scores from the stored data: normalise each KPI against its target, weight, rank, grade.

Weights come from the default weight scheme. Category-specific KPIs (visitor growth for tourism projects,
school places for education …) are weighted only among the projects they apply to: each category is scored
with the scheme restricted to its KPIs, so a school is not marked down for having no tourists.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import scoring
from data_access import (
    Viewer,
    list_indicators,
    list_project_targets,
    list_projects,
    list_weight_schemes,
    load_indicator_matrix,
    weight_scheme_items,
)

BAND_FALLOFF_FACTOR = 2.0  # a band scores 0 at twice its width outside it


@dataclass(frozen=True)
class ScoringModel:
    """Everything needed to turn raw KPI values into scores, read once per request."""

    specs: pd.DataFrame  # indexed by indicator code: direction, method, lower, upper, falloff, dimension, category
    weights: pd.Series  # effective weight per indicator code (sums to 1 over all KPIs)
    targets: pd.DataFrame  # projects × indicator codes
    projects: pd.DataFrame  # id-indexed: category_code, region and names, budget


def _specs(indicators: pd.DataFrame) -> pd.DataFrame:
    kpis = indicators[(indicators["level"] == 3) & indicators["scored"].astype(bool)].set_index("code")
    specs = pd.DataFrame(index=kpis.index)
    specs["direction"] = kpis["direction"]
    specs["method"] = np.where(kpis["direction"] == "band", "band", "target")
    specs["lower"] = kpis["band_lower"].astype(float)
    specs["upper"] = kpis["band_upper"].astype(float)
    specs["falloff"] = ((specs["upper"] - specs["lower"]).clip(lower=0.5) * BAND_FALLOFF_FACTOR).where(
        specs["method"] == "band")
    specs["dimension"] = kpis["dimension"]
    specs["category"] = kpis["category_code"]
    return specs


def _scheme_weights(engine: Engine, viewer: Viewer, specs: pd.DataFrame, scheme_id: int | None) -> pd.Series:
    schemes = list_weight_schemes(engine, viewer)
    if scheme_id is None:
        scheme_id = int(schemes.loc[schemes["is_default"].astype(bool), "id"].iloc[0])
    items = weight_scheme_items(engine, viewer, scheme_id)
    dimension_weights = items[items["indicator_code"].isna()].set_index("dimension")["weight"]
    indicator_weights = items.dropna(subset=["indicator_code"])
    tree = {
        str(dimension): (float(dimension_weights[dimension]),
                    dict(zip(group["indicator_code"], group["weight"].astype(float), strict=True)))
        for dimension, group in indicator_weights.groupby("dimension")
        if dimension in dimension_weights and group["weight"].sum() > 0
    }
    return scoring.effective_weights(tree).reindex(specs.index).fillna(0.0)


def load_model(engine: Engine, viewer: Viewer, *, scheme_id: int | None = None) -> ScoringModel:
    """Read the indicator library, the weight scheme, targets and projects the viewer may see."""
    specs = _specs(list_indicators(engine, viewer))
    targets = list_project_targets(engine, viewer).pivot(index="project_id", columns="indicator_code",
                                                         values="target_value")
    projects = list_projects(engine, viewer).set_index("id")
    return ScoringModel(specs, _scheme_weights(engine, viewer, specs, scheme_id),
                        targets.reindex(columns=specs.index), projects)


def normalised_scores(model: ScoringModel, values: pd.DataFrame) -> pd.DataFrame:
    """Projects × KPIs of 0–100 scores: each raw value against the project's target (or its band)."""
    values = values.reindex(columns=model.specs.index)
    present = values.columns[values.notna().any()]  # a KPI nobody reported has nothing to normalise
    scores = pd.DataFrame(np.nan, index=values.index, columns=model.specs.index)
    if len(present):
        scores = scoring.normalize_frame(values[present], model.specs.loc[present],
                                         model.targets.reindex(index=values.index, columns=present)
                                         ).reindex(columns=model.specs.index)
    return scores.astype(float)


def score_matrix(model: ScoringModel, values: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """Composite scores for a projects × KPI matrix of raw values, category by category.

    Returns one row per project: ``total``, ``coverage``, ``reason``, one contribution column per KPI, and
    ``rank`` / ``grade`` across all projects given.
    """
    weights = model.weights if weights is None else weights.reindex(model.specs.index).fillna(0.0)
    values = values.reindex(columns=model.specs.index)
    scores = normalised_scores(model, values)
    categories = model.projects["category_code"].reindex(values.index)
    parts = []
    for category, members in categories.groupby(categories, dropna=False):
        applies = model.specs["category"].isna() | (model.specs["category"] == category)
        own = weights[applies & (weights > 0)]
        parts.append(scoring.composite(scores.loc[members.index, own.index], own))
    result = pd.concat(parts).reindex(values.index) if parts else scoring.composite(scores, weights[weights > 0])
    contribution_columns = [c for c in model.specs.index if c in result.columns]
    result[contribution_columns] = result[contribution_columns].fillna(0.0).where(result["total"].notna())
    result["rank"] = scoring.rank(result["total"])
    result["grade"] = scoring.grade(result["total"])
    return result


def period_scores(engine: Engine, viewer: Viewer, period: dt.date | None = None,
                  model: ScoringModel | None = None) -> pd.DataFrame:
    """Scores of every project in scope for one period (default: the latest with data)."""
    model = model or load_model(engine, viewer)
    values = load_indicator_matrix(engine, viewer, period=period)
    result = score_matrix(model, values)
    result.attrs["period"] = values.attrs.get("period")
    return result
