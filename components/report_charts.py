"""The reports' charts, drawn once as static images: district bars, the achievement heat map, the district map.

Pure builders (frames in, plotly figures out), like the pages' charts but for paper: no clicks, so a plain
``go.Heatmap`` serves, and the map is drawn from the district boundaries as filled polygons (no tiles, no
network). Colour is never the only carrier of meaning: every bar, cell and district also carries its number
and, for grades, the word. User text (district and indicator names) is escaped with :func:`html_text`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.bigscreen import axis_start
from components.colours import (
    GRADE_COLOURS,
    GRADE_ORDER,
    GREY,
    TARGET_COLOURSCALE,
    diverging_range,
    grade_colour,
    grade_label,
    is_missing,
)
from components.heatmaps import PERCENT_CAP, relative_to_target
from components.i18n import translate
from components.text import html_text

FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"
BAR_PX, MAP_PX = 34, 720
HIGHLIGHT_LINE = "#24292f"
SMALL_SHARE = 0.02  # a district whose extent is under this share of the map's is small: its label is called out
CALLOUT_PX = 110  # how far a called-out label sits from its district


def _grade_word(grade: object, lang: str) -> str:
    return grade_label(None if is_missing(grade) else str(grade), lang)


def district_bars(names: Sequence[str], scores: Sequence[float], grades: Sequence[object], lang: str, *,
                  highlight: int | None = None) -> go.Figure:
    """Horizontal bars of district mean scores, best at the top, each coloured by its grade and labelled
    "88.3 良好"; ``highlight`` (a position in the given order) outlines the report's own district. The axis starts
    near the data, as on the overview and the wall, so 86.1 against 93.3 reads as the gap it is."""
    values = [float(score) for score in scores]
    order = sorted(range(len(values)), key=lambda i: (np.isnan(values[i]), -np.nan_to_num(values[i])))
    start = axis_start(values)  # an unscored district's bar has no length there; its label says why
    labels = [f"{values[i]:.1f} {_grade_word(grades[i], lang)}" if not np.isnan(values[i])
              else _grade_word(None, lang) for i in order]
    figure = go.Figure(go.Bar(
        y=[html_text(str(names[i])) for i in order], x=[start if np.isnan(values[i]) else values[i] for i in order],
        orientation="h", text=labels, textposition="outside", cliponaxis=False,
        marker=dict(color=[grade_colour(None if is_missing(grades[i]) else str(grades[i])) for i in order],
                    line=dict(color=[HIGHLIGHT_LINE if i == highlight else "rgba(0,0,0,0)" for i in order],
                              width=[3 if i == highlight else 0 for i in order])),
        hoverinfo="skip"))
    figure.update_layout(
        width=1200, height=max(240, 80 + BAR_PX * len(values)), font=dict(family=FONT, size=14),
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", showlegend=False, margin=dict(l=10, r=90, t=20, b=40),
        xaxis=dict(title=dict(text=translate("rc.chart.mean_score", lang)), range=[start, 105],
                   gridcolor="#eaeef2"),
        yaxis=dict(autorange="reversed", automargin=True))
    return figure


def achievement_heatmap(values: pd.DataFrame, targets: pd.DataFrame, directions: pd.Series, *,
                        row_labels: Sequence[str], col_labels: Sequence[str], lang: str) -> go.Figure:
    """Rows × KPIs coloured by percent of target (the heat-map page's maths: :func:`relative_to_target`, 100 %
    neutral, warm below, cool above, saturating at 0 % and 200 %); each cell shows its percentage."""
    signs = np.where(directions.reindex(values.columns).fillna("higher").to_numpy() == "lower", -1.0, 1.0)
    z, neutral = relative_to_target(values.to_numpy(dtype=float),
                                    targets.reindex(index=values.index, columns=values.columns).to_numpy(dtype=float),
                                    signs, "percent")
    zmin, zmax = diverging_range(z, neutral, PERCENT_CAP)
    shown = np.clip(z, zmin, zmax)  # a lower-is-better zero beats every target: the best colour, "∞" in words
    text = [["" if np.isnan(cell) else ("∞" if np.isinf(cell) else f"{cell:.0f}") for cell in row] for row in z]
    figure = go.Figure(go.Heatmap(
        z=shown, x=[html_text(str(label)) for label in col_labels], y=[html_text(str(label)) for label in row_labels],
        zmin=zmin, zmax=zmax, colorscale=TARGET_COLOURSCALE, text=text, texttemplate="%{text}",
        textfont=dict(size=11), xgap=2, ygap=2, hoverongaps=False,
        colorbar=dict(title=dict(text=translate("rc.chart.percent_of_target", lang), side="right"), thickness=14)))
    figure.update_layout(
        width=1200, height=max(320, 200 + 26 * len(row_labels)), font=dict(family=FONT, size=12),
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(side="top", tickangle=-45, automargin=True), yaxis=dict(autorange="reversed", automargin=True))
    return figure


def _outline(parts: list[list[list[list[float]]]]) -> tuple[list[float | None], list[float | None]]:
    """Every ring of a boundary as one x/y path, rings separated by None (plotly draws each as its own shape)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in parts:
        for ring in part:
            xs += [point[0] for point in ring] + [None]
            ys += [point[1] for point in ring] + [None]
    return xs, ys


