"""What several views share: this month's and last month's portfolio under the sidebar filters."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from components.heatmaps import DEFAULT_WIDTH, target_heatmap
from components.i18n import name_suffix
from data_access import Viewer
from scoring.periods import add_months
from services.portfolio import district_kpi_means
from webapp import data
from webapp.filters import filter_projects, selected_period
from webapp.i18n import name_column


def filtered_portfolio(viewer: Viewer, period: dt.date | None) -> pd.DataFrame:
    frame = data.portfolio(viewer, period)
    filtered = filter_projects(frame, viewer)  # indexed by project id, which the filters keep
    filtered.attrs = frame.attrs
    return filtered


def current_and_previous(viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame, dt.date | None]:
    """The chosen month's portfolio, the month before's (for changes), and the month itself."""
    current = filtered_portfolio(viewer, selected_period())
    period = current.attrs.get("period") or data.latest_period(viewer)
    previous = filtered_portfolio(viewer, add_months(period, -1)) if period else current.iloc[0:0]
    return current, previous, period


HEATMAP_MONTHS = 12


def kpi_labels(viewer: Viewer, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The scored KPIs of the library and their display labels with unit, e.g. "预算执行率（%）"."""
    library = data.indicators(viewer)
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool)].set_index("code")
    unit = "unit_" + name_suffix(lang)
    return kpis, {code: f"{kpis.at[code, name_column()]}（{kpis.at[code, unit]}）" for code in kpis.index}


def district_indicator_heatmap(viewer: Viewer, projects: pd.DataFrame, period: dt.date, lang: str, *,
                               width: int = DEFAULT_WIDTH) -> tuple[go.Figure, pd.Series]:
    """Districts × KPIs: the month's mean value against the mean target; returns the figure (sized for a column
    ``width`` px wide, its cells square and clickable: customdata ``[district id, KPI code, …]``) and the
    district names (by id) for drill-down."""
    inputs = data.heatmap_inputs(viewer, period, HEATMAP_MONTHS, tuple(int(i) for i in projects.index))
    kpis, label = kpi_labels(viewer, lang)
    raw, goal = district_kpi_means(inputs["matrix"], inputs["targets"], projects["district_id"], list(kpis.index))
    names = data.regions(viewer).set_index("id")[name_column()]
    figure = target_heatmap(raw, goal, kpis["direction"].replace("band", "higher").reindex(raw.columns),
                            row_labels=[names.get(i, str(i)) for i in raw.index],
                            col_labels=[label[c] for c in raw.columns],
                            units=kpis[name_column("unit")].reindex(raw.columns), lang=lang,
                            row_ids=[int(i) for i in raw.index], col_ids=list(raw.columns), width=width)
    return figure, names.reindex(raw.index)
