"""地图 Map: project sites coloured by status (the full map comes with the views)."""
import streamlit as st

from webapp import data
from webapp.filters import filter_projects
from components.i18n import language, t
from components.maps import project_sites
from webapp.session import current_viewer, show_data_error
from data_access import DataAccessError

viewer = current_viewer()
st.title(t("page.map"))
try:
    projects = filter_projects(data.projects(viewer), viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()
st.pydeck_chart(project_sites(projects, language()), height=640)
