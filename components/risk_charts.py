"""A project's predicted risk month by month (风险预测): the probability of finishing late and of overrunning."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.colours import ORANGE, RED
from components.formatting import MONTH_TICKS
from components.i18n import translate


def risk_trend(trend: pd.DataFrame, lang: str, late_days: int) -> go.Figure:
    """P(late) and P(over budget) (columns ``as_of``, ``p_late``, ``p_overrun``, probabilities 0–1) as
    percentages over the days they were predicted on; the axis always runs from 0 to 100 %.

    ``customdata`` per point: ``[day ISO date]``.
    """
    frame = trend.assign(as_of=pd.to_datetime(trend["as_of"])).sort_values("as_of")
    days = frame["as_of"]
    figure = go.Figure()
    for column, key, colour in (("p_late", "risk.trend_late", RED), ("p_overrun", "risk.trend_overrun", ORANGE)):
        name = translate(key, lang, days=late_days)
        figure.add_scatter(x=days, y=(frame[column] * 100).round(1), mode="lines+markers", name=name,
                           line=dict(color=colour, width=2), marker=dict(size=7),
                           customdata=[[day.date().isoformat()] for day in days],
                           hovertemplate=f"%{{customdata[0]}}<br>{name}: %{{y:.0f}}%<extra></extra>")
    figure.update_layout(
        height=300, margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(type="date", tickformat=MONTH_TICKS[lang], dtick="M1"),
        yaxis=dict(range=[0, 100], ticksuffix="%", title=dict(text=translate("risk.trend_axis", lang))),
    )
    return figure
