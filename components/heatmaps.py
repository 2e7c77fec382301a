"""Heat maps coloured by how far each cell is from its target: warm below, cool above, neutral at the target.

One builder serves district × indicator, project × period and indicator × period views. The cell text and
the hover always carry the raw value (colour is never the only carrier of meaning), and each cell's
``customdata`` starts with ``(row_id, col_id)`` for drill-down.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import TARGET_COLOURSCALE, diverging_range
from components.i18n import translate
from components.text import html_text

PERCENT_CAP = 100.0  # colours saturate at 0 % and 200 % of target; hover still shows the exact figure
MAX_CELLS_WITH_TEXT = 900  # beyond this cells are too small to read; the hover still carries the value


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
    labels = [html_text(label) for label in (default if given is None else given)]  # names are text, not markup
    if len(labels) != len(default):
        raise ValueError(f"{what} has {len(labels)} entries, the values have {len(default)}")
    return labels


def _number(value: float, decimals: int, unit: str = "") -> str:
    if np.isnan(value):
        return "—"
    return f"{value:,.{decimals}f} {unit}".rstrip()


def relative_to_target(values: np.ndarray, targets: np.ndarray, signs: np.ndarray,
                       relative: Literal["percent", "points"]) -> tuple[np.ndarray, float]:
    """(z, neutral centre): percent of target (100 = on target) or points better than target (0 = on target).

    Lower-is-better columns are mirrored, so "better than target" is always above the centre:
    a cost of 90 against a target of 100 is 110 % (or +10 points). A zero target has no percentage (NaN).
    """
    if relative == "percent":
        with np.errstate(divide="ignore", invalid="ignore"):
            z = 100.0 + signs * (values - targets) / np.abs(targets) * 100.0
        return np.where(np.isfinite(z), z, np.nan), 100.0
    if relative == "points":
        return signs * (values - targets), 0.0
    raise ValueError(f"relative must be 'percent' or 'points', got {relative!r}")


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
    show_text: bool | None = None,
) -> go.Figure:
    """Rows × columns of raw ``values``, coloured by achievement relative to the target.

    Two ways to say where neutral is:

    * ``targets`` (a frame like ``values``, a Series per column, or one number): colour is percent of target
      (``relative="percent"``, neutral 100) or points better than target (``relative="points"``, neutral 0);
    * ``centre`` without targets, for values already on a judged scale: a score matrix with ``centre=80``
      (colour = the score, 80 neutral) or progress deviation in points with ``centre=0``.

    ``directions`` (per column, "higher"/"lower") mirrors lower-is-better columns. Labels come from the
    caller (``col_labels`` should carry the unit, e.g. "投资完成率 (%)"); ``units`` per column is appended
    to the value and target in the hover. Rows and columns sit at integer positions with the labels as tick
    text, so two projects with the same name stay two rows.

    ``customdata[i][j]`` = ``[row_id, col_id, row_label, col_label, value text, target text, relative text]``
    (ids default to the frame's index and columns).
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

    n_rows, n_cols = raw.shape
    cell_text = [[_number(raw[i, j], decimals) for j in range(n_cols)] for i in range(n_rows)]
    customdata = [[[row_keys[i], col_keys[j], rows[i], cols[j], _number(raw[i, j], decimals, unit_of[j]),
                    _number(target_cells[i, j], decimals, unit_of[j]),
                    _number(z[i, j], 1, "%") if mode == "percent" else
                    ("—" if np.isnan(z[i, j]) else f"{z[i, j] - neutral:+,.{decimals}f}")]
                   for j in range(n_cols)] for i in range(n_rows)]

    cap = PERCENT_CAP if mode == "percent" else None
    zmin, zmax = diverging_range(z, neutral, cap)
    if show_text is None:
        show_text = n_rows * n_cols <= MAX_CELLS_WITH_TEXT
    relative_word, default_scale_title = (
        (translate("heatmaps.percent", lang), translate("heatmaps.percent_title", lang)) if mode == "percent"
        else (translate("heatmaps.points", lang), translate("heatmaps.points_title", lang)))
    hover = ("<b>%{customdata[2]}</b><br>%{customdata[3]}<br>"
             f"{translate('heatmaps.value', lang)}: %{{customdata[4]}}<br>"
             f"{translate('chart.target', lang)}: %{{customdata[5]}}<br>"
             f"{relative_word}: %{{customdata[6]}}<extra></extra>")
    figure = go.Figure(go.Heatmap(
        z=np.clip(z, zmin, zmax), x=list(range(n_cols)), y=list(range(n_rows)), zmin=zmin, zmax=zmax,
        colorscale=TARGET_COLOURSCALE, text=cell_text, texttemplate="%{text}" if show_text else None,
        customdata=customdata, hovertemplate=hover, hoverongaps=False, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=scale_title or default_scale_title)),
    ))
    figure.update_layout(
        height=max(300, 28 * n_rows + 160), margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="#ffffff",
        xaxis=dict(tickmode="array", tickvals=list(range(n_cols)), ticktext=cols, side="top", showgrid=False),
        yaxis=dict(tickmode="array", tickvals=list(range(n_rows)), ticktext=rows, autorange="reversed",
                   showgrid=False),
    )
    return figure
