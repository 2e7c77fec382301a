"""The target tree page's wiring: its cached reads (per viewer and data version) and the add/edit form."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from components.colours import is_missing
from data_access import DataAccessError, Viewer
from data_access import goals as goal_store
from data_access.models import GOAL_LEVELS, OKR_TYPES
from services import goals as goal_service
from webapp import data
from webapp.data import Database, cached_read
from webapp.filters import selected_region
from webapp.i18n import name_column, t
from webapp.session import shared_engine, show_data_error

FLASH_KEY = "goals_flash"
CHART_KEY, FOCUS_KEY, CLICKED_KEY = "goals_treemap", "goals_focus", "goals_clicked"
NONE = WHOLE_TREE = 0  # "no choice" in a selectbox of ids (ids start at 1; a None option shows as a blank)


def goal_tree(viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """The viewer's nodes with progress and status as of a day. Whoever sees everything sees the whole tree, one
    entry for all of them; anyone else also sees the goals they own wherever these are, so theirs is their own."""
    return (_whole_tree if viewer.sees_everything else _own_tree)(viewer, as_of)


@cached_read(per_scope=True)
def _whole_tree(viewer: Viewer, as_of: dt.date, *, db: Database) -> pd.DataFrame:
    return goal_service.goal_tree(db.engine, viewer, as_of=as_of)


@cached_read
def _own_tree(viewer: Viewer, as_of: dt.date, *, db: Database) -> pd.DataFrame:
    return goal_service.goal_tree(db.engine, viewer, as_of=as_of)


@cached_read
def owner_candidates(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return goal_store.owner_candidates(db.engine, viewer)


def apply_chart_click(branch_ids: set[int]) -> None:
    """A click on a treemap box with sub-goals focuses the page on that branch.

    Runs before the focus selectbox is drawn (a widget's value can only be set before it exists). The chart
    keeps its selection across reruns, so only a click not applied yet moves the focus: choosing another
    branch in the selectbox afterwards still works.
    """
    event = st.session_state.get(CHART_KEY) or {}
    points = (event.get("selection") or {}).get("points") or []
    clicked = str(points[0].get("id", "")) if points else ""
    clicked_id = int(clicked) if clicked.isdigit() else None
    if clicked_id is not None and clicked_id != st.session_state.get(CLICKED_KEY) and clicked_id in branch_ids:
        st.session_state[FOCUS_KEY] = clicked_id
    st.session_state[CLICKED_KEY] = clicked_id


def region_path(regions: pd.DataFrame) -> str | None:
    """The path of the region chosen in the sidebar filter, or None for every region in scope."""
    chosen = regions.loc[regions["id"] == selected_region(), "path"]
    return None if chosen.empty else str(chosen.iloc[0])


def writable(tree: pd.DataFrame, viewer: Viewer) -> pd.Series:
    """Nodes the viewer may change: in scope, and for a scoped viewer inside their region."""
    if viewer.sees_everything:
        return tree["in_scope"].astype(bool)
    return tree["in_scope"].astype(bool) & tree["region_path"].str.startswith(viewer.region_path or "\0")


def _title(node: pd.Series) -> str:
    return str(node[name_column("title")])


def _choice(label: str, options: dict[Any, str], current: Any, key: str) -> Any:
    """A selectbox over ``options`` (value → label) with ``current`` preselected when present."""
    values = list(options)
    index = values.index(current) if current in values else 0
    return st.selectbox(label, values, index=index, format_func=options.__getitem__, key=key)


def _optional_id(value: object) -> int:
    """An id read from the tree (NaN when unset) as a selectbox value: :data:`NONE` when unset."""
    return NONE if is_missing(value) else int(value)  # type: ignore[call-overload]


def goal_form(viewer: Viewer, tree: pd.DataFrame) -> None:
    """Add a sub-goal under a visible node, or edit / delete a node the viewer may change."""
    editable = tree[writable(tree, viewer)]
    modes = {True: t("goals.mode_add"), False: t("goals.mode_edit")}
    adding = st.radio(t("goals.manage"), list(modes), horizontal=True, key="goals_mode",
                      format_func=modes.__getitem__, label_visibility="collapsed")
    if adding:
        parents = tree[tree["level"] != GOAL_LEVELS[-1]]
        if parents.empty:
            st.info(t("goals.no_parent"))
            return
        parent_id = _choice(t("goals.parent"), dict(zip(parents["id"], parents.apply(_title, axis=1), strict=True)),
                            NONE, "goals_parent")
        parent = parents.set_index("id").loc[parent_id]
        level = GOAL_LEVELS[GOAL_LEVELS.index(parent["level"]) + 1]
        st.caption(t("goals.new_level", level=t(f"goals.level.{level}")))
        node: dict[str, Any] = {"parent_id": int(parent_id), "level": level, "okr_type": "key_result"
                                if parent["okr_type"] == "objective" else "objective", "title_zh": "",
                                "title_en": "", "region_id": int(parent["region_id"]), "project_id": None,
                                "owner_id": viewer.user_id, "indicator_id": None, "baseline_value": None,
                                "target_value": None, "unit_zh": "", "weight": 1.0, "due_date": parent["due_date"],
                                "period": parent["period"]}
    else:
        if editable.empty:
            st.info(t("goals.nothing_to_edit"))
            return
        goal_id = _choice(t("goals.node"), dict(zip(editable["id"], editable.apply(_title, axis=1), strict=True)),
                          NONE, "goals_node")
        node = editable.set_index("id").loc[goal_id].to_dict() | {"id": int(goal_id)}
    level = GOAL_LEVELS.index(node["level"])
    above = tree[tree["level"] == GOAL_LEVELS[level - 1]] if level and not adding else tree.iloc[:0]
    _fields_form(viewer, node, adding, dict(zip(above["id"], above.apply(_title, axis=1), strict=True)))


def _fields_form(viewer: Viewer, node: dict[str, Any], adding: bool, new_parents: dict[int, str]) -> None:
    """The node's fields (and, when editing, its parent: choosing another moves it); widget keys carry the
    node and its version, so choosing another node refills them."""
    suffix = f"add_{node['parent_id']}" if adding else f"edit_{node['id']}_{node['version']}"
    regions = data.regions(viewer)
    projects = data.projects(viewer)
    indicators = data.indicators(viewer)
    owners = owner_candidates(viewer)
    kpis = indicators[indicators["level"] == 3]
    none = {NONE: t("goals.none")}
    with st.form(f"goals_form_{suffix}"):
        moved = {"parent_id": _choice(t("goals.parent"), new_parents, _optional_id(node["parent_id"]),
                                      f"goals_move_{suffix}")} if new_parents else {}
        okr_type = _choice(t("goals.okr_type"), {kind: t(f"goals.okr.{kind}") for kind in OKR_TYPES},
                           node["okr_type"], f"goals_okr_type_{suffix}")
        title_zh = st.text_input(t("goals.title_zh"), value=node["title_zh"], max_chars=200)
        title_en = st.text_input(t("goals.title_en"), value=node["title_en"], max_chars=300)
        region_id = _choice(t("goals.region"), dict(zip(regions["id"], regions[name_column()], strict=True)),
                            node["region_id"], f"goals_region_{suffix}")
        project_id = _choice(t("goals.project"), none | dict(zip(projects["id"], projects["code"] + " · "
                                                                 + projects[name_column()], strict=True)),
                             _optional_id(node["project_id"]), f"goals_project_{suffix}")
        owner_id = _choice(t("goals.owner"), none | dict(zip(owners["id"], owners["display_name"], strict=True)),
                           _optional_id(node["owner_id"]), f"goals_owner_{suffix}")
        indicator_id = _choice(t("goals.indicator"), none | dict(zip(kpis["id"], kpis["code"] + " · "
                                                                     + kpis[name_column()], strict=True)),
                               _optional_id(node["indicator_id"]), f"goals_indicator_{suffix}")
        left, middle, right = st.columns(3)
        baseline = left.number_input(t("goals.baseline"), value=None if is_missing(node["baseline_value"])
                                     else float(node["baseline_value"]), format="%g")
        target = middle.number_input(t("goals.target"), value=None if is_missing(node["target_value"])
                                     else float(node["target_value"]), format="%g")
        unit = right.text_input(t("goals.unit"), max_chars=20,
                                value="" if is_missing(node["unit_zh"]) else str(node["unit_zh"]))
        left, middle, right = st.columns(3)
        weight = left.number_input(t("goals.weight"), value=float(node["weight"]), min_value=0.0, format="%g")
        due = middle.date_input(t("goals.due_date"), value=None if is_missing(node["due_date"]) else node["due_date"])
        period = right.text_input(t("goals.period"), value=node["period"], max_chars=7)
        save = st.form_submit_button(t("goals.save"), type="primary")
        remove = not adding and st.form_submit_button(t("goals.delete"))
    fields = {"okr_type": okr_type, "title_zh": title_zh, "title_en": title_en, "region_id": region_id,
              "project_id": project_id or None, "owner_id": owner_id or None, "indicator_id": indicator_id or None,
              "baseline_value": baseline, "target_value": target, "unit_zh": unit.strip() or None,
              "weight": weight, "due_date": due, "period": period.strip()} | moved
    if save or remove:
        try:
            if remove:
                goal_service.delete_goal(shared_engine(), viewer, node["id"], int(node["version"]))
                st.session_state[FLASH_KEY] = t("goals.deleted")
            elif adding:
                goal_service.create_goal(shared_engine(), viewer, fields | {"parent_id": node["parent_id"],
                                                                            "level": node["level"]})
                st.session_state[FLASH_KEY] = t("goals.saved")
            else:
                changed = {name: value for name, value in fields.items() if value != _stored(node[name])}
                if changed:  # an unchanged form writes nothing (no new version, no audit entry)
                    goal_service.update_goal(shared_engine(), viewer, node["id"], int(node["version"]), changed)
                st.session_state[FLASH_KEY] = t("goals.saved")
            st.rerun()
        except DataAccessError as error:
            show_data_error(error)


def _stored(value: object) -> object:
    """A value as read, comparable with what the form gives back (NaN and NaT as None)."""
    return None if is_missing(value) else value
