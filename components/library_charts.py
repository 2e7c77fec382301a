"""The indicator library as pictures: a sunburst of each live KPI's share of the default weights."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.i18n import name_suffix, translate
from components.text import html_text


def default_weight_shares(library: pd.DataFrame) -> pd.Series:
    """Each live scored KPI's share of the whole (sums to 1): its dimension's default weight split among the
    dimension's KPIs by their default weights. Indexed by KPI code; empty when nothing carries weight."""
    live = library[library["retired_at"].isna()]
    dimensions = live[live["level"] == 1].set_index("dimension")["default_weight"].astype(float)
    kpis = live[(live["level"] == 3) & live["scored"].astype(bool)].set_index("code")
    weights = kpis["default_weight"].astype(float)
    within = weights / weights.groupby(kpis["dimension"]).transform("sum")
    shares = (within * kpis["dimension"].map(dimensions)).fillna(0.0)
    total = shares.sum()
    return shares / total if total > 0 else shares.iloc[0:0]


def weight_sunburst(library: pd.DataFrame, lang: str) -> go.Figure:
    """Dimension → group → KPI rings sized by :func:`default_weight_shares`; names are data, escaped."""
    shares = default_weight_shares(library)
    name = f"name_{name_suffix(lang)}"
    by_id = library.set_index("id")
    kpis = by_id[by_id["code"].isin(shares.index)]
    groups = by_id.loc[kpis["parent_id"].unique()]
    dimensions = by_id.loc[groups["parent_id"].unique()]
    ids, labels, parents, values = [], [], [], []
    for frame in (dimensions, groups, kpis):
        for node_id, row in frame.iterrows():
            below = kpis[(kpis["parent_id"] == node_id) | (kpis["parent_id"].map(by_id["parent_id"]) == node_id)]
            value = shares[row["code"]] if row["level"] == 3 else shares[below["code"]].sum()
            ids.append(str(node_id))
            labels.append(html_text(row[name]))
            parents.append("" if row["level"] == 1 else str(int(row["parent_id"])))
            values.append(100.0 * float(value))
    figure = go.Figure(go.Sunburst(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        hovertemplate="%{label}<br>" + html_text(translate("indicators.share", lang)) + " %{value:.1f}%<extra></extra>",
    ))
    figure.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0}, height=460,
                         title=translate("indicators.sunburst_title", lang))
    return figure
