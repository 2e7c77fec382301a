"""The 方案对比 (compare) and 方案管理 (manage) tabs of the what-if page: two stored schemes side by side, and
the stored schemes with delete and promote. Both take what they show as a :class:`WhatIfView`."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from components.i18n import translate
from components.tables import download_buttons
from components.text import plain
from components.whatif_charts import movers_table
from data_access import DataAccessError
from data_access import schemes as scheme_store
from data_access.policy import Action, allowed
from services import whatif
from webapp import whatif_data
from webapp.i18n import t
from webapp.session import shared_engine, show_data_error
from webapp.whatif_panels import MOVERS_HEIGHT, WhatIfView, flash_page

OVERLAP_TOP = 10  # the compare tab's overlap counts the top 10


def compare_tab(view: WhatIfView) -> None:
    """Two stored schemes side by side: their dimension weights and who moves between them."""
    ids = list(view.schemes["id"])
    others = [i for i in ids if i != view.default_id]
    left, right = st.columns(2)
    first = int(left.selectbox(t("whatif.scheme_a"), ids, index=ids.index(view.default_id),
                               format_func=view.scheme_label, key="whatif_compare_a"))
    second = int(right.selectbox(t("whatif.scheme_b"), ids, index=ids.index(others[0]) if others else 0,
                                 format_func=view.scheme_label, key="whatif_compare_b"))
    tree_a, tree_b = whatif_data.scheme_tree(view.viewer, first), whatif_data.scheme_tree(view.viewer, second)
    try:
        flat_a, flat_b = (whatif.flat_weights(tree, view.indicators.index) for tree in (tree_a, tree_b))
    except ValueError:
        st.error(t("whatif.scheme_unusable"))
        return
    dimensions = view.dimensions
    dims_a, dims_b = (flat.groupby(view.dimension_of).sum().reindex(dimensions) * 100 for flat in (flat_a, flat_b))
    side = pd.DataFrame({t("whatif.dimension"): [view.dimension_names[d] for d in dimensions],
                         view.scheme_label(first): [f"{v:.1f} %" for v in dims_a],
                         view.scheme_label(second): [f"{v:.1f} %" for v in dims_b],
                         t("whatif.difference"): [f"{b - a:+.1f} {translate('kpi.unit.pp', view.lang)}"
                                                  for a, b in zip(dims_a, dims_b, strict=False)]})
    compared = whatif.compare(view.scores, flat_a, flat_b)
    figures = whatif.summary(compared["base_rank"], compared["new_rank"], OVERLAP_TOP)
    kpis = st.columns(3)
    kpis[0].metric(t("whatif.rank_correlation"), "—" if math.isnan(figures.spearman) else f"{figures.spearman:.3f}")
    kpis[1].metric(t("whatif.top10_overlap"), f"{figures.top_k_overlap} / {figures.base_top_k}")
    kpis[2].metric(t("whatif.moved"), f"{figures.moved:,} / {figures.projects:,}")
    weights_column, movers_column = st.columns([2, 3], gap="large")
    weights_column.dataframe(side, hide_index=True, width="stretch", key="whatif_compare_weights")
    table = movers_table(compared, view.project_labels, view.lang)
    with movers_column:
        st.dataframe(table, hide_index=True, width="stretch", height=MOVERS_HEIGHT, key="whatif_compare_movers",
                     column_config={table.columns[0]: st.column_config.TextColumn(width="medium")})
        download_buttons(table, "whatif_compare", "whatif_compare_download", lang=view.lang)


def manage_tab(view: WhatIfView) -> None:
    """The stored schemes, with delete (own scenarios for leaders) and promote (admins and analysts)."""
    schemes = view.schemes
    shown = pd.DataFrame({
        t("whatif.scheme_name"): schemes["name"], t("whatif.version"): schemes["version"],
        t("whatif.is_default"): schemes["is_default"].map(lambda d: "★ " + t("whatif.default") if d else ""),
        t("whatif.created_by"): schemes["created_by_name"].fillna("—"),
        t("whatif.created_at"): pd.to_datetime(schemes["created_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("whatif.description"): schemes["description"].fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="whatif_scheme_table")
    chosen = int(st.selectbox(t("whatif.manage_choice"), list(schemes["id"]), format_func=view.scheme_label,
                              key="whatif_manage_choice"))
    row = schemes.set_index("id").loc[chosen]
    actions = st.columns(2)
    with actions[0]:
        _promote(view, chosen, bool(row["is_default"]))
    with actions[1]:
        _delete(view, chosen, None if pd.isna(row["created_by"]) else int(row["created_by"]), bool(row["is_default"]))


def _promote(view: WhatIfView, scheme_id: int, is_default: bool) -> None:
    if not allowed(view.viewer, Action.PROMOTE_SCHEME):
        st.caption(t("whatif.promote_not_allowed"))
        return
    name = plain(view.scheme_label(scheme_id))
    confirm = st.checkbox(t("whatif.promote_confirm", name=name), key="whatif_promote_confirm", disabled=is_default)
    if st.button(t("whatif.promote"), key="whatif_promote", type="primary", disabled=is_default or not confirm):
        try:
            scheme_store.promote_scheme(shared_engine(), view.viewer, scheme_id, expected_default_id=view.default_id)
        except DataAccessError as error:
            show_data_error(error)
        else:
            flash_page(t("whatif.promoted", name=name))
            st.rerun()


def _delete(view: WhatIfView, scheme_id: int, created_by: int | None, is_default: bool) -> None:
    if not scheme_store.may_change(view.viewer, created_by, is_default):
        st.caption(t("whatif.delete_not_allowed"))
        return
    if st.button(t("whatif.delete"), key="whatif_delete"):
        try:
            scheme_store.delete_scenario(shared_engine(), view.viewer, scheme_id)
        except DataAccessError as error:
            show_data_error(error)
        else:
            flash_page(t("whatif.deleted", name=plain(view.scheme_label(scheme_id))))
            st.rerun()
