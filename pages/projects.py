"""项目 Projects: the project list, filterable by category and status, downloadable as CSV."""
import streamlit as st

from components import data
from components.session import current_viewer, show_data_error
from data_access import DataAccessError

viewer = current_viewer()
st.title("项目 Projects")
try:
    projects = data.projects(viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()

left, right = st.columns(2)
categories = left.multiselect("类别 Category", sorted(projects["category_zh"].unique()), key="projects_category")
statuses = right.multiselect("状态 Status", sorted(projects["status"].unique()), key="projects_status")
shown = projects
if categories:
    shown = shown[shown["category_zh"].isin(categories)]
if statuses:
    shown = shown[shown["status"].isin(statuses)]
table = shown[["code", "name_zh", "category_zh", "region_zh", "department_zh", "manager_name", "status",
               "planned_start", "planned_end", "budget"]].assign(budget=lambda f: (f["budget"] / 1e4).round(1))
table = table.rename(columns={"budget": "budget_wan"})
st.caption(f"{len(table):,} / {len(projects):,} 个项目 projects")
st.dataframe(table, hide_index=True, width="stretch")
st.download_button("下载 CSV", table.to_csv(index=False).encode("utf-8-sig"), "projects.csv", "text/csv")
