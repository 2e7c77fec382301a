"""The project register's list, new-project form (with the site picker and the category template) and edit
form (optimistic lock: a conflict shows both versions side by side and overwrites nothing)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

import data_access
from components.formatting import money
from components.site_picker import site_picker
from components.text import plain
from data_access import DataAccessError, VersionConflict, Viewer
from data_access import register as project_register
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.session import shared_engine, show_data_error

WAN = Decimal(10_000)  # CNY per 万元
FIELD_LABELS = {
    "code": "register.field.code", "name_zh": "register.field.name_zh", "name_en": "register.field.name_en",
    "category_id": "register.field.category_id", "region_id": "register.field.region_id",
    "department_id": "register.field.department_id", "manager_id": "register.field.manager_id",
    "budget": "register.field.budget", "planned_start": "register.field.planned_start",
    "planned_end": "register.field.planned_end", "lat": "register.field.lat", "lon": "register.field.lon",
    "description": "register.field.description", "status": "col.status", "actual_start": "register.field.actual_start",
    "actual_end": "col.actual_end",
}
EDITED_FIELDS = ("name_zh", "name_en", "department_id", "manager_id", "budget", "planned_start", "planned_end",
                 "lat", "lon", "description")


# -- cached reads ------------------------------------------------------------------------------------------
@data.cached_read
def register_projects(viewer: Viewer, *, db: data.Database) -> pd.DataFrame:
    """Every project in the viewer's scope, archived ones included (the register is where they stay)."""
    return data_access.list_projects(db.engine, viewer, include_archived=True)


@data.cached_read
def category_template(viewer: Viewer, category_id: int, *, db: data.Database) -> pd.DataFrame:  # noqa: ARG001
    return project_register.category_template(db.engine, category_id)


@data.cached_read
def departments(viewer: Viewer, region_id: int, *, db: data.Database) -> pd.DataFrame:  # noqa: ARG001
    return project_register.departments_for(db.engine, region_id)


@data.cached_read
def managers(viewer: Viewer, region_id: int, *, db: data.Database) -> pd.DataFrame:  # noqa: ARG001
    return project_register.managers_for(db.engine, region_id)


# -- small helpers -----------------------------------------------------------------------------------------
def yuan_from_wan(text: str) -> Decimal | str:
    """万元 as typed → CNY, exactly (Decimal arithmetic); text that is no number goes on unchanged, so the data
    layer names it in its refusal.

    >>> yuan_from_wan("1,234.5678"), yuan_from_wan("abc")
    (Decimal('12345678.0000'), 'abc')
    """
    try:
        return Decimal(text.replace(",", "").replace("，", "").strip()) * WAN
    except InvalidOperation:
        return text


def wan_text(cny: object) -> str:
    """A stored budget (CNY) as 万元 text without losing a fen: 12345678.91 → 1234.567891."""
    return format((Decimal(str(cny)) / WAN).normalize(), "f")


def show_problems(problems: list[tuple[str, str, str]]) -> None:
    """Every problem of a form at once, each with its field, in the user's language."""
    lang = current_language()
    lines = [f"- **{plain(t(FIELD_LABELS[column]) if column in FIELD_LABELS else column)}**: "
             f"{plain(chinese if lang == 'zh' else english)}" for column, chinese, english in problems]
    st.error("\n".join(lines))




def _choice_labels(frame: pd.DataFrame, label_column: str) -> dict[int | None, str]:
    return {None: t("register.none"), **dict(zip(frame["id"].astype(int), frame[label_column], strict=True))}


