"""记分卡 Drill-down scorecards: city → district → project → indicator, the level kept in the URL.

``?city=<id>`` chooses the city of the top level (one city at a time), ``?region=<district id>`` opens a district,
``?project=<id>`` a project, ``&indicator=<code>`` one KPI's trend at any level, ``&period=2026-10`` the month (a
link's month holds until the sidebar's month is changed here). Every level shows total, rank "of N", grade and the
change against the previous month. Every way down or up (breadcrumbs, a district or project row, a contribution
bar, the indicator choice) goes through the URL, so the address bar can always be sent in a chat.
"""
import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import scoring
from components.formatting import month, percent
from components.gantt import milestone_gantt
from components.i18n import stored_text
from components.kpi import change_text, grade_text, rank_text
from components.scorecard_charts import contribution_bars, indicator_trend
from components.tables import download_buttons
from components.text import plain
from data_access import DataAccessError
from scoring.periods import add_months
from services.portfolio import district_league
from webapp import data
from webapp.drill import open_scorecard, picked_customdata, scorecard_params
from webapp.filters import chosen_city, in_city, selected_period
from webapp.i18n import current_language, name_column, t
from webapp.note_panel import notes_in_brief
from webapp.params import id_param, period_param
from webapp.photo_upload import photo_gallery
from webapp.rating_breakdown import rating_breakdown
from webapp.risk_panels import project_risk
from webapp.session import current_viewer, show_data_error, stop_on_data_error
from webapp.views import HEATMAP_MONTHS

INDICATOR_KEY, INDICATOR_LINKED = "scorecard_indicator", "scorecard_indicator_linked"
SIDEBAR_PERIOD_SEEN = "scorecard_sidebar_period"
viewer = current_viewer()
lang = current_language()
region_id, project_id = id_param("region"), id_param("project")
indicator_code = st.query_params.get("indicator") or None


def shown_period() -> dt.date | None:
    """The month shown: a link's ``?period=`` until the sidebar's month is changed on this page, then the sidebar's
    (the sidebar is drawn before the page, so the link cannot move it)."""
    linked, chosen = period_param("period"), selected_period()
    sidebar_moved = st.session_state.get(SIDEBAR_PERIOD_SEEN, chosen) != chosen
    st.session_state[SIDEBAR_PERIOD_SEEN] = chosen
    return chosen if sidebar_moved or linked is None else linked


def back_to_top() -> None:
    """After a refusal: the way back to the scorecards' top level; the page stops here."""
    if st.button(t("scorecards.back_to_top"), key="scorecard_back_to_top", icon=":material/arrow_upward:"):
        open_scorecard()
    st.stop()


with stop_on_data_error():
    current = data.portfolio(viewer, shown_period())
    period = current.attrs.get("period")
    previous = data.portfolio(viewer, add_months(period, -1)) if period else current.iloc[0:0]
    regions = data.regions(viewer).set_index("id")
if current.empty:
    st.info(t("empty.database"))
    st.stop()
library = data.indicators(viewer).set_index("code")
kpi_codes = [c for c in library.index if library.at[c, "level"] == 3 and bool(library.at[c, "scored"])]
st.title(t("page.scorecards"))
if indicator_code is not None and indicator_code not in library.index:  # a typed or stale link: say so
    st.error(t("scorecards.no_indicator", code=plain(indicator_code[:40])))
    if st.button(t("scorecards.drop_indicator"), key="scorecard_drop_indicator"):
        del st.query_params["indicator"]
        st.rerun()
    st.stop()


def indicator_label(code: str) -> str:
    return f"{library.at[code, name_column()]}（{library.at[code, name_column('unit')]}）"


def city_of(region: int) -> int | None:
    """The city (in scope) whose subtree holds ``region``."""
    cities = regions[regions["level"] == "city"]
    return next((int(c) for c in cities.index if str(regions.at[region, "path"]).startswith(cities.at[c, "path"])),
                None)


