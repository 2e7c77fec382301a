"""Heat maps coloured by how far each cell is from its target: warm below, cool above, neutral at the target.

One builder serves district × indicator, project × period and indicator × period views. Cells are square markers
of a scatter laid out on a grid rather than a ``go.Heatmap``: Streamlit returns no selection for heat-map traces,
and a cell must open its detail when clicked. The figure therefore has a fixed pixel size computed from the grid
(the marker size is the cell size), and is drawn at that size; a narrow screen scrolls it inside its own box.

The cell text (when it fits) and the hover always carry the raw value (colour is never the only carrier of
meaning), and each cell's ``customdata`` starts with ``(row_id, col_id)`` for drill-down.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import GREY, TARGET_COLOURSCALE, diverging_range
from components.i18n import translate
from components.text import html_text

PERCENT_CAP = 100.0  # colours saturate at 0 % and 200 % of target; hover still shows the exact figure
DEFAULT_WIDTH = 1400  # px the main column offers on a 1920 px screen with the sidebar open
CELL_PX_RANGE = (30, 56)  # a cell smaller than 30 px cannot be tapped; larger than 56 px wastes the screen
GAP_PX = 2  # white line between cells
LABEL_FONT_PX, CELL_FONT_PX = 12, 11
UNIT_PX = 6.5  # width of a Latin character at 12 px; a Chinese character counts as two
HEADER_LINES = 4  # column headers wrap to at most this many lines, the rest shown as "…" (full name in the hover)
ROW_LABEL_UNITS = 26  # row labels longer than this (13 Chinese characters) are cut, the hover has them whole
COLOURBAR_PX, EDGE_PX = 90, 8


def _per_cell(targets: pd.DataFrame | pd.Series | float, values: pd.DataFrame) -> np.ndarray:
    """Targets broadcast to the shape of ``values`` (a frame aligned by labels, a Series per column, a scalar)."""
    if isinstance(targets, pd.DataFrame):
        return targets.reindex(index=values.index, columns=values.columns).to_numpy(dtype=float)
    if isinstance(targets, pd.Series):
        per_column = targets.reindex(values.columns).to_numpy(dtype=float)
        return np.broadcast_to(per_column, values.shape).astype(float)
    return np.full(values.shape, float(targets))


def _signs(directions: pd.Series | None, columns: pd.Index) -> np.ndarray:
    """+1 for higher-is-better columns, −1 for lower-is-better ones (default higher)."""
    if directions is None:
        return np.ones(len(columns))
    chosen = directions.reindex(columns).fillna("higher").astype(str)
    unknown = sorted(set(chosen) - {"higher", "lower"})
    if unknown:
        raise ValueError(f"directions must be 'higher' or 'lower', got {unknown}")
    return np.where(chosen.to_numpy() == "lower", -1.0, 1.0)


def _labels(given: Sequence[str] | None, default: pd.Index, what: str) -> list[str]:
    labels = [str(label) for label in (default if given is None else given)]
    if len(labels) != len(default):
        raise ValueError(f"{what} has {len(labels)} entries, the values have {len(default)}")
    return labels


def _number(value: float, decimals: int, unit: str = "") -> str:
    if np.isnan(value):
        return "—"
    return f"{value:,.{decimals}f} {unit}".rstrip()


def _units(text: str) -> int:
    """Display width in Latin-character units: Chinese (and other wide) characters count as two."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _cut(text: str, units: int) -> str:
    """``text`` cut to ``units`` display units, with "…" when something was cut."""
    if _units(text) <= units:
        return text
    kept = ""
    for char in text:
        if _units(kept + char) > units - 1:
            break
        kept += char
    return kept + "…"


