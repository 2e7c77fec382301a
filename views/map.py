"""地图 Map of one city: district boundaries coloured by mean score, warnings or predicted risk, project sites on
top; a click opens the district's or the project's scorecard. Risk is offered only with a usable model; otherwise
the page says why."""
import streamlit as st

from webapp import data
from webapp.drill import scorecard_params
from webapp.filters import chosen_city, chosen_filters, filter_projects, in_city, selected_period
from webapp.i18n import name_column, t
from webapp.session import current_viewer, stop_on_data_error
from webapp.site_map_view import draw_city_map, risk_available

viewer = current_viewer()
st.title(t("page.map"))
with stop_on_data_error():
    projects = filter_projects(data.portfolio(viewer, selected_period()), viewer)
    city = chosen_city(viewer, "map_city")
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()

with stop_on_data_error():
    no_risk = risk_available(viewer)
colourings = ["grade", "warning"] if no_risk else ["grade", "warning", "risk"]
colour_by = st.segmented_control(t("map.colour_by"), colourings, default="grade", key="map_colour",
                                 format_func=lambda c: t(f"map.by_{c}")) or "grade"
if no_risk:
    st.caption(t("map.risk_unavailable", why=no_risk))
with stop_on_data_error():
    draw_city_map(viewer, projects, chosen_filters(), city=city, colour_by=colour_by, key="site_map")

# Without a pointer (keyboard, screen reader): the same drill-down from a list.
shown = in_city(projects, viewer, city)
labels = dict(zip(shown.index, shown["code"] + " " + shown[name_column()], strict=True))
chosen = st.selectbox(t("map.open_project"), [None, *labels], key="map_project",
                      format_func=lambda i: "—" if i is None else labels[i])
if chosen is not None:
    st.page_link("views/scorecards.py", label=t("map.scorecard"), query_params=scorecard_params(project=int(chosen)))
st.caption(t("map.offline_note"))
