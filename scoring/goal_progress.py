"""Progress of the target tree: leaves from their measurement, parents from their children, and a status.

Pure numpy/pandas. A leaf linked to an indicator measures ``value`` against ``baseline`` and ``target``; a parent
is the weighted mean (by ``weight``) of its children that have a progress; children without one are left out
and the share of weight that is measured is reported as ``coverage``. Progress is a fraction 0 … 1.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

STATUSES = ("done", "on_track", "at_risk", "overdue", "no_data")
AT_RISK_MARGIN = 0.10  # behind the time elapsed by more than this share of the whole: at risk


def leaf_progress(value: pd.Series, baseline: pd.Series, target: pd.Series, direction: pd.Series) -> pd.Series:
    """How far ``value`` has moved from ``baseline`` to ``target``, clipped to 0 … 1 (NaN without data).

    A missing baseline counts as 0. For lower-is-better indicators the way from baseline to target goes down;
    a target at or above the baseline is then a ceiling: met (1) while the value stays at or below it, else 0.
    Band indicators count as higher-is-better. A target equal to the baseline is met or not.

    >>> values = pd.Series([60.0, 4.0, 12.0, 2.0, 7.0])
    >>> leaf_progress(values, pd.Series([20.0, None, 20.0, 0.0, 5.0]), pd.Series([100.0, 5.0, 10.0, 3.0, 5.0]),
    ...               pd.Series(["higher", "higher", "lower", "lower", "higher"])).round(3).tolist()
    [0.5, 0.8, 0.8, 1.0, 1.0]
    """
    b = baseline.astype(float).fillna(0.0).to_numpy()
    t, v = target.astype(float).to_numpy(), value.astype(float).to_numpy()
    lower = (direction == "lower").to_numpy()
    reached = np.where(lower, v <= t, v >= t).astype(float)
    span = t - b
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = np.where(span != 0, (v - b) / np.where(span != 0, span, 1.0), reached)
    ceiling = lower & (t >= b)
    progress = np.clip(np.where(ceiling, reached, linear), 0.0, 1.0)
    progress[np.isnan(v) | np.isnan(t)] = np.nan
    return pd.Series(progress, index=value.index, dtype=float)


def roll_up(nodes: pd.DataFrame) -> pd.DataFrame:
    """Each node's ``progress``, ``coverage`` and ``depth`` (roots 0), from the leaves up.

    ``nodes`` has ``id``, ``parent_id`` (NaN or an id not among the nodes: a root), ``weight`` and
    ``leaf_progress`` (used only where a node has no children). Coverage of a parent is the share of its
    children's weight that has a progress; of a leaf 1 or 0. Returns the columns indexed like ``nodes``.

    >>> tree = pd.DataFrame({"id": [1, 2, 3, 4], "parent_id": [None, 1, 1, 1], "weight": [1, 3, 1, 1],
    ...                      "leaf_progress": [None, 0.5, 1.0, None]})
    >>> roll_up(tree).round(4).to_dict("list")
    {'progress': [0.625, 0.5, 1.0, nan], 'coverage': [0.8, 1.0, 1.0, 0.0], 'depth': [0, 1, 1, 1]}
    """
    ids = nodes["id"].to_numpy()
    parent = nodes["parent_id"].where(nodes["parent_id"].isin(ids))
    depth = _depths(pd.Series(parent.to_numpy(), index=ids))
    progress = pd.Series(nodes["leaf_progress"].astype(float).to_numpy(), index=ids)
    coverage = progress.notna().astype(float)
    weight = pd.Series(nodes["weight"].astype(float).to_numpy(), index=ids)
    parent_of = pd.Series(parent.to_numpy(), index=ids)
    for level in sorted(set(depth.tolist()), reverse=True)[:-1]:
        children = depth.index[depth == level]
        frame = pd.DataFrame({"parent": parent_of[children], "weight": weight[children],
                              "progress": progress[children]})
        measured = frame["progress"].notna()
        frame["measured_weight"] = frame["weight"].where(measured, 0.0)
        frame["weighted"] = (frame["weight"] * frame["progress"]).where(measured, 0.0)
        sums = frame.groupby("parent")[["weight", "measured_weight", "weighted"]].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            progress[sums.index] = (sums["weighted"] / sums["measured_weight"]).where(sums["measured_weight"] > 0)
            coverage[sums.index] = (sums["measured_weight"] / sums["weight"]).where(sums["weight"] > 0, 0.0)
    return pd.DataFrame({"progress": progress.to_numpy(), "coverage": coverage.to_numpy(),
                         "depth": depth.to_numpy()}, index=nodes.index)


def _depths(parent_of: pd.Series) -> pd.Series:
    """Depth of every node (roots 0) by walking up the parent links; a cycle would be a data error."""
    depth = pd.Series(0, index=parent_of.index)
    current = parent_of.copy()
    for _ in range(len(parent_of)):
        has_parent = current.notna()
        if not has_parent.any():
            return depth
        depth[has_parent] += 1
        current = current.map(parent_of.to_dict()).where(has_parent)
    raise ValueError("the target tree has a cycle")


def period_start(period: str) -> dt.date:
    """First day of a goal's period: ``'2026'`` → 1 January 2026, ``'2026-11'`` → 1 November 2026.

    >>> period_start("2026"), period_start("2026-11")
    (datetime.date(2026, 1, 1), datetime.date(2026, 11, 1))
    """
    year, _, month = period.partition("-")
    return dt.date(int(year), int(month or 1), 1)


def statuses(progress: pd.Series, start: pd.Series, due: pd.Series, as_of: dt.date) -> pd.Series:
    """Done, overdue, at risk or on track: progress against the share of time elapsed from start to due date.

    No progress: ``no_data``. Progress 100 %: ``done``. Past the due date and not done: ``overdue``. Behind the
    elapsed share of time by more than :data:`AT_RISK_MARGIN`: ``at_risk``. Without a due date: ``on_track``.

    >>> day = pd.to_datetime
    >>> statuses(pd.Series([1.0, 0.5, 0.2, 0.45, None, 0.3]),
    ...          pd.Series(day(["2026-01-01"] * 6)),
    ...          pd.Series(day(["2026-12-31", "2026-06-30", "2026-12-31", "2026-12-31", "2026-12-31", None])),
    ...          dt.date(2026, 7, 2)).tolist()
    ['done', 'overdue', 'at_risk', 'on_track', 'no_data', 'on_track']
    """
    today = np.datetime64(as_of, "D")
    begin = pd.to_datetime(start).to_numpy().astype("datetime64[D]")
    end = pd.to_datetime(due).to_numpy().astype("datetime64[D]")
    has_due = ~np.isnat(end)
    span = np.where(has_due, (end - begin).astype("int64"), 1).astype(float)
    elapsed = np.where(has_due, (today - begin).astype("int64"), 0).astype(float)
    expected = np.clip(np.divide(elapsed, span, out=np.ones_like(span), where=span > 0), 0.0, 1.0)
    p = progress.astype(float).to_numpy()
    status = np.select(
        [np.isnan(p), p >= 1.0, has_due & (today > end), has_due & (p < expected - AT_RISK_MARGIN)],
        ["no_data", "done", "overdue", "at_risk"], "on_track")
    return pd.Series(status, index=progress.index, dtype=object)
