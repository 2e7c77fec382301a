"""地图 Map of project sites: points coloured by grade or warning level, district columns, drill-down."""
import os

import streamlit as st

from components.site_maps import district_columns, project_points, site_map
from services.portfolio import by_district
from webapp import data
from webapp.filters import filter_projects, selected_period
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.map"))
with stop_on_data_error():
    projects = filter_projects(data.portfolio(viewer, selected_period()).reset_index(names="id"), viewer)
    regions = data.regions(viewer)
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()

left, middle, right = st.columns(3)
colour_by = left.segmented_control(t("map.colour_by"), ["grade", "warning"], default="grade", key="map_colour",
                                   format_func=lambda c: t(f"map.by_{c}")) or "grade"
show_districts = middle.toggle(t("map.districts"), value=True, key="map_districts")
height_by = right.segmented_control(t("map.height_by"), ["projects", "budget"], default="projects",
                                    key="map_height", format_func=lambda h: t(f"map.height_{h}")) or "projects"

points = projects.assign(name=projects[name_column()], region=projects[name_column("region")],
                         category=projects[name_column("category")], score=projects["total"])
layers = [project_points(points, colour_by, lang)]
if show_districts:
    layers.insert(0, district_columns(by_district(projects.set_index("id"), regions, name_column()), height_by, lang))
map_column, list_column = st.columns([3, 1])
map_column.pydeck_chart(site_map(layers, os.environ.get("PERFDASH_TILE_URL") or None), height=640, key="site_map")
with list_column:
    labels = dict(zip(projects["id"], projects["code"] + " " + projects[name_column()], strict=True))
    chosen = st.selectbox(t("map.open_project"), [None, *labels], key="map_project",
                          format_func=lambda i: "—" if i is None else labels[i])
    if chosen is not None:
        st.page_link("views/scorecards.py", label=t("map.scorecard"), query_params={"project": str(chosen)})
    st.caption(t("map.offline_note"))