# -- the list ----------------------------------------------------------------------------------------------
def project_list(viewer: Viewer) -> pd.DataFrame:
    """The viewer's projects with a text filter and the "show archived" toggle; returns the rows shown."""
    lang = current_language()
    projects = register_projects(viewer)
    left, middle, right = st.columns([3, 2, 1])
    query = left.text_input(t("register.search"), key="register_search", placeholder=t("register.search_hint"))
    statuses = middle.multiselect(t("col.status"), ["planned", "active", "suspended", "completed"],
                                  format_func=lambda s: t(f"status.{s}"), key="register_status",
                                  placeholder=t("register.all_statuses"))
    show_archived = right.toggle(t("register.show_archived"), key="register_show_archived")
    shown = projects if show_archived else projects[projects["status"] != "archived"]
    if statuses:
        shown = shown[shown["status"].isin([*statuses, "archived"])]
    if query:
        text = (shown["code"] + " " + shown["name_zh"] + " " + shown["name_en"]).str.lower()
        shown = shown[text.str.contains(query.strip().lower(), regex=False)]
    table = shown.assign(status=shown["status"].map(lambda s: t(f"status.{s}")),
                         budget=shown["budget"].map(lambda v: money(v, lang)))[
        ["code", name_column(), name_column("category"), name_column("region"), "manager_name", "status",
         "planned_start", "planned_end", "budget"]]
    table.columns = [t(key) for key in ("col.code", "col.name", "col.category", "col.region", "col.manager",
                                        "col.status", "col.planned_start", "col.planned_end", "col.budget")]
    st.caption(t("register.count", shown=f"{len(shown):,}", total=f"{len(projects):,}"))
    st.dataframe(table, hide_index=True, width="stretch", height=320)
    return shown


# -- the site picker ---------------------------------------------------------------------------------------
def site_inputs(region: pd.Series, key: str) -> tuple[float, float]:
    """The region's grid; a click on a point makes it the site (``{key}_site``), which the form's coordinate
    inputs then start from (they may also be typed). Returns the site shown."""
    if st.session_state.get(f"{key}_site_region") != region.name:  # a new region: start at its centre
        st.session_state[f"{key}_site_region"] = region.name
        st.session_state[f"{key}_site"] = (round(float(region["lat"]), 6), round(float(region["lon"]), 6))
    site = st.session_state[f"{key}_site"]
    event = st.plotly_chart(
        site_picker(region[name_column()], float(region["lat"]), float(region["lon"]), float(region["radius_km"]),
                    current_language(), chosen=site),
        on_select="rerun", selection_mode="points", key=f"{key}_map", width="stretch")
    points = [point for point in (event.selection.points if event else []) if point.get("curve_number") == 0]
    clicked = (round(float(points[0]["y"]), 6), round(float(points[0]["x"]), 6)) if points else None
    if clicked is not None and clicked != st.session_state.get(f"{key}_clicked"):
        st.session_state[f"{key}_clicked"] = st.session_state[f"{key}_site"] = clicked
        st.rerun()  # the star and the inputs show the new site
    return site


def coordinate_inputs(columns: list[Any], site: tuple[float, float], key: str) -> tuple[float, float]:
    """Latitude and longitude inputs starting from ``site``; a new site (a click) gives new inputs."""
    suffix = f"{site[0]:.6f}_{site[1]:.6f}".replace(".", "_").replace("-", "m")
    lat = columns[0].number_input(t("register.field.lat"), value=site[0], format="%.6f", step=0.001,
                                  key=f"{key}_lat_{suffix}")
    lon = columns[1].number_input(t("register.field.lon"), value=site[1], format="%.6f", step=0.001,
                                  key=f"{key}_lon_{suffix}")
    return lat, lon


