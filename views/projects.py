"""项目 Projects: the list under the global filters, downloads, and one project's details (``?project=id``)."""
import pandas as pd
import streamlit as st

from components.formatting import date, money
from components.tables import download_buttons
from components.text import plain
from data_access.policy import Action, allowed
from webapp import data
from webapp.filters import filter_projects
from webapp.i18n import current_language, name_column, t
from webapp.paging import one_page
from webapp.params import id_param
from webapp.session import current_viewer, stop_on_data_error

PAGE_ROWS = 200

viewer = current_viewer()
lang = current_language()
st.title(t("page.projects"))
with stop_on_data_error():
    everything = data.projects(viewer)
if everything.empty:
    st.info(t("empty.database"))
    st.stop()
projects = filter_projects(everything, viewer)
statuses = st.multiselect(t("projects.status"), ["planned", "active", "suspended", "completed"],
                          format_func=lambda s: t(f"status.{s}"), key="projects_status",
                          placeholder=t("common.choose_many"))
if statuses:
    projects = projects[projects["status"].isin(statuses)]



def listed(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as the table shows them (translated status, formatted budget, column titles)."""
    table = rows.assign(
        status=rows["status"].map(lambda s: t(f"status.{s}")),
        budget=rows["budget"].map(lambda v: money(v, lang)),
    )[["code", name_column(), name_column("category"), name_column("region"), name_column("department"),
       "manager_name", "status", "planned_start", "planned_end", "budget"]]
    table.columns = [t(key) for key in ("col.code", "col.name", "col.category", "col.region", "col.department",
                                        "col.manager", "col.status", "col.planned_start", "col.planned_end",
                                        "col.budget")]
    return table


st.caption(t("projects.count", shown=f"{len(projects):,}", total=f"{len(everything):,}"))
# A province holds tens of thousands of projects: the browser gets one page of them, the downloads all of them
# (built only when a button is pressed).
page = one_page(projects, PAGE_ROWS, "projects_page", "projects.page_rows")
st.dataframe(listed(page), hide_index=True, width="stretch")
download_buttons(listed(projects), "projects", key="projects_download", lang=lang)

st.subheader(t("projects.detail"))
names = dict(zip(page["id"], page["code"] + " " + page[name_column()], strict=True))
chosen = st.selectbox(t("projects.choose"), [None, *names], format_func=lambda i: t("projects.none") if i is None
                      else names[i], key="projects_detail_choice")
project_id = chosen if chosen is not None else id_param("project")
if chosen is not None:
    st.query_params["project"] = str(chosen)
if project_id is not None:
    with stop_on_data_error():
        project = data.project(viewer, project_id)
        milestones = data.milestones(viewer, project_id)
    st.markdown(f"**{plain(project['code'])} · {plain(project[name_column()])}**")
    left, middle, right = st.columns(3)
    left.metric(t("col.budget"), money(float(project["budget"]), lang))
    middle.metric(t("col.status"), t(f"status.{project['status']}"))
    right.metric(t("col.planned_end"), date(project["planned_end"], lang))
    st.dataframe(milestones[["seq", name_column(), "planned_end", "actual_end", "percent_complete"]].rename(
        columns={"seq": "#", name_column(): t("col.milestone"), "planned_end": t("col.planned_end"),
                 "actual_end": t("col.actual_end"), "percent_complete": t("col.percent")}), hide_index=True,
        width="stretch")

    if allowed(viewer, Action.REPORT_PROGRESS) and project["status"] in {"active", "suspended"}:
        st.page_link("views/report.py", label=t("projects.report_link"), icon=":material/edit_calendar:",
                     query_params={"project": str(project_id)}, width="stretch")
