"""热力图 KPI heat maps: district × indicator, project × month (progress against plan), month × indicator.

Colours diverge around the target (below warm, above cool, on target neutral); hover shows the raw value,
the target and the unit. Choosing a cell (or clicking it) opens the matching scorecard.
"""
import streamlit as st

from components.heatmaps import target_heatmap
from components.text import plain
from services.progress import progress_gap
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, stop_on_data_error
from webapp.views import HEATMAP_MONTHS, current_and_previous, district_indicator_heatmap, kpi_labels

MAX_PROJECT_ROWS = 60
viewer = current_viewer()
lang = current_language()
st.title(t("page.heatmaps"))
with stop_on_data_error():
    projects, _, period = current_and_previous(viewer)
if projects.empty or period is None:
    st.info(t("empty.projects"))
    st.stop()
inputs = data.heatmap_inputs(viewer, period, HEATMAP_MONTHS, tuple(int(i) for i in projects.index))
kpis, label = kpi_labels(viewer, lang)
directions = kpis["direction"].replace("band", "higher")  # a band's "more" is judged against its target too
units = kpis["unit_" + lang]
targets = inputs["targets"]


def show(figure, key: str) -> list:
    """Draw the heat map; return the customdata of clicked cells (if the browser sent a selection)."""
    event = st.plotly_chart(figure, width="stretch", key=key, on_select="rerun", selection_mode="points")
    return [point.get("customdata") for point in (event.selection.points if event else []) if point.get("customdata")]


district_tab, project_tab, indicator_tab = st.tabs([t("heatmaps.district"), t("heatmaps.project"),
                                                    t("heatmaps.indicator")])
with district_tab:
    figure, names = district_indicator_heatmap(viewer, projects, period, lang)
    picked = show(figure, "heat_district")
    chosen = picked[0][0] if picked else st.selectbox(t("heatmaps.open_district"), [None, *names.index],
                                                      format_func=lambda i: "—" if i is None else names[i],
                                                      key="heat_district_choice")
    if chosen is not None:
        st.page_link("views/scorecards.py", label=f"{plain(names.get(chosen, chosen))} →",
                     query_params={"region": str(chosen)})
with project_tab:
    gap = progress_gap(inputs["progress"], MAX_PROJECT_ROWS)
    if len(gap):
        picked = show(target_heatmap(gap, centre=0, row_labels=[f"{projects.at[i, 'code']} "
                                                                f"{projects.at[i, name_column()]}" for i in gap.index],
                                     col_labels=[f"{p:%Y-%m}" for p in gap.columns], lang=lang,
                                     row_ids=[int(i) for i in gap.index], col_ids=[f"{p:%Y-%m}" for p in gap.columns],
                                     scale_title=t("heatmaps.progress_gap")), "heat_project")
        st.caption(t("heatmaps.progress_note", n=len(gap)))
        chosen = picked[0][0] if picked else st.selectbox(
            t("map.open_project"), [None, *gap.index], key="heat_project_choice",
            format_func=lambda i: "—" if i is None else projects.at[i, "code"])
        if chosen is not None:
            st.page_link("views/scorecards.py", label=f"{plain(projects.at[chosen, 'code'])} →",
                         query_params={"project": str(chosen)})
with indicator_tab:  # months down, indicators across, so each column keeps its own direction and target
    monthly = inputs["means"].pivot(index="period", columns="indicator_code", values="value")
    monthly = monthly[[c for c in kpis.index if c in monthly.columns]]
    goal = targets.mean().reindex(monthly.columns)
    show(target_heatmap(monthly, goal, directions.reindex(monthly.columns),
                        row_labels=[f"{p:%Y-%m}" for p in monthly.index],
                        col_labels=[label[c] for c in monthly.columns],
                        units=units.reindex(monthly.columns), lang=lang,
                        row_ids=[f"{p:%Y-%m}" for p in monthly.index], col_ids=list(monthly.columns)), "heat_indicator")
