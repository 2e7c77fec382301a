"""Plotly figure builders (pure: data in, figure out; unit-tested without Streamlit)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.colours import WARNING_COLOURS
from components.text import html_text


def alerts_by_district(counts: pd.DataFrame, severity_labels: dict[str, str]) -> go.Figure:
    """Stacked bars of live warnings per district, red first, in the warning colours; a click picks a district.

    ``counts`` has columns district_id, district, severity, count. Every bar segment carries ``[district_id]`` as
    its ``customdata`` (whichever severity was clicked), for ``webapp.drill.picked_customdata``. The page draws it
    without plotly's toolbar, so the legend above the bars is never covered.
    """
    totals = counts.groupby("district_id")["count"].sum().sort_values(kind="stable")
    names = counts.drop_duplicates("district_id").set_index("district_id")["district"].reindex(totals.index)
    labels = [html_text(name) for name in names]
    figure = go.Figure()
    for severity in ("red", "orange", "yellow"):
        part = counts[counts["severity"] == severity].set_index("district_id")["count"].reindex(totals.index)
        figure.add_bar(y=labels, x=part.fillna(0).astype(int).tolist(), orientation="h",
                       name=severity_labels[severity], marker_color=WARNING_COLOURS[severity],
                       customdata=[[int(district_id)] for district_id in totals.index],
                       hovertemplate="%{y}<br>" + severity_labels[severity] + ": %{x}<extra></extra>")
    figure.update_layout(barmode="stack", height=max(260, 22 * len(totals) + 100),
                         margin=dict(l=10, r=10, t=40, b=30), clickmode="event+select",
                         legend=dict(orientation="h", traceorder="normal", yanchor="top", y=1, x=0,
                                     yref="container"))
    figure.update_yaxes(automargin=True)
    figure.update_xaxes(automargin=True)
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
