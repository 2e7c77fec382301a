"""总览 Overview: KPI cards with the change against the previous month, the score trend, top and bottom
projects, the district ranking and the latest warnings. ``?screen=big`` or the toggle opens the big screen.
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import scoring
from components.bigscreen import ranking_bars, score_trend
from components.charts import light_theme
from components.formatting import month, one_decimal, percent
from components.kpi import change_text, grade_text, rank_text
from components.text import plain
from data_access import DataAccessError
from services.portfolio import PeerStanding, by_district, headline, peer_ranking, worst_first
from webapp import data
from webapp.drill import open_scorecard, picked_customdata
from webapp.filters import chosen_filters
from webapp.i18n import current_language, name_column, t
from webapp.risk_panels import most_likely_to_slip
from webapp.session import current_viewer, show_data_error
from webapp.views import current_and_previous

TOP = 10
RANKING_WIDTH = 900  # px: about half a desktop page, where names fit whole
# Colour squares beside the severity word (a page link's label takes no colour of its own).
SEVERITY_MARKS = {"red": "🟥", "orange": "🟧", "yellow": "🟨"}

viewer = current_viewer()
lang = current_language()
big = st.query_params.get("screen") == "big"


def names(frame: pd.DataFrame) -> pd.Series:
    return frame[name_column()]


def normal() -> None:
    st.title(t("page.overview"))
    if st.toggle(t("overview.big_screen"), key="overview_big_toggle"):
        st.query_params["screen"] = "big"
        st.rerun()
    current, previous, period = current_and_previous(viewer)
    if current.empty:
        st.info(t("empty.database") if data.latest_period(viewer) is None else t("empty.projects"))
        return
    now, before = headline(current), headline(previous)
    st.caption(month(period, lang) if period else "")
    cards = st.columns(6)
    cards[0].metric(t("overview.projects"), f"{int(now['projects']):,}",
                    f"{t('overview.active')} {int(now['active'])} · {t('overview.completed')} {int(now['completed'])}",
                    delta_color="off", delta_arrow="off")
    mean_score = "—" if pd.isna(now["mean_score"]) else one_decimal(now["mean_score"], lang)
    cards[1].metric(t("overview.mean_score"), mean_score,
                    change_text(now["mean_score"], before["mean_score"], lang, unit="points"),
                    delta_color="off", delta_arrow="off")
    rate = data.on_time_rate(viewer, tuple(int(i) for i in current.index), period) if period else float("nan")
    cards[2].metric(t("overview.on_time"), percent(rate, lang))
    cards[3].metric(t("overview.budget_execution"), percent(now["budget_execution"], lang),
                    change_text(now["budget_execution"], before["budget_execution"], lang, unit="pp"),
                    delta_color="off", delta_arrow="off")
    cards[4].metric(t("overview.warnings"), f"{int(now['warnings']):,}",
                    " · ".join(f"{t(f'severity.{s}')} {int(now[f'warnings_{s}'])}"
                               for s in ("red", "orange", "yellow")),
                    delta_color="off", delta_arrow="off")
    cards[5].metric(t("overview.red"), f"{int(now['red']):,}")

    trend, districts = st.columns(2)
    if period:
        trend.subheader(t("overview.trend"))
        trend.plotly_chart(data.shared_build("overview trend", viewer, (period, lang), lambda: light_theme(
            score_trend(data.score_trend(viewer, period), lang)), within_scope=True), width="stretch")
    standing = data.peer_standing(viewer, period)
    districts.subheader(t("overview.district_ranking"))
    if standing is not None:  # an official: their district among the city's districts, never a one-bar ranking
        districts.caption(t("overview.peer_frame", rank=rank_text(standing.rank, standing.of, lang)))
    own = standing.district_id if standing is not None else None

    def ranking() -> go.Figure:
        league = district_ranking(current, standing)
        return light_theme(ranking_bars(league, lang, top=len(league), width=RANKING_WIDTH,
                                        height=30 * len(league) + 80, highlight=own))

    event = districts.plotly_chart(data.shared_build("overview ranking", viewer, (period, *chosen_filters(), lang),
                                                     ranking),
                                   width="stretch", key="overview_ranking", on_select="rerun",
                                   selection_mode="points", config={"displayModeBar": False})
    for region, *_ in picked_customdata(event):
        if own is not None and int(region) != own:
            st.toast(t("wall.peer_only"))
        else:
            open_scorecard(region=int(region))

    scored = current.dropna(subset=["total"]).sort_values("total", ascending=False)
    total = len(scored)

    def table(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({t("col.code"): frame["code"], t("col.name"): names(frame),
                             t("col.region"): frame[name_column("region")],
                             t("overview.score"): [grade_text(s, g, lang)
                                                   for s, g in zip(frame["total"], frame["grade"], strict=True)],
                             t("overview.rank"): [rank_text(int(r), total, lang) for r in frame["rank"]]})

    if total <= 2 * TOP:  # top and bottom ten would repeat projects: one list
        st.subheader(t("overview.all_ranked", n=total))
        st.dataframe(table(scored), hide_index=True, width="stretch")
    else:
        top, bottom = st.columns(2)
        top.subheader(t("overview.top10"))
        top.dataframe(table(scored.head(TOP)), hide_index=True, width="stretch")
        bottom.subheader(t("overview.bottom10"))
        bottom.dataframe(table(scored.tail(TOP).iloc[::-1]), hide_index=True, width="stretch")
    most_likely_to_slip(viewer)
    st.subheader(t("overview.latest_warnings"))
    st.caption(t("overview.warnings_order"))
    latest = worst_first(data.live_alerts(viewer)).head(10)
    for alert in latest.itertuples():
        st.page_link("views/alerts.py", query_params={"alert": str(alert.id)},
                     label=f"{SEVERITY_MARKS[alert.severity]} {t(f'severity.{alert.severity}')} · "
                           f"{pd.Timestamp(alert.opened_at):%Y-%m-%d} · {plain(alert.project_code)} "
                           f"{plain(alert.project_zh if lang == 'zh' else alert.project_en)} · "
                           f"{plain(alert.rule_zh if lang == 'zh' else alert.rule_en)}")


def district_ranking(current: pd.DataFrame, standing: PeerStanding | None) -> pd.DataFrame:
    """The districts to rank: an official's city's districts (their means only), else the districts shown."""
    if standing is not None:
        return peer_ranking(standing, name_column())
    league = by_district(current, data.regions(viewer), name_column()).sort_values("mean_score", ascending=False)
    return league.assign(score=league["mean_score"], grade=scoring.grade(league["mean_score"]))


if big:
    # A fresh page load, not st.switch_page: a self-refreshing fragment reached through switch_page in a
    # session that began on another URL makes Streamlit's browser side report "Page not found".
    st.markdown('<meta http-equiv="refresh" content="0; url=big-screen">', unsafe_allow_html=True)  # static
    st.stop()
try:
    normal()
except DataAccessError as error:
    show_data_error(error)
