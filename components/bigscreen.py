"""数据大屏: dark navy, light text, one accent colour, very large numbers; readable across a room at
1920 × 1080, so no text below 16 px. Builders return themed plotly figures (pure)."""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import grade_colour, is_missing
from components.formatting import MONTH_TICKS, month
from components.i18n import translate
from components.kpi import ChangeUnit, change_text, grade_text, rank_text, score_text
from components.text import html_text

NAVY = "#0b1d3a"
TEXT_COLOUR = "#e6edf3"
MUTED = "#9fb3c8"
ACCENT = "#36cfc9"
GRID = "rgba(230, 237, 243, 0.12)"
MIN_FONT_PX = 16
BASE_FONT_PX = 18
FONT_FAMILY = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"


def _at_least(size: float | None, minimum: float = MIN_FONT_PX) -> float:
    return minimum if size is None else max(size, minimum)


_SCALED = frozenset({"size", "yshift", "xshift", "standoff", "ticklen"})


def _scaled(node: Any, factor: float, inside: str = "") -> Any:
    if isinstance(node, dict):
        return {key: (_times(value, factor) if key in _SCALED or inside == "margin"
                      or (key == "width" and inside == "line") else _scaled(value, factor, key))
                for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_scaled(item, factor, inside) for item in node]
    return node


def _times(value: Any, factor: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | list | tuple):
        return value
    return [_times(v, factor) for v in value] if isinstance(value, list | tuple) else value * factor


def scale_figure(figure: go.Figure, factor: float, width: int, height: int) -> go.Figure:
    """``figure`` drawn ``factor`` times as large at ``width`` × ``height`` design px: fonts, markers, line widths,
    margins and shifts grow with it. The wall draws its charts at the screen's own pixels this way (a chart
    under CSS zoom measures its zoomed box and draws itself twice too large at 4K)."""
    scaled = go.Figure(_scaled(figure.to_plotly_json(), factor))
    return scaled.update_layout(width=round(width * factor), height=round(height * factor))


def apply_big_screen(figure: go.Figure) -> go.Figure:
    """Theme ``figure`` in place (and return it) for the big screen; raises every font set below 16 px."""
    figure.update_layout(
        paper_bgcolor=NAVY, plot_bgcolor=NAVY, colorway=[ACCENT],
        font=dict(family=FONT_FAMILY, color=TEXT_COLOUR, size=BASE_FONT_PX),
        title=dict(font=dict(size=_at_least(figure.layout.title.font.size, 26), color=TEXT_COLOUR)),
        legend=dict(font=dict(size=_at_least(figure.layout.legend.font.size), color=TEXT_COLOUR)),
        hoverlabel=dict(font=dict(size=_at_least(figure.layout.hoverlabel.font.size, BASE_FONT_PX)),
                        bgcolor="#17305c", bordercolor=ACCENT),
    )
    axis_style = dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, color=TEXT_COLOUR)
    figure.for_each_xaxis(lambda axis: axis.update(axis_style, tickfont=dict(size=_at_least(axis.tickfont.size)),
                                                   title_font=dict(size=_at_least(axis.title.font.size))))
    figure.for_each_yaxis(lambda axis: axis.update(axis_style, tickfont=dict(size=_at_least(axis.tickfont.size)),
                                                   title_font=dict(size=_at_least(axis.title.font.size))))
    for annotation in figure.layout.annotations:
        annotation.font.size = _at_least(annotation.font.size)
        annotation.font.color = annotation.font.color or TEXT_COLOUR
    for trace in figure.data:
        if "textfont" in trace:
            trace.textfont.size = _at_least(trace.textfont.size)
    return figure


LABEL_FONT_PX = 20
LABEL_SHARE = 0.45  # of a ranking's width, the most its names may take before they are shortened


def text_width_px(text: str, font_px: float) -> float:
    """Rough rendered width: wide (CJK) characters one em, the others 0.6 em — enough to decide a cut."""
    return sum(font_px if unicodedata.east_asian_width(char) in "WF" else 0.6 * font_px for char in text)


def fit_label(text: str, room_px: float, font_px: float = LABEL_FONT_PX) -> str:
    """``text`` whole when it fits in ``room_px``, else cut with "…" (the hover keeps the full name)."""
    if text_width_px(text, font_px) <= room_px:
        return text
    cut = text
    while cut and text_width_px(cut + "…", font_px) > room_px:
        cut = cut[:-1]
    return cut + "…"


def axis_start(scores: Sequence[float] | np.ndarray) -> float:
    """Where a ranking's score axis starts: a round number (a multiple of 5) a little below the lowest score,
    so that 85.8 against 93.3 shows as a visible difference instead of two nearly equal bars from zero.

    >>> axis_start([85.8, 93.3]), axis_start([88.5]), axis_start([12.0, 95.0]), axis_start([])
    (80.0, 85.0, 0.0, 0.0)
    """
    values = [float(v) for v in scores if not is_missing(v)]
    if not values:
        return 0.0
    low, high = min(values), max(values)
    return max(0.0, float(math.floor((low - max((high - low) / 2, 2.0)) / 5) * 5))


