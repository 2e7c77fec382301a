"""甘特图 Gantt: milestones planned against actual, a today line, overdue in red — one project, or a portfolio a few
projects per page, grouped by district or department; a bar opens its project's scorecard."""
import plotly.graph_objects as go
import streamlit as st

from components.alert_tables import china_today
from components.gantt import milestone_gantt
from webapp import data
from webapp.drill import open_scorecard, picked_customdata
from webapp.filters import chosen_filters, filter_projects, selected_period
from webapp.i18n import current_language, name_column, t
from webapp.paging import one_page
from webapp.session import current_viewer, stop_on_data_error

PROJECTS_PER_PAGE = 8  # about 40 milestone rows: a chart of about one and a half screens
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
group = {"district": name_column("region"), "department": name_column("department")}.get(scope or "")
if scope == "project":
    labels = dict(zip(projects["id"], projects["code"] + " " + projects[name_column()], strict=True))
    chosen = st.selectbox(t("map.open_project"), list(labels), format_func=labels.get, key="gantt_project",
                          placeholder=t("common.choose"))
    shown = [chosen]
else:
    live = projects[projects["status"].isin(["active", "suspended"])]
    live = live.sort_values([group, "planned_end"] if group else ["planned_end"], kind="stable")
    shown = one_page(live, PROJECTS_PER_PAGE, f"gantt_page_{scope}", "gantt.shown")["id"].tolist()
today = china_today()


def chart() -> go.Figure:
    rows = milestones[milestones["project_id"].isin(shown)].copy()
    rows["project"] = rows["project_id"].map(by_id["code"] + " " + by_id[name_column()])
    rows["milestone"] = rows[name_column()]
    if group:
        rows["group"] = rows["project_id"].map(by_id[group])
        rows["_order"] = rows["project_id"].map({project: order for order, project in enumerate(shown)})
        rows = rows.sort_values(["_order", "seq"]).drop(columns="_order")
    return milestone_gantt(rows, today, lang, group_column="group" if group else None)


shows = (*chosen_filters(), scope, tuple(None if i is None else int(i) for i in shown), today, lang)
event = st.plotly_chart(data.shared_build("gantt", viewer, shows, chart, within_scope=True), width="stretch",
                        key="gantt_chart", on_select="rerun", selection_mode="points", config={"displayModeBar": False})
picked = picked_customdata(event)
if picked and picked[0][1] is not None:  # customdata: [milestone id, project id, …]
    open_scorecard(project=int(picked[0][1]))
