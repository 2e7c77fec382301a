"""总览 Overview: portfolio counts, projects by district and status."""
import streamlit as st

from components import data
from components.charts import projects_by_region
from components.session import current_viewer, show_data_error
from data_access import DataAccessError

viewer = current_viewer()
st.title("总览 Overview")
try:
    projects = data.projects(viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()
if projects.empty:
    st.info("暂无项目数据。请先导入或运行 `python -m data_access.demo`。 / No projects yet.")
    st.stop()

counts = projects["status"].value_counts()
columns = st.columns(4)
columns[0].metric("项目总数 Projects", f"{len(projects):,}")
columns[1].metric("在建 Active", f"{counts.get('active', 0):,}")
columns[2].metric("已完工 Completed", f"{counts.get('completed', 0):,}")
columns[3].metric("总投资 Budget", f"{projects['budget'].sum() / 1e8:,.2f} 亿元")
st.plotly_chart(projects_by_region(projects), width="stretch")
