"""The target tree with its progress: nodes read in scope by ``data_access.goals``, computed by
``scoring.goal_progress``; and the commands that change it, for pages, jobs and the command line alike."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data_access import goals as goal_store
from data_access.policy import Viewer
from scoring.goal_progress import leaf_progress, period_start, roll_up, statuses


def goal_tree(engine: Engine, viewer: Viewer, *, as_of: dt.date) -> pd.DataFrame:
    """The viewer's nodes (see :func:`data_access.goals.list_goals`) with progress, coverage, depth and status."""
    return with_progress(goal_store.list_goals(engine, viewer), as_of)


def with_progress(nodes: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Add ``progress`` (0 … 1), ``coverage``, ``depth`` and ``status`` to the nodes of a tree.

    Ancestors shown only as context (``in_scope`` false) get no progress and no status: their true figure
    includes branches the viewer may not see, and a figure over the visible branch alone would mislead.
    """
    leaf = leaf_progress(nodes["value"], nodes["baseline_value"], nodes["target_value"], nodes["direction"])
    rolled = roll_up(nodes.assign(leaf_progress=leaf))
    tree = nodes.assign(progress=rolled["progress"], coverage=rolled["coverage"], depth=rolled["depth"])
    start = pd.to_datetime(nodes["period"].map(period_start))
    tree["status"] = statuses(tree["progress"], start, pd.to_datetime(nodes["due_date"]), as_of)
    hidden = ~tree["in_scope"].astype(bool)
    tree.loc[hidden, ["progress", "coverage"]] = np.nan
    tree.loc[hidden, "status"] = None
    return tree


def filter_tree(tree: pd.DataFrame, *, owner_id: int | None = None, region_path: str | None = None) -> pd.DataFrame:
    """The nodes a person owns (``owner_id``) and/or those inside a region; a node whose parent is left out
    becomes a root of what remains."""
    keep = pd.Series(True, index=tree.index)
    if owner_id is not None:
        keep &= tree["owner_id"] == owner_id
    if region_path is not None:
        keep &= tree["region_path"].str.startswith(region_path)
    return tree[keep]


def branch(tree: pd.DataFrame, goal_id: int) -> pd.DataFrame:
    """The node ``goal_id`` and every node below it (empty when it is not in ``tree``)."""
    keep = set(tree.loc[tree["id"] == goal_id, "id"])
    frontier = keep
    while frontier:
        frontier = set(tree.loc[tree["parent_id"].isin(frontier), "id"]) - keep
        keep |= frontier
    return tree[tree["id"].isin(keep)]


def create_goal(engine: Engine, actor: Viewer, fields: Mapping[str, Any]) -> int:
    """Add a node to the tree (rules and scope in :mod:`data_access.goals`); returns its id."""
    return goal_store.create_goal(engine, actor, fields)


def update_goal(engine: Engine, actor: Viewer, goal_id: int, expected_version: int,
                changes: Mapping[str, Any]) -> int:
    """Edit or move a node; returns its new version."""
    return goal_store.update_goal(engine, actor, goal_id, expected_version, changes)


def delete_goal(engine: Engine, actor: Viewer, goal_id: int, expected_version: int) -> None:
    """Remove a node that has no sub-goals."""
    goal_store.delete_goal(engine, actor, goal_id, expected_version)