# -- the new-project form -------------------------------------------------------------------------------------
def new_project_form(viewer: Viewer) -> None:
    """Category and region first (they decide the choices, the template and the map), then the form."""
    regions = data.regions(viewer).set_index("id")
    categories = data.categories(viewer).set_index("id")
    if regions.empty:
        st.info(t("register.no_regions"))
        return
    depth = regions["path"].str.count("/") - regions["path"].str.count("/").min()  # indent under the parent
    left, right = st.columns(2)
    category_id = left.selectbox(t("register.field.category_id"), list(categories.index), key="register_new_category",
                                 format_func=lambda i: categories.at[i, name_column()])
    region_id = right.selectbox(t("register.field.region_id"), list(regions.index), key="register_new_region",
                                format_func=lambda i: "　" * int(depth[i]) + regions.at[i, name_column()])
    region = regions.loc[region_id]
    template = category_template(viewer, int(category_id))
    left, right = st.columns(2)
    apply_template = left.checkbox(t("register.apply_template", count=len(template)), value=True,
                                   key="register_new_template")
    if apply_template and not template.empty:
        shown = template[["code", name_column(), "weight", "target_value"]]
        shown.columns = [t("col.code"), t("register.kpi"), t("register.weight"), t("register.target")]
        left.dataframe(shown, hide_index=True, width="stretch", height=400)
    with right:
        st.caption(t("register.map_hint"))
        site = site_inputs(region, "register_new")

    department_choices = _choice_labels(departments(viewer, int(region_id)), name_column())
    manager_choices = _choice_labels(managers(viewer, int(region_id)), "display_name")
    with st.form("register_new_project"):
        a, b, c = st.columns(3)
        code = a.text_input(t("register.field.code"), key="register_new_code", placeholder="P410202-00001")
        name_zh = b.text_input(t("register.field.name_zh"), key="register_new_name_zh")
        name_en = c.text_input(t("register.field.name_en"), key="register_new_name_en")
        a, b, c = st.columns(3)
        department_id = a.selectbox(t("register.field.department_id"), list(department_choices),
                                    format_func=department_choices.get, key="register_new_department")
        manager_id = b.selectbox(t("register.field.manager_id"), list(manager_choices),
                                 format_func=manager_choices.get, key="register_new_manager")
        budget = c.text_input(t("register.field.budget"), key="register_new_budget", placeholder="1234.5")
        a, b, c, d = st.columns(4)
        planned_start = a.date_input(t("register.field.planned_start"), value=None, key="register_new_start")
        planned_end = b.date_input(t("register.field.planned_end"), value=None, key="register_new_end")
        lat, lon = coordinate_inputs([c, d], site, "register_new")
        description = st.text_area(t("register.field.description"), key="register_new_description", height=80)
        submitted = st.form_submit_button(t("register.create"), type="primary")
    if not submitted:
        return
    fields: dict[str, Any] = {
        "code": code.strip(), "name_zh": name_zh.strip(), "name_en": name_en.strip(), "category_id": int(category_id),
        "region_id": int(region_id), "department_id": department_id, "manager_id": manager_id,
        "budget": yuan_from_wan(budget) if budget.strip() else None, "planned_start": planned_start,
        "planned_end": planned_end, "lat": lat, "lon": lon, "description": description.strip() or None,
    }
    try:
        project_id = project_register.create_project(shared_engine(), viewer, fields, apply_template=apply_template)
    except project_register.ProjectProblems as error:
        show_problems(error.problems)
    except DataAccessError as error:
        show_data_error(error)
    else:
        st.session_state["register_selected"] = project_id
        st.session_state["register_flash"] = t("register.created", code=fields["code"])
        st.rerun()


# -- the edit form (optimistic lock) ------------------------------------------------------------------------------
def _values_shown(project: dict[str, Any], values: dict[str, Any], viewer: Viewer) -> list[str]:
    """A project's editable values as text, in :data:`EDITED_FIELDS` order, for the side-by-side comparison."""
    people = managers(viewer, int(project["region_id"])).set_index("id")["display_name"]
    units = departments(viewer, int(project["region_id"])).set_index("id")[name_column()]
    names = {project.get("manager_id"): project.get("manager_name"), **people.to_dict()}
    shown = []
    for field in EDITED_FIELDS:
        value = values.get(field)
        if field == "budget" and value is not None:
            value = wan_text(value)
        elif field == "manager_id":
            value = names.get(value, value)
        elif field == "department_id":
            value = units.get(value, value)
        shown.append("—" if value is None or value == "" else str(value))
    return shown


def _conflict_table(project: dict[str, Any], yours: dict[str, Any], viewer: Viewer) -> pd.DataFrame:
    """Field, your value, the saved value, and ≠ where they differ."""
    mine, saved = _values_shown(project, yours, viewer), _values_shown(project, project, viewer)
    return pd.DataFrame({
        t("register.conflict.field"): [t(FIELD_LABELS[field]) for field in EDITED_FIELDS],
        t("register.conflict.yours"): mine,
        t("register.conflict.saved", version=int(project["version"])): saved,
        "≠": ["≠" if a != b else "" for a, b in zip(mine, saved, strict=True)],
    })


