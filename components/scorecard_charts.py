"""Charts of one project's scorecard: where its points come from and one indicator against its target over time
(pure: data in, figure out); its rating by rater group is in :mod:`components.rating_charts`."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import BLUE, GREY, SLATE, grade_colour
from components.formatting import MONTH_TICKS, month
from components.i18n import translate
from components.kpi import grade_text
from components.text import html_text


def contribution_bars(contributions: pd.Series, total: float, grade: str | None, lang: str = "zh",
                      ids: list[object] | None = None) -> go.Figure:
    """Horizontal waterfall: each indicator's (or dimension's) points, stacking up to the total with its grade.

    ``contributions`` maps display label → points, in the order to show (top first), as in the contribution
    columns of ``scoring.composite``; they must add up to ``total`` — a mismatch means the caller mixed up
    rows, so it raises rather than drawing a chart that does not add up. ``customdata`` per bar:
    ``[id, share text]`` with ``id`` from ``ids`` (default: the labels), None on the total bar.
    """
    points = contributions.to_numpy(dtype=float)
    labels = [html_text(label) for label in contributions.index]  # names are text, not markup
    if not np.isfinite(total) or not np.all(np.isfinite(points)):
        raise ValueError("contribution_bars needs a scored project: the total and every contribution finite")
    if abs(points.sum() - total) > 1e-6 * max(1.0, abs(total)):
        raise ValueError(f"contributions add up to {points.sum():.6f}, not to the total {total:.6f}")
    if len(set(labels)) != len(labels):
        raise ValueError("contribution labels must be distinct")
    keys = list(contributions.index if ids is None else ids)
    shares = [f"{p / total * 100:.1f} %" if total else "—" for p in points]
    total_text = grade_text(total, grade, lang)
    figure = go.Figure(go.Waterfall(
        orientation="h", y=[*labels, translate("scorecards.total", lang)], x=[*points.tolist(), total],
        measure=["relative"] * len(points) + ["total"],
        text=[f"{p:+.1f}" for p in points] + [total_text], textposition="outside", cliponaxis=False,
        customdata=[[key, share] for key, share in zip(keys, shares, strict=False)] + [[None, "100.0 %"]],
        hovertemplate=f"%{{y}}<br>%{{x:.1f}} {translate('kpi.unit.points', lang)}<br>"
                      f"{translate('scorecards.share', lang)}: %{{customdata[1]}}<extra></extra>",
        increasing=dict(marker=dict(color=SLATE)), decreasing=dict(marker=dict(color=GREY)),
        totals=dict(marker=dict(color=grade_colour(grade))), connector=dict(line=dict(color="#d0d7de")),
    ))
    figure.update_layout(
        height=max(260, 30 * (len(points) + 1) + 100), margin=dict(l=10, r=40, t=30, b=10), showlegend=False,
        xaxis=dict(title=dict(text=translate("scorecards.contribution_axis", lang)),
                   range=[0, max(total, points.clip(min=0).sum()) * 1.2]),
        yaxis=dict(autorange="reversed"),
    )
    return figure


def _month_texts(periods: pd.Series, lang: str) -> list[str]:
    return [month(p, lang) for p in periods]


def indicator_trend(history: pd.DataFrame, target: float | pd.Series | None, label: str, unit: str,
                    lang: str = "zh") -> go.Figure:
    """One indicator month by month (columns ``period``, ``value``) with its target as a dashed line.

    ``target`` is one number, or a Series indexed by period when the target moves (each value holds until
    the next one); None draws no line.
    ``label`` is the indicator's display name; the axis title carries its ``unit``.
    ``customdata`` per point: ``[period ISO date, month text, target text]``.
    """
    target_word = translate("chart.target", lang)
    label, unit = html_text(label), html_text(unit)  # library text, shown as text
    frame = history.assign(period=pd.to_datetime(history["period"])).sort_values("period")
    periods = frame["period"]
    if target is None:
        targets = pd.Series(np.nan, index=frame.index)
    elif isinstance(target, pd.Series):
        moving = pd.Series(target.to_numpy(dtype=float), index=pd.to_datetime(target.index)).sort_index()
        targets = moving.reindex(moving.index.union(pd.Index(periods))).ffill().reindex(periods)
    else:
        targets = pd.Series(float(target), index=frame.index)
    target_texts = ["—" if np.isnan(t) else f"{t:,.1f} {unit}" for t in targets.to_numpy(dtype=float)]
    months = _month_texts(periods, lang)
    figure = go.Figure()
    figure.add_scatter(
        x=periods, y=frame["value"].to_numpy(dtype=float), mode="lines+markers", name=label,
        line=dict(color=BLUE, width=2), marker=dict(size=7),
        customdata=[[p.date().isoformat(), m, t] for p, m, t in zip(periods, months, target_texts, strict=False)],
        hovertemplate=f"%{{customdata[1]}}<br>{label}: %{{y:,.1f}} {unit}<br>{target_word}: %{{customdata[2]}}"
                      "<extra></extra>",
    )
    if target is not None:
        figure.add_scatter(x=periods, y=targets.to_numpy(dtype=float), mode="lines", name=target_word,
                           line=dict(color=SLATE, dash="dash", width=2, shape="hv"), hoverinfo="skip")
    figure.update_layout(
        height=340, margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(type="date", tickformat=MONTH_TICKS[lang], dtick="M1" if len(periods) <= 12 else "M3"),
        yaxis=dict(title=dict(text=translate("chart.with_unit", lang, label=label, unit=unit))),
    )
    return figure