def crumbs(levels: list[tuple[str, dict]]) -> None:
    """Breadcrumbs back up the levels (links, so they open in a new tab too); the page opened writes its own level
    into the URL (see below), since a link's parameters reach only the first run of the page it opens."""
    if len(levels) < 2:  # at the top: nothing to go back to
        return
    with st.container(horizontal=True, key="scorecard_crumbs"):
        for label, target in levels[:-1]:
            st.page_link("views/scorecards.py", label=plain(label), query_params=scorecard_params(**target),
                         icon=":material/chevron_right:", icon_position="right")
        st.caption(plain(levels[-1][0]))


def headline(total: float, grade: str, rank: int | None, n: int, before: float) -> None:
    columns = st.columns(3)
    columns[0].metric(t("overview.score"), grade_text(total, grade, lang),
                      change_text(total, before, lang, unit="points"), delta_color="off", delta_arrow="off")
    columns[1].metric(t("overview.rank"), rank_text(rank, n, lang))
    columns[2].metric(t("scorecards.period"), month(period, lang))
    if selected_period() is not None and period != selected_period():  # a link's month, not the sidebar's
        columns[2].caption(t("scorecards.linked_month", sidebar=month(selected_period(), lang)))


def unscored_reason(coverage: float, category: str, measured: set[str]) -> str:
    """Why the project has no score this month, with the KPIs of its category that have no figure yet."""
    if coverage == 0:
        return t("scorecards.no_figures")
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool)
                   & (library["category_code"].isna() | (library["category_code"] == category))]
    missing = [str(kpis.at[code, name_column()]) for code in kpis.index if code not in measured]
    return t("scorecards.unscored", coverage=percent(coverage * 100, lang),
             minimum=percent(scoring.MIN_COVERAGE * 100, lang),
             missing=stored_text(lang, "、", ", ").join(missing))


def choose_indicator(codes: list[str], *, optional: bool) -> str | None:
    """The indicator whose trend is shown, kept in ``?indicator=``; a bar clicked in the contributions chooses it
    too (see :func:`pick_from_bars`). A code from the link that this level has no figures for is said, not
    silently replaced."""
    if indicator_code is not None and indicator_code not in codes:
        st.warning(t("scorecards.indicator_not_here", name=plain(library.at[indicator_code, name_column()])))
    options = [None, *codes] if optional else codes
    if indicator_code != st.session_state.get(INDICATOR_LINKED) or st.session_state.get(INDICATOR_KEY) not in options:
        # arriving from a link (or another level): the link's indicator, not the one chosen before elsewhere
        st.session_state[INDICATOR_KEY] = indicator_code if indicator_code in codes else options[0] if options else None
    chosen = st.selectbox(t("scorecards.indicator"), options, key=INDICATOR_KEY,
                          format_func=lambda c: "—" if c is None else indicator_label(c))
    st.session_state[INDICATOR_LINKED] = chosen
    if chosen is None:
        st.query_params.pop("indicator", None)
    else:
        st.query_params["indicator"] = chosen
    return chosen


def pick_from_bars() -> None:
    """A click on a contribution bar chooses its indicator (the bar's customdata[0] is the KPI code)."""
    picked = [row[0] for row in picked_customdata(st.session_state.get("contribution_bars")) if row[0]]
    if picked and picked[0] in library.index:
        st.session_state[INDICATOR_KEY] = picked[0]


def contributions_chart(contributions: pd.Series, grade: str, shows: tuple) -> None:
    """What each indicator added (codes → points, adding up to the total); a bar opens its indicator's trend.
    ``shows`` names the level and month the contributions are of (the chart is built once for them)."""
    def build() -> go.Figure:
        added = contributions[contributions != 0]
        return contribution_bars(pd.Series(added.to_numpy(), index=[library.at[c, name_column()] for c in added.index]),
                                 float(added.sum()), grade, lang, ids=list(added.index))

    st.subheader(t("scorecards.contributions"))
    st.plotly_chart(data.shared_build("scorecards contributions", viewer, (*shows, period, lang), build),
                    width="stretch", key="contribution_bars", on_select=pick_from_bars, selection_mode="points")


def mean_contributions(project_ids: pd.Index, shows: tuple) -> None:
    """What each indicator added on average over these projects (the means add up to their mean total)."""
    scores = data.period_scores(viewer, period)
    scored = scores.reindex(project_ids).dropna(subset=["total"])
    if scored.empty:
        return
    means = scored[[c for c in library.index if c in scores.columns]].astype(float).fillna(0.0).mean()
    total = float(means.sum())
    contributions_chart(means, scoring.grade(pd.Series([total]))[0], shows)


