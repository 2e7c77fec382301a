"""甘特图 Gantt: milestones planned against actual, a today line, overdue in red — one project or a portfolio."""
import datetime as dt

import streamlit as st

from components.gantt import milestone_gantt
from webapp import data
from webapp.filters import filter_projects, selected_period
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, stop_on_data_error

MAX_PROJECTS = 40
viewer = current_viewer()
lang = current_language()
st.title(t("page.gantt"))
with stop_on_data_error():
    projects = filter_projects(data.portfolio(viewer, selected_period()).reset_index(names="id"), viewer)
    milestones = data.milestones(viewer)
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()
scope = st.segmented_control(t("gantt.scope"), ["project", "district", "department"], default="district",
                             key="gantt_scope", format_func=lambda s: t({"project": "gantt.one_project",
                                                                        "district": "gantt.portfolio",
                                                                        "department": "gantt.by_department"}[s]))
by_id = projects.set_index("id")
if scope == "project":
    labels = dict(zip(projects["id"], projects["code"] + " " + projects[name_column()], strict=True))
    chosen = st.selectbox(t("map.open_project"), list(labels), format_func=labels.get, key="gantt_project")
    shown = [chosen]
else:
    live = projects[projects["status"].isin(["active", "suspended"])].sort_values("planned_end")
    shown = live["id"].head(MAX_PROJECTS).tolist()
    st.caption(t("gantt.limit", n=MAX_PROJECTS))
rows = milestones[milestones["project_id"].isin(shown)].copy()
rows["project"] = rows["project_id"].map(by_id["code"] + " " + by_id[name_column()])
rows["milestone"] = rows[name_column()]
group = {"district": name_column("region"), "department": name_column("department")}.get(scope or "")
if group:
    rows["group"] = rows["project_id"].map(by_id[group])
    rows = rows.sort_values(["group", "project_id", "seq"])
st.plotly_chart(milestone_gantt(rows, dt.date.today(), lang, group_column="group" if group else None),
                width="stretch", key="gantt_chart")