def edit_project_form(viewer: Viewer, project: dict[str, Any]) -> None:
    """Edit the project against the version first shown; someone else's save in between → both versions."""
    project_id = int(project["id"])
    opened_key = f"register_opened_{project_id}"
    opened = st.session_state.setdefault(opened_key, {field: project[field] for field in EDITED_FIELDS}
                                         | {"version": int(project["version"])})
    conflict = st.session_state.get(f"register_conflict_{project_id}")
    if conflict is not None:
        st.warning(t("register.conflict"))
        st.dataframe(_conflict_table(project, conflict, viewer), hide_index=True, width="stretch")
        if st.button(t("register.conflict.reload"), key=f"register_reload_{project_id}"):
            del st.session_state[f"register_conflict_{project_id}"], st.session_state[opened_key]
            st.rerun()
        return
    department_choices = _choice_labels(departments(viewer, int(project["region_id"])), name_column())
    manager_choices = _choice_labels(managers(viewer, int(project["region_id"])), "display_name")
    if opened["manager_id"] not in manager_choices:  # today's manager stays choosable even if no longer fitting
        manager_choices[opened["manager_id"]] = str(project.get("manager_name") or opened["manager_id"])
    with st.form(f"register_edit_{project_id}"):
        a, b = st.columns(2)
        name_zh = a.text_input(t("register.field.name_zh"), value=opened["name_zh"])
        name_en = b.text_input(t("register.field.name_en"), value=opened["name_en"])
        a, b, c = st.columns(3)
        department_id = a.selectbox(t("register.field.department_id"), list(department_choices),
                                    index=list(department_choices).index(opened["department_id"])
                                    if opened["department_id"] in department_choices else 0,
                                    format_func=department_choices.get)
        manager_id = b.selectbox(t("register.field.manager_id"), list(manager_choices),
                                 index=list(manager_choices).index(opened["manager_id"]),
                                 format_func=manager_choices.get)
        budget = c.text_input(t("register.field.budget"), value=wan_text(opened["budget"]))
        a, b, c, d = st.columns(4)
        planned_start = a.date_input(t("register.field.planned_start"), value=opened["planned_start"])
        planned_end = b.date_input(t("register.field.planned_end"), value=opened["planned_end"])
        lat = c.number_input(t("register.field.lat"), value=float(opened["lat"]), format="%.6f", step=0.001)
        lon = d.number_input(t("register.field.lon"), value=float(opened["lon"]), format="%.6f", step=0.001)
        description = st.text_area(t("register.field.description"), value=opened["description"] or "", height=80)
        submitted = st.form_submit_button(t("register.save"), type="primary")
    if not submitted:
        return
    typed = {"name_zh": name_zh.strip(), "name_en": name_en.strip(), "department_id": department_id,
             "manager_id": manager_id, "budget": yuan_from_wan(budget), "planned_start": planned_start,
             "planned_end": planned_end, "lat": lat, "lon": lon, "description": description.strip() or None}
    changes = {field: value for field, value in typed.items() if not _same(value, opened[field])}
    if not changes:
        st.info(t("register.unchanged"))
        return
    try:
        data_access.update_project(shared_engine(), viewer, project_id, opened["version"], changes)
    except VersionConflict:
        st.session_state[f"register_conflict_{project_id}"] = {**opened, **changes}
        st.rerun()
    except DataAccessError as error:
        show_data_error(error)
    else:
        del st.session_state[opened_key]
        st.session_state["register_flash"] = t("register.saved")
        st.rerun()


def _same(typed: object, stored: object) -> bool:
    if isinstance(typed, (Decimal, float, int)) and stored is not None and not isinstance(typed, bool):
        try:
            return Decimal(str(typed)) == Decimal(str(stored))
        except InvalidOperation:
            return False
    if isinstance(typed, dt.date) or typed is None:
        return typed == stored
    return typed == stored