def scope_trend(code: str, project_ids: pd.Index) -> None:
    """One KPI's monthly mean over these projects against their mean target (the city's or district's trend)."""
    inputs = data.heatmap_inputs(viewer, period, HEATMAP_MONTHS, tuple(int(i) for i in project_ids))
    series = inputs["means"][inputs["means"]["indicator_code"] == code][["period", "value"]]
    if series.empty:
        st.info(t("scorecards.indicator_not_here", name=plain(library.at[code, name_column()])))
        return
    goal = inputs["targets"][code].mean() if code in inputs["targets"].columns else None
    st.plotly_chart(indicator_trend(series, None if pd.isna(goal) else float(goal), library.at[code, name_column()],
                                    library.at[code, name_column("unit")], lang), width="stretch")


def clicked_row(table: pd.DataFrame, ids: pd.Index, key: str) -> int | None:
    """Show ``table`` with single-row selection; the id of a chosen row (its level is then opened)."""
    event = st.dataframe(table, hide_index=True, width="stretch", key=key, on_select="rerun",
                         selection_mode="single-row")
    rows = event.selection.rows if event else []
    return int(ids[rows[0]]) if rows else None


def scope_level(members: pd.DataFrame, codes: list[str], shows: tuple) -> None:
    """The parts a city and a district share: contributions, then the chosen KPI's trend over their projects
    (``shows``: which city or district they are)."""
    mean_contributions(members.index, shows)
    code = choose_indicator(codes, optional=True)
    if code is not None:
        scope_trend(code, members.index)


district = None
project = None
city = None
if project_id is not None:
    try:
        project = data.project(viewer, project_id)
    except DataAccessError as error:  # unknown, or another district's
        show_data_error(error)
        back_to_top()
    district = int(current.at[project_id, "district_id"]) if project_id in current.index else None
elif region_id is not None:
    if region_id not in regions.index:
        st.error(t("scorecards.no_region"))
        back_to_top()
    if regions.at[region_id, "level"] == "city":
        city = region_id
    else:
        district = region_id
else:
    city = chosen_city(viewer, "scorecard_city")
    if city is None and viewer.region_id in regions.index:  # an official: their district is the whole view
        district = int(viewer.region_id)
top_city = city if city is not None else (city_of(district) if district is not None else None)


def trail() -> list[tuple[str, dict]]:
    """The levels from the top down to where the user is."""
    levels: list[tuple[str, dict]] = []
    if top_city is not None:
        levels.append((regions.at[top_city, name_column()], {"city": top_city}))
    elif district is None or viewer.region_id not in regions.index:
        levels.append((t("scorecards.city"), {}))
    if district is not None:
        levels.append((regions.at[district, name_column()], {"region": district}))
    if project is not None:
        levels.append((project["code"], {"project": project_id}))
    return levels


crumbs(trail())
st.query_params.from_dict(scorecard_params(  # the URL holds the level, however the page was reached
    project=project_id if project is not None else None, region=district if region_id is not None else None,
    city=city if project is None and district is None else None, indicator=indicator_code, period=period))

if project is None and district is None:  # a city, or everything in scope when the regions have no city
    here, before = in_city(current, viewer, city), in_city(previous, viewer, city)
    league = data.shared_build("scorecards league", viewer, (city, period, lang), lambda: district_league(
        here, before, regions.reset_index(), name_column())).copy(deep=False)
    cities = regions[regions["level"] == "city"]
    city_means = pd.Series({c: in_city(current, viewer, int(c))["total"].mean() for c in cities.index}, dtype=float)
    city_rank = None if city is None or pd.isna(city_means.get(city)) else int(scoring.rank(city_means)[city])
    st.subheader(plain(regions.at[city, name_column()]) if city is not None else t("scorecards.city"))
    headline(here["total"].mean(), scoring.grade(pd.Series([here["total"].mean()]))[0], city_rank,
             max(len(cities), 1), before["total"].mean() if len(before) else float("nan"))
    st.caption(t("scorecards.open_row"))
    table = pd.DataFrame({
        t("col.region"): league["name"],
        t("overview.score"): [grade_text(s, g, lang)
                              for s, g in zip(league["mean_score"], league["grade"], strict=True)],
        t("overview.rank"): [rank_text(r, len(league), lang) for r in league["rank"]],
        t("scorecards.change"): [change_text(s, b, lang, unit="points")
                                 for s, b in zip(league["mean_score"], league["previous_score"], strict=True)],
        t("overview.projects"): league["projects"], t("overview.warnings"): league["warnings"]})
    chosen_district = clicked_row(table, pd.Index(league["id"]), "city_districts")
    if chosen_district is not None:
        open_scorecard(region=chosen_district, period=period)
    download_buttons(table, "districts", key="city_download", lang=lang)
    scope_level(here, [c for c in kpi_codes if c in set(data.period_scores(viewer, period).columns)], ("city", city))
    st.stop()