def ranking_bars(frame: pd.DataFrame, lang: str = "zh", top: int = 10, *, width: int = 440,
                 height: int | None = None, highlight: object = None) -> go.Figure:
    """A league table: the ``top`` best by ``score``, best on top, each bar in its grade's colour and labelled
    with score and grade; the score axis starts near the data (:func:`axis_start`, its ticks shown). Hover gives
    the rank "of N" (N = every scored row in ``frame``; ``rank`` column if given, else the position).

    Columns: ``name``, ``score``, ``grade``; optional ``id`` and ``rank``. ``customdata`` per bar:
    ``[id, rank text, score-with-grade text, full name]``. Names are shortened only when they do not fit in
    :data:`LABEL_SHARE` of ``width`` (px); the ``highlight`` id (a district official's own) gets an accent
    outline and a "▶".
    """
    scored = frame[frame["score"].notna()].sort_values("score", ascending=False, kind="stable")
    n = len(scored)
    best = scored.head(top)
    ranks = best["rank"].astype(int).tolist() if "rank" in best else list(range(1, len(best) + 1))
    labels = [grade_text(s, g, lang) for s, g in zip(best["score"], best["grade"], strict=True)]
    ids = best["id"].tolist() if "id" in best else [None] * len(best)
    mine = [highlight is not None and i == highlight for i in ids]
    room = width * LABEL_SHARE
    ticks = [("▶ " if own else "") + f"{r}. {name}" for r, name, own in zip(ranks, best["name"], mine, strict=True)]
    y = list(range(len(best)))
    scores = best["score"].to_numpy(dtype=float)
    start = axis_start(scores)
    figure = go.Figure(go.Bar(
        orientation="h", y=y, x=scores - start, base=start,
        marker=dict(color=[grade_colour(g) for g in best["grade"]],
                    line=dict(color=[ACCENT if own else "rgba(0,0,0,0)" for own in mine], width=4)),
        text=labels, textposition="outside", cliponaxis=False,
        textfont=dict(size=LABEL_FONT_PX, color=TEXT_COLOUR),
        customdata=[[i, rank_text(r, n, lang), label, html_text(name)]
                    for i, r, label, name in zip(ids, ranks, labels, best["name"], strict=True)],
        hovertemplate="<b>%{customdata[3]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
    ))
    label_room = max((text_width_px(label, LABEL_FONT_PX) for label in labels), default=0.0)
    figure.update_layout(
        height=height or max(240, 44 * len(y) + 70), margin=dict(l=10, r=int(label_room) + 16, t=10, b=40),
        showlegend=False, bargap=0.3,
        xaxis=dict(range=[start, float(scores.max()) if len(scores) else 100.0], showgrid=True, zeroline=False,
                   nticks=5, tickfont=dict(size=16)),
        yaxis=dict(tickmode="array", tickvals=y, ticktext=[html_text(fit_label(tick, room)) for tick in ticks],
                   autorange="reversed", tickfont=dict(size=LABEL_FONT_PX), automargin=True),
    )
    return apply_big_screen(figure)


def score_trend(frame: pd.DataFrame, lang: str = "zh", label: str | None = None) -> go.Figure:
    """Bottom band: the mean score month by month (columns ``period``, ``score``) as one accent line, the
    latest value written large at its end. ``customdata`` per point: ``[period ISO date, month text]``."""
    name = html_text(label or translate("chart.mean_score", lang))
    data = frame.assign(period=pd.to_datetime(frame["period"])).sort_values("period")
    months = [month(p, lang) for p in data["period"]]
    scores = data["score"].to_numpy(dtype=float)
    figure = go.Figure(go.Scatter(
        x=data["period"], y=scores, mode="lines+markers", name=name, line=dict(color=ACCENT, width=4),
        marker=dict(size=10), fill="tozeroy", fillcolor="rgba(54, 207, 201, 0.12)",
        customdata=[[p.date().isoformat(), m] for p, m in zip(data["period"], months, strict=True)],
        hovertemplate=f"%{{customdata[1]}}<br>{name}: {translate('kpi.score', lang, score='%{y:.1f}')}<extra></extra>",
    ))
    start, top = axis_start(scores), float(max(scores, default=100.0))
    if len(data):
        figure.add_annotation(x=data["period"].iloc[-1], y=scores[-1], text=score_text(scores[-1], lang),
                              showarrow=False, yshift=34, font=dict(size=32, color=ACCENT))
    figure.update_layout(
        height=320, margin=dict(l=20, r=40, t=50, b=20), showlegend=False,
        xaxis=dict(type="date", tickformat=MONTH_TICKS[lang], showgrid=False),
        yaxis=dict(title=dict(text=translate("chart.score_axis", lang, label=name)),
                   range=[start, top + 2 + (top - start) * 0.35]),  # headroom for the latest value
    )
    return apply_big_screen(figure)


def kpi_tile(title: str, value: float, unit: str, previous: float | None = None, lang: str = "zh",
             change_unit: ChangeUnit = "%", decimals: int = 1) -> go.Figure:
    """One headline number: title, the value very large with its unit, and the change ("▲ 3.2 %") below."""
    figure = go.Figure(go.Indicator(
        mode="number", value=value, number=dict(suffix=f" {unit}", valueformat=f",.{decimals}f",
                                                font=dict(size=72, color=TEXT_COLOUR)),
        title=dict(text=title, font=dict(size=24, color=MUTED)), domain=dict(x=[0, 1], y=[0.25, 1]),
    ))
    figure.add_annotation(x=0.5, y=0.08, xref="paper", yref="paper", showarrow=False,
                          text=change_text(value, previous, lang, unit=change_unit), font=dict(size=28, color=ACCENT))
    figure.update_layout(height=240, margin=dict(l=10, r=10, t=20, b=10))
    return apply_big_screen(figure)
