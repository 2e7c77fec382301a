"""The indicator library page's parts: the indented tree table and, for admins, the edit, create, order and
retire controls and the category-template editor. Every write goes through ``data_access.indicator_library``
(one transaction, audited, version-checked); a refusal is shown in the user's language."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from data_access import DataAccessError, Viewer, register
from data_access import indicator_library as library_store
from data_access.indicator_library import TemplateItem
from data_access.models import DIRECTIONS, NORMALIZATIONS, PERIOD_ROLLUPS
from webapp.data import Database, cached_read
from webapp.i18n import current_language, name_column, t
from webapp.session import shared_engine, show_data_error

FLASH_KEY = "indicators_flash"
INDENT = "\u3000\u3000"  # ideographic spaces: the indentation survives in a table cell
ALL = ""  # the dimension filter's "every dimension" (no dimension key is empty)


@cached_read
def category_template(viewer: Viewer, category_id: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001
    return register.category_template(db.engine, category_id)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "direction": {"higher": t("indicators.higher"), "lower": t("indicators.lower"), "band": t("indicators.band")},
        "normalization": {"target": t("indicators.method_target"), "minmax": t("indicators.method_minmax"),
                          "band": t("indicators.method_band"), "threshold": t("indicators.method_threshold")},
        "period_rollup": {"last": t("indicators.rollup_last"), "sum": t("indicators.rollup_sum"),
                          "mean": t("indicators.rollup_mean")},
        "level": {"1": t("indicators.level_dimension"), "2": t("indicators.level_group"),
                  "3": t("indicators.level_kpi")},
    }


def tree_order(library: pd.DataFrame) -> pd.DataFrame:
    """The library depth first: each dimension, then its groups each followed by their KPIs, by sort order."""
    ordered = library.sort_values(["sort_order", "id"])
    children = {parent: frame for parent, frame in ordered.groupby("parent_id", sort=False)}
    rows: list[int] = []

    def visit(node_ids: pd.Series) -> None:
        for node_id in node_ids:
            rows.append(node_id)
            if node_id in children:
                visit(children[node_id]["id"])

    visit(ordered[ordered["level"] == 1]["id"])
    return library.set_index("id").loc[rows].reset_index()


def _visible(library: pd.DataFrame, dimension: str | None, show_retired: bool) -> pd.DataFrame:
    shown = library if dimension is None else library[library["dimension"] == dimension]
    return shown if show_retired else shown[shown["retired_at"].isna()]


def tree_table(library: pd.DataFrame, categories: pd.DataFrame, *, dimension: str | None,
               show_retired: bool) -> pd.DataFrame:
    """The 3-level tree as an indented table in the session's language."""
    labels = _labels()
    rows = tree_order(_visible(library, dimension, show_retired))
    category_names = categories.set_index("id")[name_column()]
    unit = rows["unit_en" if name_column() == "name_en" else "unit_zh"]
    kpi = rows["level"] == 3
    return pd.DataFrame({
        t("indicators.name"): [INDENT * (level - 1) + str(name) for level, name in
                               zip(rows["level"], rows[name_column()], strict=True)],
        t("indicators.code"): rows["code"],
        t("indicators.level"): rows["level"].astype(str).map(labels["level"]),
        t("indicators.unit"): unit.where(kpi, ""),
        t("indicators.direction"): rows["direction"].map(labels["direction"]).where(kpi, ""),
        t("indicators.method"): rows["normalization"].map(labels["normalization"]).where(kpi, ""),
        t("indicators.default_weight"): rows["default_weight"].astype(float),
        t("indicators.rollup"): rows["period_rollup"].map(labels["period_rollup"]).where(kpi, ""),
        t("indicators.scored"): rows["scored"].astype(bool).where(kpi, None),
        t("indicators.category"): rows["category_id"].map(category_names).fillna(t("indicators.every_category"))
        .where(kpi, ""),
        t("indicators.state"): rows["retired_at"].isna().map({True: t("indicators.live"),
                                                              False: t("indicators.retired")}),
    })


def _node_label(row: pd.Series) -> str:
    return f"{INDENT * (int(row['level']) - 1)}{row['code']} · {row[name_column()]}"


def _flash_and_rerun(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _attempt(write: Callable[[], Any], done: str) -> None:
    """Run one write; a refusal shows its message, success reruns the page with ``done`` shown."""
    try:
        write()
    except DataAccessError as error:
        show_data_error(error)
        return
    _flash_and_rerun(done)


def show_flash() -> None:
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY))


def _choices(values: tuple[str, ...], current: str) -> int:
    return values.index(current) if current in values else 0


