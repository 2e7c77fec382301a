"""权重调优 What-if weights: tune dimension and indicator weights and see the ranking move, live.

Presets (default scheme, equal, entropy, AHP with its consistency check, combined), re-ranking with a
movers table, rank uncertainty and the weight-stability ranges of the top k, scenarios saved as weight
schemes, two schemes side by side, and promotion of a scheme to the default (admins and analysts).

This page reads its inputs (``webapp.whatif_data``, cached per viewer, period and scheme) and hands them to
the panels: the tune tab (``webapp.whatif_panels``; only its fragment reruns when a weight moves, the weights
kept by ``webapp.weight_editor``) and the compare and manage tabs (``webapp.whatif_schemes``). The arithmetic
lives in ``services.whatif`` (see its docstring for how category-specific KPIs are handled); writes in
``data_access.schemes``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.formatting import month
from components.i18n import translate
from data_access.policy import Viewer
from services import whatif
from webapp import data, whatif_data
from webapp.filters import filter_projects, selected_period
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, stop_on_data_error
from webapp.weight_editor import WeightEditor
from webapp.whatif_panels import WhatIfView, show_page_flash, tune_tab
from webapp.whatif_schemes import compare_tab, manage_tab


def _kpi_labels(indicators: pd.DataFrame, lang: str) -> pd.Series:
    """KPI code → "name（unit）" (full-width brackets in Chinese)."""
    return pd.Series({code: translate("chart.with_unit", lang, label=row[name_column()], unit=row[name_column("unit")])
                      for code, row in indicators.iterrows()})


def _view(viewer: Viewer) -> WhatIfView:
    """Read what the page shows; stops with a message when nothing in the filter has a score."""
    lang, period = current_language(), selected_period()
    with stop_on_data_error():
        schemes = whatif_data.schemes(viewer)
        default_id = whatif.default_scheme_id(schemes)
        base = whatif_data.base(viewer, period, default_id)
        projects = data.projects(viewer)
        categories = data.categories(viewer)
    in_view = filter_projects(projects, viewer)["id"]
    scores = base.scores.loc[base.scores.index.isin(in_view)]
    if scores.empty:
        st.info(t("whatif.no_scores"))
        st.stop()
    return WhatIfView(
        viewer=viewer, lang=lang, period=period, base=base, scores=scores, schemes=schemes, default_id=default_id,
        project_labels=(projects["code"] + " " + projects[name_column()]).set_axis(projects["id"]),
        dimension_names=base.dimensions[name_column()], kpi_labels=_kpi_labels(base.indicators, lang),
        category_names=dict(zip(categories["code"], categories[name_column()], strict=True)))


def _caption(view: WhatIfView) -> str:
    base, default = view.base, view.schemes.set_index("id").loc[view.default_id]
    caption = t("whatif.caption", period=month(base.period, view.lang), n=f"{len(view.scores):,}",
                scheme=f"{default['name']} v{default['version']}")
    return caption + (" " + t("whatif.unscored", n=len(base.unscored)) if len(base.unscored) else "")


def main() -> None:
    viewer = current_viewer()  # first: a page never runs without one
    st.title(t("page.whatif"))
    view = _view(viewer)
    st.caption(_caption(view))
    show_page_flash()
    editor = WeightEditor(view.base.tree, view.dimensions, view.dimension_of)
    tune, compare, manage = st.tabs([t("whatif.tab_tune"), t("whatif.tab_compare"), t("whatif.tab_manage")])
    with tune:
        tune_tab(view, editor)
    with compare:
        compare_tab(view)
    with manage:
        manage_tab(view)


main()