if project is None:  # a district
    path = regions.at[district, "path"]
    members = current[current["region_path"].str.startswith(path)]
    peers = in_city(current, viewer, top_city)
    league = data.shared_build("scorecards league", viewer, (top_city, period, lang), lambda: district_league(
        peers, in_city(previous, viewer, top_city), regions.reset_index(), name_column())).copy(deep=False)
    mine = league.set_index("id").loc[district] if district in set(league["id"]) else None
    rank, ranked = None if mine is None else int(mine["rank"]), len(league)
    standing = data.peer_standing(viewer, period)  # an official: their district among the city's, not 1 of 1
    if standing is not None and standing.district_id == district:
        rank, ranked = standing.rank, standing.of
    before = previous[previous["region_path"].str.startswith(path)]["total"].mean() if len(previous) else float("nan")
    st.subheader(plain(regions.at[district, name_column()]))
    headline(members["total"].mean(), scoring.grade(pd.Series([members["total"].mean()]))[0], rank, ranked, before)
    members = members.sort_values("total", ascending=False)
    members["rank_here"] = scoring.rank(members["total"])
    st.caption(t("scorecards.open_row"))
    table = pd.DataFrame({
        t("col.code"): members["code"], t("col.name"): members[name_column()],
        t("overview.score"): [grade_text(s, g, lang) for s, g in zip(members["total"], members["grade"], strict=True)],
        t("overview.rank"): [rank_text(r, len(members), lang) for r in members["rank_here"]],
        t("overview.warnings"): members["open_warnings"]})
    chosen_project = clicked_row(table, members.index, "district_projects")
    if chosen_project is not None:
        open_scorecard(project=chosen_project, period=period)
    download_buttons(table, "district_projects", key="district_download", lang=lang)
    notes_in_brief(viewer, period, members.index)
    scope_level(members, [c for c in kpi_codes if c in set(data.period_scores(viewer, period).columns)],
                ("district", district))
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
    contributions_chart(scores.loc[project_id, [c for c in library.index if c in scores.columns]].astype(float),
                        scores.at[project_id, "grade"], ("project", project_id))
project_risk(viewer, project_id)
history = data.observations(viewer, project_id)
if project_id not in scores.index or pd.isna(scores.at[project_id, "total"]):  # not in it: no figures at all
    st.info(unscored_reason(float(scores["coverage"].get(project_id, 0.0)), project["category_code"],
                            set(history.loc[pd.to_datetime(history["period"]).dt.date == period, "indicator_code"])))
targets = data.project_targets(viewer, project_id).set_index("indicator_code")
chosen = choose_indicator([c for c in targets.index if c in set(history["indicator_code"])], optional=False)
if chosen:
    series = history[history["indicator_code"] == chosen][["period", "value"]]
    st.plotly_chart(indicator_trend(series, float(targets.at[chosen, "target_value"]),
                                    library.at[chosen, name_column()], library.at[chosen, name_column("unit")], lang),
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
notes_in_brief(viewer, period, [project_id])
st.subheader(t("photos.section"))
photo_gallery(viewer, project_id=project_id, key="scorecard_photos")
table = history.pivot(index="period", columns="indicator_code", values="value")
download_buttons(table.reset_index(), f"project_{project['code']}", key="project_download", lang=lang)
