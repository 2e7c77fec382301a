"""热力图 KPI heat maps: district × indicator, project × month (progress against plan), month × indicator.

Colours diverge around the target (below warm, above cool, on target neutral); hover shows the raw value,
the target and the unit. Clicking a cell opens the matching scorecard with the URL holding it:

* district × indicator → ``?region=<district>&indicator=<code>`` (the district's scorecard with that KPI's trend);
* project × month → ``?project=<id>&period=<YYYY-MM>`` (the project's scorecard for that month);
* month × indicator → ``?indicator=<code>&period=<YYYY-MM>``: the top level of the scorecards (the city) for that
  month with that KPI's trend over the city's projects — the month × indicator mean is the city's figure, so the
  city is its detail (with several cities in scope the scorecard's city switcher picks which one).

Heat-map cells cannot take the keyboard focus, so the district and project maps keep a select box that opens the
same scorecards. Each map sits in its own box that scrolls sideways on a narrow screen (never the whole page).
"""
import plotly.graph_objects as go
import streamlit as st

from components.heatmaps import target_heatmap
from services.progress import progress_gap
from webapp import data
from webapp.drill import open_scorecard, picked_customdata
from webapp.filters import chosen_filters
from webapp.i18n import current_language, name_column, t
from webapp.params import parse_period
from webapp.session import current_viewer, stop_on_data_error
from webapp.views import HEATMAP_MONTHS, current_and_previous, district_indicator_heatmap, kpi_labels

MAX_PROJECT_ROWS = 40
viewer = current_viewer()
lang = current_language()
st.title(t("page.heatmaps"))
with stop_on_data_error():
    projects, _, period = current_and_previous(viewer)
if projects.empty or period is None:
    st.info(t("empty.projects"))
    st.stop()
kpis, label = kpi_labels(viewer, lang)
directions = kpis["direction"].replace("band", "higher")  # a band's "more" is judged against its target too
units = kpis[name_column("unit")]
# The maps are built once per month, filters and language (for this viewer and data version) and then shared.
shows = (period, *chosen_filters(), lang)


def inputs() -> dict:
    return data.heatmap_inputs(viewer, period, HEATMAP_MONTHS, tuple(int(i) for i in projects.index))


def progress_map() -> tuple[go.Figure | None, list[int]]:
    """Projects × months of progress against plan, and the projects it shows (none: no figure)."""
    gap = progress_gap(inputs()["progress"], MAX_PROJECT_ROWS)
    if not len(gap):
        return None, []
    return target_heatmap(
        gap, centre=0, row_labels=[f"{projects.at[i, 'code']} {projects.at[i, name_column()]}" for i in gap.index],
        col_labels=[f"{p:%Y-%m}" for p in gap.columns], lang=lang, row_ids=[int(i) for i in gap.index],
        col_ids=[f"{p:%Y-%m}" for p in gap.columns], scale_title=t("heatmaps.progress_gap")), list(gap.index)


def indicator_map() -> go.Figure:
    monthly = inputs()["means"].pivot(index="period", columns="indicator_code", values="value")
    monthly = monthly[[c for c in kpis.index if c in monthly.columns]]
    goal = inputs()["targets"].mean().reindex(monthly.columns)
    return target_heatmap(monthly, goal, directions.reindex(monthly.columns),
                          row_labels=[f"{p:%Y-%m}" for p in monthly.index],
                          col_labels=[label[c] for c in monthly.columns], units=units.reindex(monthly.columns),
                          lang=lang, row_ids=[f"{p:%Y-%m}" for p in monthly.index], col_ids=list(monthly.columns))


def clicked_cell(figure, key: str) -> list | None:
    """Draw the heat map at its own size in a box that scrolls sideways (the chart is given its full width, so its
    square cells stay square on a phone); the customdata of a clicked cell."""
    box = f"st-key-heat_box_{key}"
    st.html(f"<style>.{box} {{overflow-x: auto; overflow-y: hidden;}} "
            f".{box} > * {{min-width: {int(figure.layout.width)}px; flex-shrink: 0;}}</style>")
    with st.container(key=f"heat_box_{key}"):
        event = st.plotly_chart(figure, width="content", key=key, on_select="rerun", selection_mode="points",
                                config={"displayModeBar": False})
    picked = picked_customdata(event)
    return picked[0] if picked else None


district_tab, project_tab, indicator_tab = st.tabs([t("heatmaps.district"), t("heatmaps.project"),
                                                    t("heatmaps.indicator")])
with district_tab:
    figure, names = data.shared_build("heatmaps district", viewer, shows,
                                      lambda: district_indicator_heatmap(viewer, projects, period, lang),
                                      within_scope=True)
    cell = clicked_cell(figure, "heat_district")
    if cell is not None:
        open_scorecard(region=int(cell[0]), indicator=str(cell[1]))
    chosen = st.selectbox(t("heatmaps.open_district"), [None, *names.index], key="heat_district_choice",
                          format_func=lambda i: "—" if i is None else names[i])
    if chosen is not None:
        open_scorecard(region=int(chosen))
with project_tab:
    figure, rows = data.shared_build("heatmaps progress", viewer, shows, progress_map, within_scope=True)
    if figure is not None:
        cell = clicked_cell(figure, "heat_project")
        if cell is not None:
            open_scorecard(project=int(cell[0]), period=parse_period(str(cell[1])))
        st.caption(t("heatmaps.progress_note", n=len(rows)))
        chosen = st.selectbox(t("map.open_project"), [None, *rows], key="heat_project_choice",
                              format_func=lambda i: "—" if i is None else projects.at[i, "code"])
        if chosen is not None:
            open_scorecard(project=int(chosen))
with indicator_tab:  # months down, indicators across, so each column keeps its own direction and target
    cell = clicked_cell(data.shared_build("heatmaps indicator", viewer, shows, indicator_map, within_scope=True),
                        "heat_indicator")
    if cell is not None:
        open_scorecard(indicator=str(cell[1]), period=parse_period(str(cell[0])))