def _tokens(text: str) -> list[str]:
    """Pieces a header may break between: each wide character alone, Latin runs broken after - / _ and spaces and
    before an opening bracket ("2026-10" → "2026-", "10")."""
    tokens: list[str] = []
    for char in text:
        wide = ord(char) >= 0x2E80
        if wide or not tokens or char in "(" or _units(tokens[-1]) > len(tokens[-1]) or tokens[-1][-1] in "-/_ ":
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def _fill(text: str, units_per_line: int) -> list[str]:
    """Greedy line filling over :func:`_tokens`; a Latin word wider than a line is cut where it must."""
    lines: list[str] = [""]
    for token in _tokens(text):
        while _units(token) > units_per_line:
            cut = _cut(token, units_per_line + 1)[:-1] or token[0]
            lines = [*lines, cut] if lines[-1] else [*lines[:-1], cut]
            token = token[len(cut):]
        if lines[-1] and _units(lines[-1] + token) > units_per_line:
            lines.append("")
        lines[-1] += token
    return [line.strip() for line in lines if line.strip()]


def wrap_header(text: str, units_per_line: int, max_lines: int = HEADER_LINES) -> list[str]:
    """A column header broken into lines of at most ``units_per_line`` display units, a trailing unit in brackets
    on its own line (narrow brackets save room); a name too long for ``max_lines`` ends in "…" (the cell hover
    carries the full name).

    >>> wrap_header("投资完成率（%）", 6), wrap_header("2026-10", 6), wrap_header("招商引资到位额（万元）", 6, 3)
    (['投资完', '成率', '(%)'], ['2026-', '10'], ['招商引', '资到…', '(万元)'])
    """
    name, bracket, unit = text.replace("（", "(").replace("）", ")").partition("(")
    unit_lines = _fill(bracket + unit, units_per_line) if bracket else []
    room = max(max_lines - len(unit_lines), 1)
    lines = _fill(name, units_per_line)
    if len(lines) > room:
        lines = [*lines[:room - 1], _cut(lines[room - 1] + "…", units_per_line)]
    return lines + unit_lines


def relative_to_target(values: np.ndarray, targets: np.ndarray, signs: np.ndarray,
                       relative: Literal["percent", "points"]) -> tuple[np.ndarray, float]:
    """(z, neutral centre): percent of target (100 = on target) or points better than target (0 = on target).

    Percent is a ratio, so it needs a positive target (a zero or negative target has no percentage: NaN).
    Higher-is-better: value ÷ target (110 against 100 is 110 %; a negative value is a negative percentage, which
    is right: it is below nothing achieved). Lower-is-better: target ÷ value, so a cost of 40 against a target of
    50 is 125 % and a delay of 31.31 days against 10 is 31.9 % — never below zero (mirroring the difference,
    as this once did, gave "−113.1 %"). A lower-is-better value at or below zero beats any positive target: +inf
    (the best colour; the hover says so). In points, lower-is-better columns are mirrored: +10 is 10 better.
    """
    if relative == "percent":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(signs > 0, values / targets, targets / values) * 100.0
        beats_everything = (signs < 0) & (values <= 0) & (targets > 0)
        z = np.where(beats_everything, np.inf, np.where(targets > 0, ratio, np.nan))
        return np.where(np.isnan(values), np.nan, z), 100.0
    if relative == "points":
        return signs * (values - targets), 0.0
    raise ValueError(f"relative must be 'percent' or 'points', got {relative!r}")


@dataclass(frozen=True)
class GridLayout:
    """Pixel geometry of a heat map: square cells of ``cell`` px, margins around them, and the figure's size."""

    cell: int
    left: int
    top: int
    width: int
    height: int
    header_lines: list[list[str]]


