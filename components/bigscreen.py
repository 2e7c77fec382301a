"""数据大屏: dark navy, light text, one accent colour, very large numbers; readable across a room at
1920 × 1080, so no text below 16 px. Builders return themed plotly figures (pure)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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


def _short(name: object, limit: int = 12) -> str:
    """Long project names would squeeze the bars off a narrow column; the hover keeps nothing hidden."""
    text = str(name)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def ranking_bars(frame: pd.DataFrame, lang: str = "zh", top: int = 10) -> go.Figure:
    """Right-column league table: the ``top`` best by ``score`` as accent bars, best on top, each labelled
    with score and grade; hover gives the rank "of N" (N = every scored row in ``frame``).

    Columns: ``name``, ``score``, ``grade``; optional ``id``. ``customdata`` per bar:
    ``[id, rank text, score-with-grade text, full name]`` (names longer than 12 characters are shortened on the
    axis).
    """
    scored = frame[frame["score"].notna()].sort_values("score", ascending=False, kind="stable")
    n = len(scored)
    best = scored.head(top)
    ranks = range(1, len(best) + 1)
    labels = [grade_text(s, g, lang) for s, g in zip(best["score"], best["grade"], strict=True)]
    ids = best["id"].tolist() if "id" in best else [None] * len(best)
    y = list(range(len(best)))
    figure = go.Figure(go.Bar(
        orientation="h", y=y, x=best["score"].to_numpy(dtype=float), marker=dict(color=ACCENT),
        text=labels, textposition="inside", insidetextanchor="end", textfont=dict(size=20, color=NAVY),
        customdata=[[i, rank_text(r, n, lang), label, html_text(name)]
                    for i, r, label, name in zip(ids, ranks, labels, best["name"], strict=True)],
        hovertemplate="<b>%{customdata[3]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
    ))
    figure.update_layout(
        height=max(360, 56 * len(y) + 60), margin=dict(l=10, r=20, t=20, b=20), showlegend=False, bargap=0.35,
        xaxis=dict(range=[0, 100], showticklabels=False, showgrid=False, zeroline=False),
        yaxis=dict(tickmode="array", tickvals=y,
                   ticktext=[f"{r}. {html_text(_short(name))}" for r, name in zip(ranks, best["name"], strict=True)],
                   autorange="reversed", tickfont=dict(size=20)),
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
    if len(data):
        figure.add_annotation(x=data["period"].iloc[-1], y=scores[-1], text=score_text(scores[-1], lang),
                              showarrow=False, yshift=34, font=dict(size=32, color=ACCENT))
    figure.update_layout(
        height=320, margin=dict(l=20, r=40, t=50, b=20), showlegend=False,
        xaxis=dict(type="date", tickformat=MONTH_TICKS[lang], showgrid=False),
        yaxis=dict(title=dict(text=translate("chart.score_axis", lang, label=name)),
                   range=[max(0.0, float(min(scores, default=0)) - 10), 105]),
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
