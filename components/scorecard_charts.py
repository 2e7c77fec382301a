"""Charts of one project's scorecard: where its points come from, one indicator against its target over time,
and how each kind of rater scored it (pure: data in, figure out)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import BLUE, GREY, SLATE, grade_colour
from components.formatting import MONTH_TICKS, month
from components.i18n import translate
from components.kpi import grade_text
from components.text import html_text

RATER_ORDER = ("superior", "peer", "self", "expert")  # each has its label under scorecards.rater.<type>


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


def ratings_by_rater_type(ratings: pd.DataFrame, lang: str = "zh", id_column: str | None = None) -> go.Figure:
    """Spread of ratings per rater type (columns ``rater_type``, ``score``): a box with every rating as a point
    and the mean written next to it, types in the fixed order 上级 / 同级 / 自评 / 专家.

    Unknown types follow, under their code. ``customdata`` per point: ``[rater_type, id]`` with the id
    from ``id_column`` (e.g. the rater) or None.
    """
    points_word = translate("kpi.unit.points", lang)
    present = list(dict.fromkeys(ratings["rater_type"].astype(str)))
    order = [t for t in RATER_ORDER if t in present] + [t for t in present if t not in RATER_ORDER]
    figure = go.Figure()
    means = []
    for rater_type in order:
        rows = ratings[ratings["rater_type"].astype(str) == rater_type]
        scores = rows["score"].to_numpy(dtype=float)
        label = translate(f"scorecards.rater.{rater_type}", lang) if rater_type in RATER_ORDER else rater_type
        ids = rows[id_column].tolist() if id_column else [None] * len(rows)
        figure.add_box(
            x=[label] * len(scores), y=scores, name=label, boxpoints="all", jitter=0.3, pointpos=0,
            marker=dict(color=SLATE, size=6), line=dict(color=SLATE), fillcolor="rgba(87, 96, 106, 0.12)",
            customdata=[[rater_type, i] for i in ids],
            hovertemplate=f"{label}<br>%{{y:.1f}} {points_word}<extra></extra>",
        )
        means.append((label, float(np.nanmean(scores)) if len(scores) else np.nan, len(scores)))
    figure.add_scatter(
        x=[m[0] for m in means], y=[m[1] for m in means], mode="markers+text", name=translate("scorecards.mean", lang),
        marker=dict(symbol="diamond", size=11, color=BLUE),
        text=[translate("scorecards.rater_mean", lang, mean=f"{m[1]:.1f}", n=m[2]) for m in means],
        textposition="middle right", hoverinfo="skip",
    )
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), showlegend=False,
                         yaxis=dict(title=dict(text=translate("scorecards.rating_axis", lang))))
    return figure
