"""地图 Map: project sites coloured by status."""
import streamlit as st

from components import data
from components.maps import project_sites
from components.session import current_viewer, show_data_error
from data_access import DataAccessError

viewer = current_viewer()
st.title("地图 Map")
try:
    projects = data.projects(viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()
if projects.empty:
    st.info("暂无项目数据。 / No projects yet.")
    st.stop()
st.pydeck_chart(project_sites(projects), height=640)
