"""Plotly figure builders (pure: data in, figure out; unit-tested without Streamlit)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.colours import WARNING_COLOURS
from components.text import html_text


def alerts_by_district(counts: pd.DataFrame, severity_labels: dict[str, str]) -> go.Figure:
    """Stacked bars of live warnings per district, red first, in the warning colours.

    ``counts`` has columns district_id, district, severity, count; each bar carries its ``district_id`` in
    ``customdata`` for drill-down.
    """
    totals = counts.groupby("district")["count"].sum().sort_values()
    figure = go.Figure()
    for severity in ("red", "orange", "yellow"):
        part = counts[counts["severity"] == severity].set_index("district").reindex(totals.index)
        figure.add_bar(y=[html_text(district) for district in totals.index],
                       x=part["count"].fillna(0).astype(int).tolist(),
                       orientation="h",
                       name=severity_labels[severity], marker_color=WARNING_COLOURS[severity],
                       customdata=part["district_id"].tolist(),
                       hovertemplate="%{y}<br>" + severity_labels[severity] + ": %{x}<extra></extra>")
    figure.update_layout(barmode="stack", height=max(260, 22 * len(totals) + 80), margin=dict(l=10, r=10, t=40, b=10),
                         legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return figure


def light_theme(figure: go.Figure) -> go.Figure:
    """Undo the big screen's dark styling for a chart shown on an ordinary (light) page."""
    dark_text = "#1b2733"
    figure.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                         font=dict(color=dark_text, size=14), title_font_color=dark_text)
    figure.update_xaxes(color=dark_text, gridcolor="#e6e9ef")
    figure.update_yaxes(color=dark_text, gridcolor="#e6e9ef")
    figure.update_traces(textfont_color=dark_text, selector=dict(type="bar"))
    for annotation in figure.layout.annotations:
        annotation.font.color = dark_text
    return figure
