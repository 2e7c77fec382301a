"""The target tree drawn: a plotly treemap coloured by progress, and the indented table beside it.

Pure builders over the frame ``services.goals.goal_tree`` returns (id, parent_id, title_zh/en, owner_name,
due_date, weight, progress 0 … 1, coverage, status, in_scope). Titles and names are user text: escaped for
plotly. A node whose parent is not in the frame (filtered out) is drawn as a root.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from components.colours import GREEN, GREY, RED, YELLOW, is_missing
from components.formatting import date, percent
from components.i18n import name_suffix, translate
from components.text import html_text

PROGRESS_COLOURSCALE: list[list[float | str]] = [[0.0, RED], [0.5, YELLOW], [1.0, GREEN]]  # red → green
CONTEXT_GREY = "#eaeef2"


def tree_order(tree: pd.DataFrame) -> list[tuple[Hashable, int]]:
    """(row label, depth) of every node, depth-first: each node followed by its children (by sort order, id).

    >>> frame = pd.DataFrame({"id": [1, 2, 3, 4], "parent_id": [None, 1, 9, 1], "sort_order": [0, 1, 0, 0]})
    >>> tree_order(frame)
    [(0, 0), (3, 1), (1, 1), (2, 0)]
    """
    ids = set(tree["id"])
    ranked = tree.sort_values(["sort_order", "id"], kind="stable")
    children: dict[object, list[Hashable]] = {}
    for label, parent in zip(ranked.index, ranked["parent_id"], strict=True):
        key = parent if not is_missing(parent) and parent in ids else None
        children.setdefault(key, []).append(label)
    id_of = tree["id"].to_dict()
    order: list[tuple[Hashable, int]] = []
    stack = [(label, 0) for label in reversed(children.get(None, []))]
    while stack:
        label, depth = stack.pop()
        order.append((label, depth))
        stack += [(child, depth + 1) for child in reversed(children.get(id_of[label], []))]
    return order


def _areas(tree: pd.DataFrame, order: list[tuple[Hashable, int]]) -> dict[Hashable, float]:
    """Each node's share of the picture: roots share it equally, children split their parent's by weight."""
    ids = set(tree["id"])
    parent_label = {row_id: label for label, row_id in tree["id"].items()}
    roots = [label for label, depth in order if depth == 0]
    area: dict[Hashable, float] = {label: 1.0 / len(roots) for label in roots}
    weights = tree["weight"].astype(float)
    sibling_weight = weights.groupby(tree["parent_id"].where(tree["parent_id"].isin(ids))).sum().to_dict()
    weight: dict[Hashable, float] = weights.to_dict()
    for label, depth in order:
        if depth:
            parent = tree.at[label, "parent_id"]
            total = sibling_weight.get(parent, 0.0)
            area[label] = area[parent_label[parent]] * (weight[label] / total if total > 0 else 0.0)
    return area


def _progress_colour(progress: object, in_scope: object) -> str:
    """Red → green by progress; grey without data, light grey for a parent shown only for context."""
    if not in_scope:
        return CONTEXT_GREY
    fraction = _fraction(progress)
    return GREY if fraction is None else str(sample_colorscale(PROGRESS_COLOURSCALE, [fraction])[0])


def _fraction(value: object) -> float | None:
    """A number (a progress or coverage fraction, a measurement) as a float, or None when missing."""
    return float(value) if isinstance(value, int | float) and not is_missing(value) else None


def _percent_of(value: object) -> str:
    fraction = _fraction(value)
    return percent(None if fraction is None else 100 * fraction)


def _day(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def status_label(status: object, lang: str) -> str:
    """The status in words; none (a node shown only as context) is a dash."""
    return "—" if is_missing(status) else translate(f"goals.status.{status}", lang)


def goal_treemap(tree: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Treemap of the nodes: areas by weight within each parent, colours by progress (grey: no data).

    ``customdata`` per node: id, escaped owner, due date, progress, status, coverage (as shown on hover).
    """
    order = tree_order(tree)
    labels = [label for label, _ in order]
    rows = tree.loc[labels]
    has_children = set(rows["parent_id"].dropna())
    area = _areas(tree, order)
    ids = set(tree["id"])
    title = rows[f"title_{name_suffix(lang)}"]
    custom = [[int(row_id), "—" if is_missing(owner) else html_text(owner), date(_day(due), lang),
               _percent_of(progress), status_label(status, lang), _percent_of(coverage)]
              for row_id, owner, due, progress, status, coverage in zip(
                  rows["id"], rows["owner_name"], rows["due_date"], rows["progress"], rows["status"],
                  rows["coverage"], strict=True)]
    hover = "<br>".join(f"{translate(key, lang)}: %{{customdata[{i}]}}" for i, key in (
        (1, "goals.owner"), (2, "goals.due_date"), (3, "goals.hover_progress"), (4, "goals.status"),
        (5, "goals.hover_coverage")))
    trace = go.Treemap(
        ids=[str(row_id) for row_id in rows["id"]],
        parents=["" if is_missing(parent) or parent not in ids else str(int(parent)) for parent in rows["parent_id"]],
        labels=[html_text(text) for text in title],
        values=[0.0 if row_id in has_children else area[label] for label, row_id in zip(labels, rows["id"],
                                                                                          strict=True)],
        branchvalues="remainder",
        marker={"colors": [_progress_colour(value, in_scope) for value, in_scope
                           in zip(rows["progress"], rows["in_scope"], strict=True)], "line": {"width": 1}},
        sort=False,
        customdata=custom,
        hovertemplate="<b>%{label}</b><br>" + hover + "<extra></extra>",
        texttemplate="%{label}<br>%{customdata[3]}",
        maxdepth=3,
    )
    figure = go.Figure(trace)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=560)
    return figure