def edit_panel(viewer: Viewer, library: pd.DataFrame, categories: pd.DataFrame) -> None:
    """Edit one node's fields; below the form, move it, retire or bring it back, or delete it."""
    labels = _labels()
    ordered = tree_order(library).set_index("id")
    node_id = st.selectbox(t("indicators.choose"), list(ordered.index),
                           key=f"indicators_edit_choice_{current_language()}",
                           format_func=lambda i: _node_label(ordered.loc[i]))
    node = ordered.loc[node_id]
    is_kpi = int(node["level"]) == 3
    params, _ = library_store.stored_params(node["normalization_params"])
    category_ids = [None, *categories["id"].astype(int)]
    category_names = {None: t("indicators.every_category"),
                      **dict(zip(categories["id"].astype(int), categories[name_column()], strict=True))}
    with st.form("indicators_edit_form"):
        left, right = st.columns(2)
        changes: dict[str, Any] = {
            "name_zh": left.text_input(t("indicators.name_zh"), value=node["name_zh"], max_chars=80),
            "name_en": right.text_input(t("indicators.name_en"), value=node["name_en"], max_chars=120),
        }
        if is_kpi:
            left, right = st.columns(2)
            changes["unit_zh"] = left.text_input(t("indicators.unit_zh"), value=node["unit_zh"], max_chars=20)
            changes["unit_en"] = right.text_input(t("indicators.unit_en"), value=node["unit_en"], max_chars=30)
            left, right = st.columns(2)
            changes["direction"] = left.selectbox(t("indicators.direction"), DIRECTIONS,
                                                  index=_choices(DIRECTIONS, node["direction"]),
                                                  format_func=labels["direction"].get)
            changes["normalization"] = right.selectbox(t("indicators.method"), NORMALIZATIONS,
                                                       index=_choices(NORMALIZATIONS, node["normalization"]),
                                                       format_func=labels["normalization"].get)
            left, right = st.columns(2)
            changes["band_lower"] = left.number_input(t("indicators.band_lower"), value=_number(node["band_lower"]))
            changes["band_upper"] = right.number_input(t("indicators.band_upper"), value=_number(node["band_upper"]))
        left, right = st.columns(2)
        changes["default_weight"] = left.number_input(t("indicators.default_weight"), min_value=0.0,
                                                      value=float(node["default_weight"]), step=0.5)
        if is_kpi:
            changes["period_rollup"] = right.selectbox(t("indicators.rollup"), PERIOD_ROLLUPS,
                                                       index=_choices(PERIOD_ROLLUPS, node["period_rollup"]),
                                                       format_func=labels["period_rollup"].get)
            left, right = st.columns(2)
            changes["category_id"] = left.selectbox(t("indicators.category"), category_ids,
                                                    index=category_ids.index(_category(node)),
                                                    format_func=category_names.get)
            changes["scored"] = right.checkbox(t("indicators.scored"), value=bool(node["scored"]))
            params_text = st.text_area(t("indicators.params"), value=json.dumps(params, ensure_ascii=False),
                                       help=t("indicators.params_help"))
            new_version = st.checkbox(t("indicators.new_scheme_version"), help=t("indicators.new_scheme_help"))
        saved = st.form_submit_button(t("indicators.save"), type="primary")
    if saved:
        if is_kpi:
            try:
                changes["normalization_params"] = json.loads(params_text or "{}")
            except ValueError:
                st.error(t("indicators.bad_json"))
                return
        else:
            new_version = False
        _save_edit(viewer, int(node_id), int(node["version"]), changes, new_version)
    _order_and_state(viewer, int(node_id), node)


