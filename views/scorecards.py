"""记分卡 Drill-down scorecards: city → district → project → indicator, the level kept in the URL.

``?region=<district id>`` opens a district, ``?project=<id>`` a project, ``&indicator=<code>`` one KPI's trend.
Every level shows total, rank "of N", grade and the change against the previous month.
"""
import datetime as dt

import pandas as pd
import streamlit as st

import scoring
from components.formatting import month, percent
from components.gantt import milestone_gantt
from components.kpi import change_text, grade_text, rank_text
from components.scorecard_charts import contribution_bars, indicator_trend
from components.tables import download_buttons
from components.text import plain
from scoring.periods import add_months
from services.portfolio import district_league
from webapp import data
from webapp.filters import selected_period
from webapp.i18n import current_language, name_column, t
from webapp.params import id_param
from webapp.photo_upload import photo_gallery
from webapp.rating_breakdown import rating_breakdown
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
lang = current_language()
region_id, project_id, indicator_code = id_param("region"), id_param("project"), st.query_params.get("indicator")
with stop_on_data_error():
    current = data.portfolio(viewer, selected_period())
    period = current.attrs.get("period")
    previous = data.portfolio(viewer, add_months(period, -1)) if period else current.iloc[0:0]
    regions = data.regions(viewer).set_index("id")
if current.empty:
    st.info(t("empty.database"))
    st.stop()
library = data.indicators(viewer).set_index("code")


def crumbs() -> None:
    """Breadcrumbs back up the levels (links keep the state in the URL, so they can be shared)."""
    parts = st.columns([1, 1, 1, 3])
    parts[0].page_link("views/scorecards.py", label=t("scorecards.city"), query_params={})
    if district is not None:
        parts[1].page_link("views/scorecards.py", label=plain(regions.at[district, name_column()]),
                           query_params={"region": str(district)})
    if project_id is not None:
        parts[2].page_link("views/scorecards.py", label=plain(project["code"]),
                           query_params={"project": str(project_id)})


def headline(total: float, grade: str, rank: int | None, n: int, before: float) -> None:
    columns = st.columns(3)
    columns[0].metric(t("overview.score"), grade_text(total, grade, lang),
                      change_text(total, before, lang, unit="points"), delta_color="off", delta_arrow="off")
    columns[1].metric(t("overview.rank"), rank_text(rank, n, lang))
    columns[2].metric(t("scorecards.period"), month(period, lang))


def unscored_reason(coverage: float, category: str, measured: set[str]) -> str:
    """Why the project has no score this month, with the KPIs of its category that have no figure yet."""
    if coverage == 0:
        return t("scorecards.no_figures")
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool)
                   & (library["category_code"].isna() | (library["category_code"] == category))]
    missing = [str(kpis.at[code, name_column()]) for code in kpis.index if code not in measured]
    return t("scorecards.unscored", coverage=percent(coverage * 100), minimum=percent(scoring.MIN_COVERAGE * 100),
             missing="、".join(missing) if lang != "en" else ", ".join(missing))


def mean_contributions(project_ids: pd.Index) -> None:
    """What each indicator added on average over these projects (the means add up to their mean total)."""
    scores = data.period_scores(viewer, period)
    kpis = [c for c in library.index if c in scores.columns]
    scored = scores.reindex(project_ids).dropna(subset=["total"])
    if scored.empty:
        return
    means = scored[kpis].astype(float).fillna(0.0).mean()
    means = means[means != 0]
    total = float(means.sum())
    st.subheader(t("scorecards.contributions"))
    contributions = pd.Series(means.to_numpy(), index=[library.at[c, name_column()] for c in means.index])
    st.plotly_chart(contribution_bars(contributions, total, scoring.grade(pd.Series([total]))[0], lang,
                                      ids=list(means.index)),
                    width="stretch")


district = None
project = None
if project_id is not None:
    with stop_on_data_error():
        project = data.project(viewer, project_id)
    district = int(current.at[project_id, "district_id"]) if project_id in current.index else None
elif region_id is not None:
    if region_id not in regions.index:
        st.error(t("scorecards.no_region"))
        st.stop()
    district = region_id

st.title(t("page.scorecards"))
crumbs()

if project is None and district is None:  # the city (everything in scope)
    league = district_league(current, previous, regions.reset_index(), name_column())
    headline(current["total"].mean(), scoring.grade(pd.Series([current["total"].mean()]))[0], None, len(league),
             previous["total"].mean() if len(previous) else float("nan"))
    table = pd.DataFrame({
        t("col.region"): league["name"],
        t("overview.score"): [grade_text(s, g, lang)
                              for s, g in zip(league["mean_score"], league["grade"], strict=True)],
        t("overview.rank"): [rank_text(r, len(league), lang) for r in league["rank"]],
        t("scorecards.change"): [change_text(s, b, lang, unit="points")
                                 for s, b in zip(league["mean_score"], league["previous_score"], strict=True)],
        t("overview.projects"): league["projects"], t("overview.warnings"): league["warnings"]})
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons(table, "districts", key="city_download", lang=lang)
    mean_contributions(current.index)
    for row in league.itertuples():
        st.page_link("views/scorecards.py", label=f"{plain(row.name)} →", query_params={"region": str(row.id)})
    st.stop()