def _extent(parts: object) -> tuple[float, float, float, float] | None:
    """West, south, east, north of a boundary's rings (None without a boundary)."""
    if not isinstance(parts, list) or not parts:
        return None
    points = [point for part in parts for ring in part for point in ring]
    return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
            max(p[1] for p in points))


def small_districts(parts: pd.Series) -> list[bool]:
    """Whether each district is small on the map (its extent under :data:`SMALL_SHARE` of the map's): the urban
    districts packed in a city's centre, whose labels would cover each other in place."""
    extents = [_extent(value) for value in parts]
    known = [extent for extent in extents if extent is not None]
    if not known:
        return [False] * len(extents)
    width = max(e[2] for e in known) - min(e[0] for e in known)
    height = max(e[3] for e in known) - min(e[1] for e in known)
    whole = max(width * height, 1e-12)
    return [extent is not None and (extent[2] - extent[0]) * (extent[3] - extent[1]) / whole < SMALL_SHARE
            for extent in extents]


def _callouts(lon: pd.Series, lat: pd.Series, small: list[bool]) -> list[tuple[float, float]]:
    """Pixel offsets that move the small districts' labels out of their cluster, each away from the cluster's
    centre (straight up for one alone), so they sit apart with a line to their district."""
    chosen = [i for i, is_small in enumerate(small) if is_small]
    if not chosen:
        return []
    centre_lon, centre_lat = float(lon.iloc[chosen].mean()), float(lat.iloc[chosen].mean())
    offsets = []
    for i in chosen:
        dx, dy = float(lon.iloc[i]) - centre_lon, float(lat.iloc[i]) - centre_lat
        length = math.hypot(dx, dy)
        dx, dy = (dx / length, dy / length) if length > 0 else (0.0, 1.0)
        offsets.append((dx * CALLOUT_PX, -dy * CALLOUT_PX))  # screen y grows downwards
    return offsets


def district_map(districts: pd.DataFrame, lang: str, *, highlight: int | None = None) -> go.Figure:
    """Districts as filled polygons coloured by grade, labelled with name, score and grade.

    ``districts`` has one row per district: id, name, parts (boundary rings, None without a boundary: that
    district gets only its label), label_lon, label_lat, score, grade. One polygon trace per district with a
    boundary (in the given order, the ``highlight`` last), then one text trace with the labels that fit in place,
    then a legend entry per grade; a small district's label is an annotation with a line to it, moved out of
    the cluster of small districts (:func:`small_districts`). ``highlight`` (a district id) draws that
    district's outline thick.
    """
    figure = go.Figure()
    middle = float(districts["label_lat"].mean()) if len(districts) else 0.0
    last = districts["id"] == highlight  # the outlined district is drawn last, so no neighbour covers its outline
    for row in pd.concat([districts[~last], districts[last]]).to_dict("records"):
        if row["parts"] is None:
            continue
        xs, ys = _outline(row["parts"])
        grade = None if is_missing(row["grade"]) else str(row["grade"])
        figure.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=grade_colour(grade), name=html_text(str(row["name"])),
            line=dict(color=HIGHLIGHT_LINE if row["id"] == highlight else "#ffffff",
                      width=3 if row["id"] == highlight else 1.2),
            showlegend=False, hoverinfo="skip"))
    labels = [f"<b>{html_text(str(row['name']))}</b><br>"
              + (f"{float(row['score']):.1f} {_grade_word(row['grade'], lang)}" if not is_missing(row["score"])
                 else _grade_word(None, lang)) for row in districts.to_dict("records")]
    small = small_districts(districts["parts"])
    in_place = [i for i, is_small in enumerate(small) if not is_small]
    figure.add_trace(go.Scatter(x=districts["label_lon"].iloc[in_place].tolist(),
                                y=districts["label_lat"].iloc[in_place].tolist(), mode="text",
                                text=[labels[i] for i in in_place], textfont=dict(size=13, color="#0d1117"),
                                showlegend=False, hoverinfo="skip"))
    called_out = [i for i, is_small in enumerate(small) if is_small]
    for i, (ax, ay) in zip(called_out, _callouts(districts["label_lon"], districts["label_lat"], small), strict=True):
        figure.add_annotation(x=float(districts["label_lon"].iloc[i]), y=float(districts["label_lat"].iloc[i]),
                              text=labels[i], ax=ax, ay=ay, showarrow=True, arrowhead=0, arrowwidth=1,
                              arrowcolor=HIGHLIGHT_LINE, font=dict(size=12, color="#0d1117"),
                              bgcolor="rgba(255,255,255,0.85)", bordercolor=HIGHLIGHT_LINE, borderwidth=1)
    for grade in (*GRADE_ORDER, None):
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=_grade_word(grade, lang),
                                    marker=dict(symbol="square", size=14,
                                                color=GREY if grade is None else GRADE_COLOURS[grade])))
    figure.update_layout(
        width=MAP_PX + 240, height=MAP_PX, font=dict(family=FONT, size=13), plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff", margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(title=dict(text=translate("rc.chart.grade", lang)), x=1.0, xanchor="left", y=1.0),
        xaxis=dict(visible=False),
        # a degree of longitude is cos(latitude) of a degree of latitude: stretch y so districts keep their shape
        yaxis=dict(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(middle))))
    return figure
