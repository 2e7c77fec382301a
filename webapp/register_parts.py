"""The project register's panels for one project: status moves (with confirmation), milestones (add, move up
and down, edit) and KPI targets (set, remove, apply the category template)."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import data_access
from components.text import plain
from data_access import DataAccessError, VersionConflict, Viewer
from data_access import register as project_register
from data_access.policy import Action, allowed
from webapp import data
from webapp.i18n import name_column, t
from webapp.session import shared_engine, show_data_error

# The register's words for each move, by the status a project goes to.
MOVES = {"active": "register.move.resume", "suspended": "register.move.suspend",
         "completed": "register.move.complete", "archived": "register.move.archive"}


def _move_label(current: str, status: str) -> str:
    if current == "archived":
        return t("register.move.restore")
    return t("register.move.start") if current == "planned" and status == "active" else t(MOVES[status])


def _dashes(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as text, a missing one as — rather than None (one type per column, as Arrow needs)."""
    return frame.map(lambda value: "—" if pd.isna(value) else f"{value:g}" if isinstance(value, float) else str(value))


def _done(message_key: str, **values: object) -> None:
    st.session_state["register_flash"] = t(message_key, **values)
    st.rerun()


def status_actions(viewer: Viewer, project: dict[str, Any]) -> None:
    """The moves allowed from the project's status; nothing happens until the user confirms."""
    current = project["status"]
    if current == "archived":  # restore to where it stood: completed, active or planned
        targets = [project_register.restored_status(project)]
    else:
        targets = sorted(project_register.TRANSITIONS[current], key=list(MOVES).index)
    labels = {status: _move_label(current, status) for status in targets}
    left, right = st.columns([2, 3])
    chosen = left.radio(t("register.move"), targets, format_func=labels.get, horizontal=True,
                        key=f"register_move_{project['id']}")
    confirmed = right.checkbox(t("register.move.confirm", action=labels[chosen], status=t(f"status.{chosen}")),
                               key=f"register_move_confirm_{project['id']}")
    if right.button(t("register.move.apply"), disabled=not confirmed, key=f"register_move_apply_{project['id']}"):
        try:
            project_register.set_project_status(shared_engine(), viewer, int(project["id"]), int(project["version"]),
                                                chosen)
        except DataAccessError as error:
            show_data_error(error)
        else:
            st.session_state.pop(f"register_opened_{project['id']}", None)  # the version moved on
            _done("register.moved", status=t(f"status.{chosen}"))


def milestones_editor(viewer: Viewer, project_id: int) -> None:
    """The project's milestones in order: add one, move one up or down, edit its dates and percent."""
    milestones = data.milestones(viewer, project_id)
    if milestones.empty:
        st.info(t("register.milestones.none"))
    else:
        shown = milestones[["seq", name_column(), "planned_start", "planned_end", "actual_end", "percent_complete"]]
        shown.columns = ["#", t("col.milestone"), t("col.planned_start"), t("col.planned_end"), t("col.actual_end"),
                         t("col.percent")]
        st.dataframe(_dashes(shown), hide_index=True, width="stretch")
        names = dict(zip(milestones["id"], milestones["seq"].astype(str) + ". " + milestones[name_column()],
                         strict=True))
        chosen = st.selectbox(t("register.milestones.choose"), list(names), format_func=names.get,
                              key=f"register_milestone_{project_id}")
        order = milestones["id"].tolist()
        position = order.index(chosen)
        up, down, _ = st.columns([1, 1, 4])
        for column, step, label in ((up, -1, "register.milestones.up"), (down, 1, "register.milestones.down")):
            target = position + step
            if column.button(t(label), disabled=not 0 <= target < len(order), key=f"{label}_{project_id}"):
                order[position], order[target] = order[target], order[position]
                try:
                    project_register.reorder_milestones(shared_engine(), viewer, project_id, order)
                except DataAccessError as error:
                    show_data_error(error)
                else:
                    _done("register.saved")
        if allowed(viewer, Action.EDIT_MILESTONES):
            _milestone_form(viewer, milestones.set_index("id").loc[chosen], int(chosen))
    with st.expander(t("register.milestones.add")), st.form(f"register_add_milestone_{project_id}",
                                                             clear_on_submit=True):
        a, b = st.columns(2)
        name_zh = a.text_input(t("register.field.name_zh"))
        name_en = b.text_input(t("register.field.name_en"))
        a, b = st.columns(2)
        start = a.date_input(t("register.field.planned_start"), value=None)
        end = b.date_input(t("register.field.planned_end"), value=None)
        if st.form_submit_button(t("register.milestones.add")):
            try:
                project_register.add_milestone(shared_engine(), viewer, project_id, {
                    "name_zh": name_zh.strip(), "name_en": name_en.strip(), "planned_start": start,
                    "planned_end": end})
            except DataAccessError as error:
                show_data_error(error)
            else:
                _done("register.saved")