def grid_layout(n_rows: int, row_labels: Sequence[str], col_labels: Sequence[str], width: int) -> GridLayout:
    """Fit ``len(col_labels)`` square cells into ``width`` px beside the row labels and the colour bar (cells stay
    within :data:`CELL_PX_RANGE`, so a narrow screen gets a wider figure that scrolls in its box)."""
    left = int(max([_units(label) for label in row_labels] + [4]) * UNIT_PX) + 2 * EDGE_PX
    n_cols = max(len(col_labels), 1)
    room = (width - left - COLOURBAR_PX - EDGE_PX) // n_cols
    cell = int(min(max(room, CELL_PX_RANGE[0]), CELL_PX_RANGE[1]))
    per_line = max(int((cell - GAP_PX) // UNIT_PX), 2)
    headers = [wrap_header(label, per_line) for label in col_labels]
    lines = max([len(header) for header in headers] + [1])
    top = lines * (LABEL_FONT_PX + 4) + 2 * EDGE_PX
    return GridLayout(cell=cell, left=left, top=top, width=left + n_cols * cell + COLOURBAR_PX + EDGE_PX,
                      height=top + max(n_rows, 1) * cell + EDGE_PX, header_lines=headers)


def _fits(text: str, cell: int) -> bool:
    return len(text) * CELL_FONT_PX * 0.6 <= cell - 2 * GAP_PX - 2


def target_heatmap(
    values: pd.DataFrame,
    targets: pd.DataFrame | pd.Series | float | None = None,
    directions: pd.Series | None = None,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    units: pd.Series | None = None,
    lang: str = "zh",
    row_ids: Sequence[object] | None = None,
    col_ids: Sequence[object] | None = None,
    centre: float | None = None,
    relative: Literal["percent", "points"] = "percent",
    decimals: int = 1,
    scale_title: str | None = None,
    width: int = DEFAULT_WIDTH,
) -> go.Figure:
    """Rows × columns of raw ``values``, coloured by achievement relative to the target, one clickable square
    marker per cell (missing values leave the cell empty; a value without a usable target is grey).

    Two ways to say where neutral is:

    * ``targets`` (a frame like ``values``, a Series per column, or one number): colour is percent of target
      (``relative="percent"``, neutral 100, see :func:`relative_to_target`) or points better than target
      (``relative="points"``, neutral 0);
    * ``centre`` without targets, for values already on a judged scale: a score matrix with ``centre=80``
      (colour = the score, 80 neutral) or progress deviation in points with ``centre=0``.

    ``directions`` (per column, "higher"/"lower") mirrors lower-is-better columns. Labels come from the
    caller (``col_labels`` should carry the unit, e.g. "投资完成率 (%)"); ``units`` per column is appended
    to the value and target in the hover. Rows and columns sit at integer positions with the labels as tick
    text, so two projects with the same name stay two rows. ``width`` is the room the page offers (px); the
    figure's own width and height follow from the grid (draw it with ``width="content"``).

    Each marker's ``customdata`` = ``[row_id, col_id, row_label, col_label, value text, target text, relative
    text]`` (ids default to the frame's index and columns); markers run row by row, skipping missing values, in
    the first trace (judged cells) and a second, grey one for cells without a usable target.
    """
    if (targets is None) == (centre is None):
        raise ValueError("pass either targets (colour relative to them) or centre (values already relative)")
    raw = values.to_numpy(dtype=float)
    signs = _signs(directions, values.columns)
    if targets is not None:
        target_cells = _per_cell(targets, values)
        z, neutral = relative_to_target(raw, target_cells, signs, relative)
    elif centre is not None:  # always, after the check above
        target_cells = np.full(raw.shape, float(centre))
        z, neutral = centre + signs * (raw - centre), float(centre)
    mode = "percent" if targets is not None and relative == "percent" else "points"

    rows = _labels(row_labels, values.index, "row_labels")
    cols = _labels(col_labels, values.columns, "col_labels")
    row_keys = list(values.index if row_ids is None else row_ids)
    col_keys = list(values.columns if col_ids is None else col_ids)
    if (len(row_keys), len(col_keys)) != values.shape:
        raise ValueError(f"row_ids/col_ids have {len(row_keys)}/{len(col_keys)} entries for values of shape "
                         f"{values.shape}")
    unit_of = [str(u) for u in (units.reindex(values.columns).fillna("") if units is not None else [""] * len(cols))]
    short_rows = [_cut(label, ROW_LABEL_UNITS) for label in rows]
    grid = grid_layout(len(rows), short_rows, cols, width)

    cap = PERCENT_CAP if mode == "percent" else None
    zmin, zmax = diverging_range(z, neutral, cap)
    half = (zmax - zmin) / 2
    cells = [(i, j) for i in range(raw.shape[0]) for j in range(raw.shape[1]) if not np.isnan(raw[i, j])]
    relative_word, default_scale_title = (
        (translate("heatmaps.percent", lang), translate("heatmaps.percent_title", lang)) if mode == "percent"
        else (translate("heatmaps.points", lang), translate("heatmaps.points_title", lang)))
    hover = ("<b>%{customdata[2]}</b><br>%{customdata[3]}<br>"
             f"{translate('heatmaps.value', lang)}: %{{customdata[4]}}<br>"
             f"{translate('chart.target', lang)}: %{{customdata[5]}}<br>"
             f"{relative_word}: %{{customdata[6]}}<extra></extra>")

    def trace(chosen: list[tuple[int, int]], marker: dict[str, object], text_colours: list[str]) -> go.Scatter:
        texts = [_number(raw[i, j], decimals) for i, j in chosen]
        return go.Scatter(
            x=[j for _, j in chosen], y=[i for i, _ in chosen], mode="markers+text", showlegend=False,
            marker=dict(symbol="square", size=grid.cell - GAP_PX, line=dict(width=0), **marker),
            text=[text if _fits(text, grid.cell) else "" for text in texts],
            textfont=dict(size=CELL_FONT_PX, color=text_colours), hovertemplate=hover,
            customdata=[[row_keys[i], col_keys[j], html_text(rows[i]), html_text(cols[j]),
                         _number(raw[i, j], decimals, unit_of[j]), _number(target_cells[i, j], decimals, unit_of[j]),
                         _relative_text(z[i, j], neutral, mode, decimals, lang)] for i, j in chosen])

    judged = [(i, j) for i, j in cells if not np.isnan(z[i, j])]
    colour = [float(np.clip(z[i, j], zmin, zmax)) for i, j in judged]
    figure = go.Figure(trace(judged, dict(
        color=colour, cmin=zmin, cmax=zmax, colorscale=TARGET_COLOURSCALE,
        colorbar=dict(title=dict(text=scale_title or default_scale_title, side="right"), thickness=14,
                      len=min(1.0, 320 / max(grid.height - grid.top, 1)), y=1, yanchor="top")),
        ["#ffffff" if abs(c - neutral) > 0.6 * half else "#24292f" for c in colour]))
    unjudged = [(i, j) for i, j in cells if np.isnan(z[i, j])]  # no usable target: grey, judged by nobody
    if unjudged:
        figure.add_trace(trace(unjudged, dict(color=GREY), ["#ffffff"] * len(unjudged)))
    axis = dict(showgrid=False, zeroline=False, fixedrange=True, showline=False, ticks="")
    figure.update_layout(
        width=grid.width, height=grid.height, autosize=False, plot_bgcolor="#ffffff", dragmode=False,
        margin=dict(l=grid.left, r=COLOURBAR_PX + EDGE_PX, t=grid.top, b=EDGE_PX, autoexpand=False),
        showlegend=False, clickmode="event+select",
        xaxis=dict(axis, tickmode="array", tickvals=list(range(len(cols))), side="top", tickangle=0,
                   ticktext=["<br>".join(html_text(line) for line in header) for header in grid.header_lines],
                   range=[-0.5, len(cols) - 0.5], tickfont=dict(size=LABEL_FONT_PX)),
        yaxis=dict(axis, tickmode="array", tickvals=list(range(len(rows))),
                   ticktext=[html_text(label) for label in short_rows],
                   range=[len(rows) - 0.5, -0.5], tickfont=dict(size=LABEL_FONT_PX)),
    )
    return figure


def _relative_text(z: float, neutral: float, mode: str, decimals: int, lang: str) -> str:
    if np.isnan(z):
        return "—"
    if math.isinf(z):
        return translate("heatmaps.beats_target", lang)
    return _number(z, 1, "%") if mode == "percent" else f"{z - neutral:+,.{decimals}f}"
