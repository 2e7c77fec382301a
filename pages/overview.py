"""总览 Overview — and, with ``?screen=big`` or the toggle, the 数据大屏 big screen for the wall.

KPI cards with the change against the previous month, the score trend, top and bottom projects, the
district ranking and the latest warnings. The big screen drops the sidebar, goes dark and refreshes itself.
"""
import datetime as dt
import os

import pandas as pd
import streamlit as st

import scoring
from components.bigscreen import apply_big_screen, kpi_tile, ranking_bars, score_trend
from components.formatting import month, percent
from components.i18n import language, name_column, t
from components.kpi import change_text, grade_text, rank_text
from components.site_maps import project_points, site_map
from data_access import DataAccessError
from data_access.alerts import list_alerts
from services.portfolio import by_district, headline, month_before
from webapp import data
from webapp.filters import filter_projects, selected_period
from webapp.session import current_viewer, shared_engine, show_data_error

BIG_SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
.stApp {background: #0b1a33; color: #e6edf3;}
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp span, .stApp div {color: #e6edf3;}
.block-container {padding-top: 1rem; max-width: 100% !important;}
</style>"""
REFRESH_SECONDS = float(os.environ.get("PERFDASH_BIG_SCREEN_REFRESH", "60"))

viewer = current_viewer()
lang = language()
big = st.query_params.get("screen") == "big"


def portfolio_for(period):  # noqa: ANN001, ANN202 - date or None → DataFrame
    frame = data.portfolio(viewer, period)
    return filter_projects(frame.reset_index(names="id"), viewer).set_index("id")


def load() -> tuple[pd.DataFrame, pd.DataFrame, dt.date | None]:
    current = portfolio_for(selected_period())
    period = current.attrs.get("period") or data.latest_period(viewer)
    previous = portfolio_for(month_before(period)) if period else current.iloc[0:0]
    return current, previous, period


def names(frame: pd.DataFrame) -> pd.Series:
    return frame[name_column()]


def big_screen() -> None:
    st.markdown(BIG_SCREEN_CSS, unsafe_allow_html=True)  # our own static stylesheet, no user text

    @st.fragment(run_every=REFRESH_SECONDS)
    def wall() -> None:
        current, previous, period = load()
        now, before = headline(current), headline(previous)
        regions = data.regions(viewer).set_index("id")
        scope = t("filter.all") if viewer.region_id is None else regions.at[viewer.region_id, name_column()]
        st.markdown(f"## {t('app.title')} · {scope} · {month(period, lang)} · "
                    f"{dt.datetime.now():%Y-%m-%d %H:%M}")
        left, centre, right = st.columns([1, 2, 1])
        with left:
            for key, unit, change_unit in (("mean_score", "分" if lang == "zh" else "pts", "points"),
                                           ("budget_execution", "%", "pp")):
                st.plotly_chart(kpi_tile(t(f"overview.{key}"), now[key], unit, before[key], lang, change_unit),
                                width="stretch", key=f"big_{key}")
            st.plotly_chart(kpi_tile(t("overview.warnings"), now["warnings"], "", None, lang, decimals=0),
                            width="stretch", key="big_warnings")
        with centre:
            points = current.reset_index().assign(name=names(current).to_numpy(), region=current[name_column("region")],
                                                  category=current[name_column("category")], score=current["total"])
            st.pydeck_chart(site_map([project_points(points, "warning", lang)]), height=640, key="big_map")
        with right:
            league = current.assign(name=names(current), score=current["total"]).reset_index()
            st.plotly_chart(ranking_bars(league, lang), width="stretch", key="big_ranking")
            latest = list_alerts(shared_engine(), viewer, statuses=["open"]).head(8)
            for alert in latest.itertuples():
                st.markdown(f"**{t(f'severity.{alert.severity}')}** {alert.project_zh if lang == 'zh' else alert.project_en}"
                            f" · {alert.rule_zh if lang == 'zh' else alert.rule_en}")
        if period:
            st.plotly_chart(apply_big_screen(score_trend(data.score_trend(viewer, period), lang)), width="stretch",
                            key="big_trend")

    wall()


def normal() -> None:
    st.title(t("page.overview"))
    if st.toggle(t("overview.big_screen"), key="overview_big_toggle"):
        st.query_params["screen"] = "big"
        st.rerun()
    current, previous, period = load()
    if current.empty:
        st.info(t("empty.database") if data.latest_period(viewer) is None else t("empty.projects"))
        return
    now, before = headline(current), headline(previous)
    st.caption(month(period, lang) if period else "")
    cards = st.columns(6)
    cards[0].metric(t("overview.projects"), f"{int(now['projects']):,}",
                    f"{t('overview.active')} {int(now['active'])} · {t('overview.completed')} {int(now['completed'])}",
                    delta_color="off")
    cards[1].metric(t("overview.mean_score"), "—" if pd.isna(now["mean_score"]) else f"{now['mean_score']:.1f}",
                    change_text(now["mean_score"], before["mean_score"], lang, unit="points"), delta_color="off")
    rate = data.on_time_rate(viewer, tuple(int(i) for i in current.index), period) if period else float("nan")
    cards[2].metric(t("overview.on_time"), percent(rate))
    cards[3].metric(t("overview.budget_execution"), percent(now["budget_execution"]),
                    change_text(now["budget_execution"], before["budget_execution"], lang, unit="pp"),
                    delta_color="off")
    cards[4].metric(t("overview.warnings"), f"{int(now['warnings']):,}")
    cards[5].metric(t("overview.red"), f"{int(now['red']):,}")

    trend, districts = st.columns(2)
    if period:
        trend.subheader(t("overview.trend"))
        trend.plotly_chart(score_trend(data.score_trend(viewer, period), lang), width="stretch")
    regions = data.regions(viewer)
    league = by_district(current, regions, name_column()).sort_values("mean_score", ascending=False)
    districts.subheader(t("overview.district_ranking"))
    districts.plotly_chart(ranking_bars(league.assign(score=league["mean_score"],
                                                      grade=scoring.grade(league["mean_score"])), lang,
                                        top=len(league)), width="stretch")

    scored = current.dropna(subset=["total"]).sort_values("total", ascending=False)
    total = len(scored)

    def table(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({t("col.code"): frame["code"], t("col.name"): names(frame),
                             t("col.region"): frame[name_column("region")],
                             t("overview.score"): [grade_text(s, g, lang) for s, g in zip(frame["total"], frame["grade"])],
                             t("overview.rank"): [rank_text(int(r), total, lang) for r in frame["rank"]]})

    top, bottom = st.columns(2)
    top.subheader(t("overview.top10"))
    top.dataframe(table(scored.head(10)), hide_index=True, width="stretch")
    bottom.subheader(t("overview.bottom10"))
    bottom.dataframe(table(scored.tail(10).iloc[::-1]), hide_index=True, width="stretch")
    st.subheader(t("overview.latest_warnings"))
    latest = list_alerts(shared_engine(), viewer, statuses=["open", "acknowledged", "rectifying"]).head(10)
    for alert in latest.itertuples():
        st.page_link("pages/alerts.py", query_params={"alert": str(alert.id)},
                     label=f"{t(f'severity.{alert.severity}')} · {alert.project_code} "
                           f"{alert.project_zh if lang == 'zh' else alert.project_en} · "
                           f"{alert.rule_zh if lang == 'zh' else alert.rule_en}")


try:
    big_screen() if big else normal()
except DataAccessError as error:
    show_data_error(error)
