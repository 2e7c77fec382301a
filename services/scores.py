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
    list_projects,
    list_weight_schemes,
    load_indicator_matrix,
    load_target_matrix,
    weight_scheme_items,
)
from data_access.indicator_library import ignored_by, recipe_for


@dataclass(frozen=True)
class ScoringModel:
    """Everything needed to turn raw KPI values into scores, read once per request."""

    specs: pd.DataFrame  # indexed by indicator code: direction, method, lower, upper, falloff, cap, thresholds,
    #                      dimension, category
    weights: pd.Series  # effective weight per indicator code (sums to 1 over all KPIs)
    targets: pd.DataFrame  # projects × indicator codes
    projects: pd.DataFrame  # id-indexed: category_code, region and names, budget


def _specs(indicators: pd.DataFrame, scheme_created_at: dt.datetime) -> pd.DataFrame:
    """The scored KPIs as the scheme made at ``scheme_created_at`` scores them: each with the recipe it had
    then (the library keeps earlier recipes), and without those retired before the scheme was made."""
    kpis = indicators[(indicators["level"] == 3) & indicators["scored"].astype(bool)]
    kpis = kpis[[not ignored_by(retired, scheme_created_at) for retired in kpis["retired_at"]]].set_index("code")
    recipes = {code: recipe_for(row, scheme_created_at) for code, row in kpis.to_dict("index").items()}
    specs = pd.DataFrame(index=kpis.index)
    specs["direction"] = [recipe.direction for recipe in recipes.values()]
    specs["method"] = [recipe.method for recipe in recipes.values()]
    for parameter in ("lower", "upper", "falloff", "cap"):
        specs[parameter] = [float(recipe.params.get(parameter, np.nan)) for recipe in recipes.values()]
    specs["thresholds"] = pd.Series([recipe.params.get("thresholds") for recipe in recipes.values()],
                                    index=kpis.index, dtype=object)
    specs["dimension"] = kpis["dimension"]
    specs["category"] = kpis["category_code"]
    return specs


def _scheme(engine: Engine, viewer: Viewer, scheme_id: int | None) -> tuple[int, dt.datetime]:
    """The scheme's id (default: the default scheme) and when it was made."""
    schemes = list_weight_schemes(engine, viewer)
    chosen = schemes[schemes["is_default"].astype(bool)] if scheme_id is None else schemes[schemes["id"] == scheme_id]
    return int(chosen["id"].iloc[0]), pd.Timestamp(chosen["created_at"].iloc[0]).to_pydatetime()


def _scheme_weights(engine: Engine, viewer: Viewer, specs: pd.DataFrame, scheme_id: int) -> pd.Series:
    items = weight_scheme_items(engine, viewer, scheme_id)
    items = items[items["indicator_code"].isna() | items["indicator_code"].isin(specs.index)]
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
    scheme_id, created_at = _scheme(engine, viewer, scheme_id)
    specs = _specs(list_indicators(engine, viewer), created_at)
    projects = list_projects(engine, viewer).set_index("id")
    return ScoringModel(specs, _scheme_weights(engine, viewer, specs, scheme_id),
                        load_target_matrix(engine, viewer, list(specs.index)).reindex(columns=specs.index), projects)


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


def category_weights(model: ScoringModel, weights: pd.Series, category: object) -> pd.Series:
    """The weights that score a project of ``category`` (NaN: none): those of the KPIs every category has and of
    the category's own KPIs, positive ones only; :func:`scoring.composite` spreads them to sum to 1."""
    applies = model.specs["category"].isna() | (model.specs["category"] == category)
    return weights[applies & (weights > 0)]


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
        own = category_weights(model, weights, category)
        parts.append(scoring.composite(scores.loc[members.index, own.index], own))
    result = pd.concat(parts).reindex(values.index) if parts else scoring.composite(scores, weights[weights > 0])
    contribution_columns = [c for c in model.specs.index if c in result.columns]
    result[contribution_columns] = result[contribution_columns].fillna(0.0).where(result["total"].notna())
    result["rank"] = scoring.rank(result["total"])
    result["grade"] = scoring.grade(result["total"])
    return result


def monthly_totals(model: ScoringModel, months: pd.DataFrame) -> pd.Series:
    """The total of each row of a (period, project_id)-indexed matrix of raw values (as
    :func:`data_access.load_indicator_months` reads it), scored in one pass: a project's total depends on its own
    values, targets and the weights only, so each row is scored as a project of its own (twelve months scored
    month by month took a second, most of it the per-category bookkeeping done twelve times)."""
    if months.empty:
        return pd.Series(dtype=float, index=months.index, name="total")
    project_ids = months.index.get_level_values("project_id")
    rows = pd.RangeIndex(len(months))
    per_row = ScoringModel(model.specs, model.weights, model.targets.reindex(index=project_ids).set_axis(rows),
                           model.projects[["category_code"]].reindex(index=project_ids).set_axis(rows))
    return score_matrix(per_row, months.set_axis(rows))["total"].astype(float).set_axis(months.index)


def period_scores(engine: Engine, viewer: Viewer, period: dt.date | None = None,
                  model: ScoringModel | None = None) -> pd.DataFrame:
    """Scores of every project in scope for one period (default: the latest with data)."""
    model = model or load_model(engine, viewer)
    values = load_indicator_matrix(engine, viewer, period=period)
    result = score_matrix(model, values)
    result.attrs["period"] = values.attrs.get("period")
    return result
