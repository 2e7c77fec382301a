"""Summarise project totals by district, department or category.

Unscored projects (NaN) are counted but never averaged in as zeros, and
projects whose group is missing stay visible as their own NaN group instead of
silently disappearing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd


def rollup(project_scores: pd.DataFrame, by: str | Sequence[str], how: Literal["mean", "budget_weighted"] = "mean",
           *, value: str = "total", budget: str = "budget") -> pd.DataFrame:
    """Average of ``value`` per group: plain mean or weighted by each project's budget.

    ``project_scores`` has one row per project with the ``by`` column(s), the
    ``value`` column (default ``total``) and, for ``how="budget_weighted"``,
    the ``budget`` column (non-negative; missing for a scored project raises,
    and so does a group whose scored projects' budgets add up to 0 — its
    budget-weighted average would be 0/0, and silently falling back to the
    plain mean or to NaN would hide the data error).

    Returns one row per group (index = the ``by`` column(s), sorted) with
    columns ``value`` (the average over scored projects), ``projects`` (all
    projects in the group), ``scored`` (projects with a value) and, when
    budget-weighted, ``budget`` (the total budget of the scored projects).

    >>> frame = pd.DataFrame({"district": ["east", "east", "west"], "total": [90.0, 60.0, 70.0],
    ...                       "budget": [100.0, 300.0, 50.0]})
    >>> rollup(frame, "district", "budget_weighted")
              total  projects  scored  budget
    district
    east       67.5         2       2   400.0
    west       70.0         1       1    50.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    needed = keys + [value] + ([budget] if how == "budget_weighted" else [])
    absent = [c for c in needed if c not in project_scores.columns]
    if absent:
        raise ValueError(f"rollup needs column(s) {', '.join(map(repr, absent))}")
    if how not in ("mean", "budget_weighted"):
        raise ValueError(f"unknown rollup {how!r}; use 'mean' or 'budget_weighted'")
    if not pd.api.types.is_numeric_dtype(project_scores[value]):
        raise ValueError(f"column {value!r} must be numeric")
    x = project_scores[value].to_numpy(dtype=float, na_value=np.nan)
    scored = ~np.isnan(x)
    if how == "mean":
        weight = scored.astype(float)
    else:
        if not pd.api.types.is_numeric_dtype(project_scores[budget]):
            raise ValueError(f"column {budget!r} must be numeric")
        b = project_scores[budget].to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(b[scored]).any():
            raise ValueError(f"column {budget!r} is missing for {int(np.isnan(b[scored]).sum())} scored project(s)")
        if (b < 0).any():
            raise ValueError(f"column {budget!r} has negative budgets")
        weight = np.where(scored, b, 0.0)
    parts = pd.DataFrame({"weight": weight, "weighted": np.where(scored, x, 0.0) * weight,
                          "projects": 1, "scored": scored.astype(int)}, index=project_scores.index)
    parts[keys] = project_scores[keys]
    sums = parts.groupby(keys, dropna=False, sort=True).sum()
    if how == "budget_weighted":
        unweighable = (sums["scored"].to_numpy() > 0) & (sums["weight"].to_numpy() == 0)
        if unweighable.any():
            groups = ", ".join(map(repr, sums.index[unweighable]))
            raise ValueError(f"group(s) {groups}: the scored projects' {budget!r} adds up to 0, so a "
                             "budget-weighted average is undefined; fix the budgets or use how='mean'")
    with np.errstate(divide="ignore", invalid="ignore"):
        average = sums["weighted"].to_numpy() / sums["weight"].to_numpy()
    result = pd.DataFrame({value: average, "projects": sums["projects"], "scored": sums["scored"]}, index=sums.index)
    if how == "budget_weighted":
        result["budget"] = sums["weight"]
    return result