def _measure(value: object, target: object, unit: object) -> str:
    """``"71.12 / 90 %"``: the latest measurement against the target (a dash for the one missing)."""
    shown = [_figure(number) for number in (value, target)]
    if shown == ["—", "—"]:
        return ""
    return f"{shown[0]} / {shown[1]}" + (f" {unit}" if isinstance(unit, str) and unit else "")


def _figure(value: object) -> str:
    """Up to two decimals, thousands separated: ``71.119`` → ``71.12``, ``50000.0`` → ``50,000``."""
    number = _fraction(value)
    return "—" if number is None else f"{number:,.2f}".rstrip("0").rstrip(".")


def goal_table(tree: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The nodes as an indented table in tree order: title (indented by depth), O/KR, owner, due date, latest
    value against the target, progress, status and coverage; plain text for ``st.dataframe``."""
    order = tree_order(tree)
    rows = tree.loc[[label for label, _ in order]]
    title = rows[f"title_{name_suffix(lang)}"]
    indent = ["\u3000" * depth + ("└ " if depth else "") for _, depth in order]
    return pd.DataFrame({
        translate("goals.title", lang): [prefix + str(text) for prefix, text in zip(indent, title, strict=True)],
        translate("goals.okr_type", lang): [translate(f"goals.okr.{kind}", lang) for kind in rows["okr_type"]],
        translate("goals.owner", lang): rows["owner_name"].fillna("—").tolist(),
        translate("goals.due_date", lang): [date(_day(day), lang) for day in rows["due_date"]],
        translate("goals.measure", lang): [_measure(value, target, unit) for value, target, unit
                                           in zip(rows["value"], rows["target_value"], rows["unit_zh"], strict=True)],
        translate("goals.progress", lang): (100 * rows["progress"].astype(float)).round(1).to_numpy(),
        translate("goals.status", lang): [status_label(status, lang) for status in rows["status"]],
        translate("goals.coverage", lang): [_percent_of(value) for value in rows["coverage"]],
    }, index=rows["id"].tolist())
