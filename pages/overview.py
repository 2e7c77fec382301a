"""总览 Overview: portfolio counts and projects by region and status (the full overview comes with the views)."""
import streamlit as st

from webapp import data
from components.charts import projects_by_region
from webapp.filters import filter_projects
from components.formatting import money
from components.i18n import language, name_column, t
from webapp.session import current_viewer, show_data_error
from data_access import DataAccessError

viewer = current_viewer()
st.title(t("page.overview"))
try:
    everything = data.projects(viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()
if everything.empty:
    st.info(t("empty.database"))
    st.stop()
projects = filter_projects(everything, viewer)
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()

counts = projects["status"].value_counts()
columns = st.columns(4)
columns[0].metric(t("overview.projects"), f"{len(projects):,}")
columns[1].metric(t("overview.active"), f"{counts.get('active', 0):,}")
columns[2].metric(t("overview.completed"), f"{counts.get('completed', 0):,}")
columns[3].metric(t("overview.budget"), money(projects["budget"].sum(), language()))
st.subheader(t("overview.by_region"))
labels = {status: t(f"status.{status}") for status in ("planned", "active", "suspended", "completed")}
st.plotly_chart(projects_by_region(projects, region_label=name_column("region"), status_labels=labels,
                                   axis_title=t("overview.projects")), width="stretch")