if project is None:  # a district
    members = current[current["region_path"].str.startswith(regions.at[district, "path"])]
    league = district_league(current, previous, regions.reset_index(), name_column())
    mine = league.set_index("id").loc[district] if district in set(league["id"]) else None
    before = previous[previous["region_path"].str.startswith(regions.at[district, "path"])]["total"].mean() \
        if len(previous) else float("nan")
    st.subheader(plain(regions.at[district, name_column()]))
    headline(members["total"].mean(), scoring.grade(pd.Series([members["total"].mean()]))[0],
             None if mine is None else int(mine["rank"]), len(league), before)
    members = members.sort_values("total", ascending=False)
    members["rank_here"] = scoring.rank(members["total"])
    table = pd.DataFrame({
        t("col.code"): members["code"], t("col.name"): members[name_column()],
        t("overview.score"): [grade_text(s, g, lang) for s, g in zip(members["total"], members["grade"], strict=True)],
        t("overview.rank"): [rank_text(r, len(members), lang) for r in members["rank_here"]],
        t("overview.warnings"): members["open_warnings"]})
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons(table, "district_projects", key="district_download", lang=lang)
    mean_contributions(members.index)
    for row in members.head(30).itertuples():
        st.page_link("views/scorecards.py", label=f"{plain(row.code)} {plain(getattr(row, name_column()))} →",
                     query_params={"project": str(row.Index)})
    st.stop()

# a project
scores = data.period_scores(viewer, period)
st.subheader(f"{plain(project['code'])} · {plain(project[name_column()])}")
for report in data.project_reports(viewer, project_id).query("corrections > 0").itertuples():
    st.warning(t("scorecards.corrected", month=month(report.period, lang), n=report.corrections,
                 reason=plain(report.correction_reason or "—")), icon=":material/flag:")
row = current.loc[project_id] if project_id in current.index else None
scored_count = int(current["total"].notna().sum())
headline(None if row is None else row["total"], None if row is None else row["grade"],
         None if row is None or pd.isna(row["rank"]) else int(row["rank"]), scored_count,
         previous["total"].get(project_id) if len(previous) else None)
if project_id in scores.index and pd.notna(scores.at[project_id, "total"]):
    kpis = [c for c in library.index if c in scores.columns]
    contributions = scores.loc[project_id, kpis].astype(float)
    contributions = contributions[contributions != 0]
    labels = [f"{library.at[c, name_column()]}" for c in contributions.index]
    st.subheader(t("scorecards.contributions"))
    st.plotly_chart(contribution_bars(pd.Series(contributions.to_numpy(), index=labels), float(contributions.sum()),
                                      scores.at[project_id, "grade"], lang, ids=list(contributions.index)),
                    width="stretch")
history = data.observations(viewer, project_id)
if project_id not in scores.index or pd.isna(scores.at[project_id, "total"]):  # not in it: no figures at all
    st.info(unscored_reason(float(scores["coverage"].get(project_id, 0.0)), project["category_code"],
                            set(history.loc[pd.to_datetime(history["period"]).dt.date == period, "indicator_code"])))
targets = data.project_targets(viewer, project_id).set_index("indicator_code")
codes = [c for c in targets.index if c in set(history["indicator_code"])]
chosen = st.selectbox(t("scorecards.indicator"), codes, key="scorecard_indicator",
                      index=codes.index(indicator_code) if indicator_code in codes else 0,
                      format_func=lambda c: f"{library.at[c, name_column()]}（{library.at[c, 'unit_' + lang]}）")
if chosen:
    st.query_params["indicator"] = chosen
    series = history[history["indicator_code"] == chosen][["period", "value"]]
    st.plotly_chart(indicator_trend(series, float(targets.at[chosen, "target_value"]),
                                    library.at[chosen, name_column()], library.at[chosen, "unit_" + lang], lang),
                    width="stretch")
left, right = st.columns(2)
with left:
    rating_breakdown(viewer, project_id, lang)
milestones = data.milestones(viewer, project_id)
if len(milestones):
    right.subheader(t("page.gantt"))
    right.plotly_chart(milestone_gantt(milestones.assign(project=project[name_column()],
                                                         milestone=milestones[name_column()]),
                                       dt.date.today(), lang), width="stretch")
warnings = data.alerts(viewer, project_id=project_id)
if len(warnings):
    st.subheader(t("page.alerts"))
    for alert in warnings.itertuples():
        st.page_link("views/alerts.py", query_params={"alert": str(alert.id)},
                     label=f"{t(f'severity.{alert.severity}')} · "
                           f"{plain(alert.rule_zh if lang == 'zh' else alert.rule_en)} · "
                           f"{t(f'alert_status.{alert.status}')}")
st.subheader(t("photos.section"))
photo_gallery(viewer, project_id=project_id, key="scorecard_photos")
table = history.pivot(index="period", columns="indicator_code", values="value")
download_buttons(table.reset_index(), f"project_{project['code']}", key="project_download", lang=lang)