def _number(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _category(node: pd.Series) -> int | None:
    value = node["category_id"]
    return None if value is None or pd.isna(value) else int(value)


def _save_edit(viewer: Viewer, node_id: int, version: int, changes: dict[str, Any], new_version: bool) -> None:
    try:
        change = library_store.update_indicator(shared_engine(), viewer, node_id, version, changes,
                                                new_scheme_version=new_version)
    except DataAccessError as error:
        show_data_error(error)
        return
    _flash_and_rerun(t("indicators.saved_with_scheme") if change.new_scheme_id else t("indicators.saved"))


def _order_and_state(viewer: Viewer, node_id: int, node: pd.Series) -> None:
    engine, version = shared_engine(), int(node["version"])
    up, down, retire, remove = st.columns(4)
    if up.button(t("indicators.move_up"), key="indicators_up", width="stretch"):
        _attempt(lambda: library_store.move_indicator(engine, viewer, node_id, version, -1), t("indicators.moved"))
    if down.button(t("indicators.move_down"), key="indicators_down", width="stretch"):
        _attempt(lambda: library_store.move_indicator(engine, viewer, node_id, version, 1), t("indicators.moved"))
    retired = node["retired_at"] is not None and not pd.isna(node["retired_at"])
    if retire.button(t("indicators.unretire") if retired else t("indicators.retire"), key="indicators_retire",
                     width="stretch"):
        _attempt(lambda: library_store.set_retired(engine, viewer, node_id, version, not retired),
                 t("indicators.unretired") if retired else t("indicators.retired_done"))
    if remove.button(t("indicators.delete"), key="indicators_delete", width="stretch",
                     help=t("indicators.delete_help")):
        _attempt(lambda: library_store.delete_indicator(engine, viewer, node_id, version), t("indicators.deleted"))


def create_panel(viewer: Viewer, library: pd.DataFrame) -> None:
    """Add a dimension, a group under a dimension or a KPI under a group (last among its siblings)."""
    labels = _labels()
    level = st.radio(t("indicators.level"), (1, 2, 3), horizontal=True,
                     key=f"indicators_new_level_{current_language()}", format_func=lambda n: labels["level"][str(n)])
    live = tree_order(library[library["retired_at"].isna()]).set_index("id")
    parents = live[live["level"] == level - 1]
    with st.form("indicators_create_form", clear_on_submit=False):
        parent_id = None
        dimension = None
        if level > 1:
            parent_id = st.selectbox(t("indicators.parent"), list(parents.index),
                                     format_func=lambda i: _node_label(parents.loc[i]))
        left, right = st.columns(2)
        code = left.text_input(t("indicators.code"), max_chars=30, help=t("indicators.code_help"))
        if level == 1:
            dimension = right.text_input(t("indicators.dimension_key"), max_chars=20,
                                         help=t("indicators.dimension_help"))
        left, right = st.columns(2)
        name_zh = left.text_input(t("indicators.name_zh"), max_chars=80)
        name_en = right.text_input(t("indicators.name_en"), max_chars=120)
        fields: dict[str, Any] = {}
        if level == 3:
            left, right = st.columns(2)
            fields["unit_zh"] = left.text_input(t("indicators.unit_zh"), max_chars=20)
            fields["unit_en"] = right.text_input(t("indicators.unit_en"), max_chars=30)
            left, right = st.columns(2)
            fields["direction"] = left.selectbox(t("indicators.direction"), ("higher", "lower"),
                                                 format_func=labels["direction"].get)
            fields["period_rollup"] = right.selectbox(t("indicators.rollup"), PERIOD_ROLLUPS,
                                                      format_func=labels["period_rollup"].get)
        left, _ = st.columns(2)
        fields["default_weight"] = left.number_input(t("indicators.default_weight"), min_value=0.0, value=1.0,
                                                     step=0.5)
        created = st.form_submit_button(t("indicators.create"), type="primary")
    if created:
        _attempt(lambda: library_store.create_indicator(
            shared_engine(), viewer, level=level, code=code, name_zh=name_zh, name_en=name_en,
            parent_id=None if parent_id is None else int(parent_id), dimension=dimension, **fields),
            t("indicators.created", code=code.strip()))


def template_panel(viewer: Viewer, library: pd.DataFrame, categories: pd.DataFrame) -> None:
    """A category's template as an editable table of KPI, weight and default target, saved in one go."""
    names = dict(zip(categories["id"].astype(int), categories[name_column()], strict=True))
    category_id = st.selectbox(t("indicators.template_category"), list(names), format_func=names.get,
                               key=f"indicators_template_category_{current_language()}")
    current = category_template(viewer, category_id)
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool) & library["retired_at"].isna()
                   & (library["category_id"].isna() | (library["category_id"] == category_id))]
    label_of = {int(row["id"]): f"{row['code']} · {row[name_column()]}" for _, row in kpis.iterrows()}
    id_of = {label: indicator_id for indicator_id, label in label_of.items()}
    kpi_column, weight_column, target_column = (t("indicators.template_kpi"), t("indicators.template_weight"),
                                                t("indicators.template_target"))
    table = pd.DataFrame({kpi_column: current["indicator_id"].map(label_of),
                          weight_column: current["weight"].astype(float),
                          target_column: current["target_value"].astype(float)})
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, width="stretch",
        key=f"indicators_template_{category_id}_{current_language()}",
        column_config={
            kpi_column: st.column_config.SelectboxColumn(options=list(id_of), required=True, width="large"),
            weight_column: st.column_config.NumberColumn(min_value=0.0, step=0.5, required=True),
            target_column: st.column_config.NumberColumn(),
        })
    if st.button(t("indicators.template_save"), type="primary", key="indicators_template_save"):
        expected = _template_items(current["indicator_id"], current["weight"], current["target_value"])
        rows = edited.dropna(how="all")
        if rows[kpi_column].isna().any() or rows[weight_column].isna().any():
            st.error(t("indicators.template_incomplete"))
            return
        items = _template_items(rows[kpi_column].map(id_of), rows[weight_column], rows[target_column])
        _attempt(lambda: library_store.set_category_template(shared_engine(), viewer, category_id, items,
                                                             expected=expected),
                 t("indicators.template_saved", n=len(items)))


def _template_items(indicator_ids: pd.Series, weights: pd.Series, targets: pd.Series) -> list[TemplateItem]:
    return [TemplateItem(int(indicator_id), float(weight), None if pd.isna(target) else float(target))
            for indicator_id, weight, target in zip(indicator_ids, weights, targets, strict=True)]


def dimension_filter(library: pd.DataFrame) -> str | None:
    dimensions = library[library["level"] == 1].sort_values("sort_order")
    names = {ALL: t("indicators.all_dimensions"),
             **dict(zip(dimensions["dimension"], dimensions[name_column()], strict=True))}
    chosen = st.selectbox(t("indicators.dimension"), list(names), format_func=names.get,
                          key=f"indicators_dimension_{current_language()}")
    return None if chosen == ALL else chosen