def _milestone_form(viewer: Viewer, milestone: pd.Series, milestone_id: int) -> None:
    with st.form(f"register_edit_milestone_{milestone_id}"):
        a, b, c, d = st.columns(4)
        start = a.date_input(t("register.field.planned_start"), value=milestone["planned_start"])
        end = b.date_input(t("register.field.planned_end"), value=milestone["planned_end"])
        actual = c.date_input(t("col.actual_end"), value=None if pd.isna(milestone["actual_end"])
                              else milestone["actual_end"])
        percent = d.number_input(t("col.percent"), value=float(milestone["percent_complete"]), step=5.0)
        if st.form_submit_button(t("register.save")):
            changes = {"planned_start": start, "planned_end": end, "actual_end": actual, "percent_complete": percent}
            try:
                data_access.update_milestone(shared_engine(), viewer, milestone_id, int(milestone["version"]),
                                             changes)
            except DataAccessError as error:
                show_data_error(error)
            else:
                _done("register.saved")


def targets_editor(viewer: Viewer, project: dict[str, Any]) -> None:
    """The project's KPI targets: set one (target, baseline, weight), remove one, or add the category
    template's missing KPIs."""
    project_id = int(project["id"])
    targets = data.project_targets(viewer, project_id)
    indicators = data.indicators(viewer)
    applies = indicators["category_code"].isna() | (indicators["category_code"] == project["category_code"])
    kpis = indicators[(indicators["level"] == 3) & indicators["scored"] & applies]
    names = dict(zip(kpis["code"], kpis["code"] + " " + kpis[name_column()], strict=True))
    shown = targets.assign(kpi=targets["indicator_code"].map(names))[
        ["kpi", "target_value", "baseline_value", "weight_override"]]
    shown.columns = [t("register.kpi"), t("register.target"), t("register.baseline"), t("register.weight")]
    st.dataframe(_dashes(shown), hide_index=True, width="stretch", height=min(35 * (len(shown) + 1) + 3, 320))
    current = targets.set_index("indicator_code")
    code = st.selectbox(t("register.kpi"), list(names), format_func=names.get, key=f"register_target_kpi_{project_id}")
    seen_key = f"register_target_seen_{project_id}_{code}"
    if seen_key not in st.session_state:  # what the form first showed is what a save expects to replace
        stored = current.loc[code] if code in current.index else None
        st.session_state[seen_key] = None if stored is None else {
            field: None if pd.isna(stored[field]) else float(stored[field]) for field in project_register.TARGET_FIELDS}
    opened = st.session_state[seen_key]

    def start(column: str) -> float | None:  # the value the form opened with, if the KPI had a target
        return None if opened is None else opened[column]

    with st.form(f"register_target_{project_id}_{code}"):
        b, c, d = st.columns(3)
        target = b.number_input(t("register.target"), value=start("target_value"))
        baseline = c.number_input(t("register.baseline"), value=start("baseline_value"))
        weight = d.number_input(t("register.weight"), value=start("weight_override"))
        save, remove = st.columns([1, 5])
        saved = save.form_submit_button(t("register.save"), type="primary")
        removed = remove.form_submit_button(t("register.targets.remove"))
    try:
        if saved:
            if target is None:
                st.error(t("register.targets.need_target"))
                return
            project_register.set_project_target(shared_engine(), viewer, project_id, code, target, baseline, weight,
                                                seen=opened)
            st.session_state.pop(seen_key)
            _done("register.saved")
        if removed:
            if code not in current.index:
                st.error(t("register.targets.absent", kpi=plain(names[code])))
                return
            project_register.remove_project_target(shared_engine(), viewer, project_id, code, seen=opened or {})
            st.session_state.pop(seen_key)
            _done("register.saved")
        if st.button(t("register.targets.apply_template"), key=f"register_apply_template_{project_id}"):
            added = project_register.apply_category_template(shared_engine(), viewer, project_id)
            for key in [key for key in st.session_state if str(key).startswith(f"register_target_seen_{project_id}_")]:
                del st.session_state[key]  # the template just gave these KPIs targets: open them as stored
            _done("register.targets.added", count=len(added))
    except VersionConflict as error:  # saved by someone else meanwhile: nothing overwritten; open theirs on request
        show_data_error(error)
        st.button(t("register.targets.reload"), key=f"register_target_reload_{project_id}_{code}",
                  on_click=st.session_state.pop, args=(seen_key, None))
    except DataAccessError as error:
        show_data_error(error)
