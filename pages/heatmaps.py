"""热力图 KPI heat maps: district × indicator, project × month (progress against plan), indicator × month.

Colours diverge around the target (below warm, above cool, on target neutral); hover shows the raw value,
the target and the unit. Choosing a cell (or clicking it) opens the matching scorecard.
"""
import pandas as pd
import streamlit as st

import data_access
from components.heatmaps import target_heatmap
from components.i18n import language, name_column, t
from data_access import DataAccessError
from webapp import data
from webapp.filters import filter_projects, selected_period
from webapp.session import current_viewer, shared_engine, show_data_error

MONTHS = 12
MAX_PROJECT_ROWS = 60
viewer = current_viewer()
lang = language()
engine = shared_engine()
st.title(t("page.heatmaps"))
try:
    projects = filter_projects(data.portfolio(viewer, selected_period()).reset_index(names="id"), viewer)
    library = data.indicators(viewer)
except DataAccessError as error:
    show_data_error(error)
    st.stop()
if projects.empty:
    st.info(t("empty.projects"))
    st.stop()
kpis = library[(library["level"] == 3) & library["scored"].astype(bool)].set_index("code")
label = {c: f"{kpis.at[c, name_column()]}（{kpis.at[c, 'unit_' + lang]}）" for c in kpis.index}
period = data.portfolio(viewer, selected_period()).attrs.get("period")
since = pd.Timestamp(period) - pd.DateOffset(months=MONTHS - 1)
history = data_access.load_observations(engine, viewer, project_ids=projects["id"].tolist(), since=since.date(),
                                        until=period)
targets = data_access.list_project_targets(engine, viewer).pivot(index="project_id", columns="indicator_code",
                                                                  values="target_value")


def show(figure, key: str) -> list:  # noqa: ANN001 - a plotly Figure
    """Draw the heat map; return the customdata of clicked cells (if the browser sent a selection)."""
    event = st.plotly_chart(figure, width="stretch", key=key, on_select="rerun", selection_mode="points")
    return [point.get("customdata") for point in (event.selection.points if event else []) if point.get("customdata")]


district_tab, project_tab, indicator_tab = st.tabs([t("heatmaps.district"), t("heatmaps.project"),
                                                    t("heatmaps.indicator")])
latest = history[history["period"] == pd.Timestamp(period)]
with district_tab:
    values = latest.merge(projects[["id", "district_id"]], left_on="project_id", right_on="id")
    raw = values.pivot_table(index="district_id", columns="indicator_code", values="value", aggfunc="mean")
    raw = raw[[c for c in kpis.index if c in raw.columns]]
    goal = (targets.reindex(index=projects["id"]).assign(district_id=projects.set_index("id")["district_id"])
            .groupby("district_id").mean().reindex(index=raw.index, columns=raw.columns))
    names = data.regions(viewer).set_index("id")[name_column()]
    picked = show(target_heatmap(raw, goal, kpis["direction"].reindex(raw.columns).replace("band", "higher"),
                                 row_labels=[names.get(i, str(i)) for i in raw.index],
                                 col_labels=[label[c] for c in raw.columns],
                                 units=kpis["unit_" + lang].reindex(raw.columns), lang=lang,
                                 row_ids=[int(i) for i in raw.index], col_ids=list(raw.columns)), "heat_district")
    chosen = picked[0][0] if picked else st.selectbox(t("heatmaps.open_district"), [None, *raw.index],
                                                      format_func=lambda i: "—" if i is None else names.get(i, i),
                                                      key="heat_district_choice")
    if chosen is not None:
        st.page_link("pages/scorecards.py", label=f"{names.get(chosen, chosen)} →", query_params={"region": str(chosen)})
with project_tab:
    progress = history[history["indicator_code"].isin(["PROG_ACTUAL", "PROG_PLAN"])].pivot_table(
        index=["project_id", "period"], columns="indicator_code", values="value")
    if {"PROG_ACTUAL", "PROG_PLAN"} <= set(progress.columns):
        gap = (progress["PROG_ACTUAL"] - progress["PROG_PLAN"]).unstack("period")
        gap = gap.loc[gap.iloc[:, -1].sort_values().index[:MAX_PROJECT_ROWS]]  # furthest behind first
        by_id = projects.set_index("id")
        picked = show(target_heatmap(gap, centre=0, row_labels=[f"{by_id.at[i, 'code']} {by_id.at[i, name_column()]}"
                                                                for i in gap.index],
                                     col_labels=[f"{p:%Y-%m}" for p in gap.columns], lang=lang,
                                     row_ids=[int(i) for i in gap.index], col_ids=[f"{p:%Y-%m}" for p in gap.columns],
                                     scale_title=t("heatmaps.progress_gap")), "heat_project")
        st.caption(t("heatmaps.progress_note", n=len(gap)))
        chosen = picked[0][0] if picked else st.selectbox(t("map.open_project"), [None, *gap.index],
                                                          format_func=lambda i: "—" if i is None else by_id.at[i, "code"],
                                                          key="heat_project_choice")
        if chosen is not None:
            st.page_link("pages/scorecards.py", label=f"{by_id.at[chosen, 'code']} →", query_params={"project": str(chosen)})
with indicator_tab:  # months down, indicators across, so each column keeps its own direction and target
    monthly = history[history["indicator_code"].isin(kpis.index)].pivot_table(
        index="period", columns="indicator_code", values="value", aggfunc="mean")
    monthly = monthly[[c for c in kpis.index if c in monthly.columns]]
    goal = targets.reindex(index=projects["id"]).mean().reindex(monthly.columns)
    show(target_heatmap(monthly, goal, kpis["direction"].reindex(monthly.columns).replace("band", "higher"),
                        row_labels=[f"{p:%Y-%m}" for p in monthly.index], col_labels=[label[c] for c in monthly.columns],
                        units=kpis["unit_" + lang].reindex(monthly.columns), lang=lang,
                        row_ids=[f"{p:%Y-%m}" for p in monthly.index], col_ids=list(monthly.columns)), "heat_indicator")
