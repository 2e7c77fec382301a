"""数据大屏 Big screen for the wall: no sidebar, dark, large type, refreshes itself without a spinner.

Title bar (system, scope, data month, time), KPI tiles on the left, the site map in the centre, the
ranking and the newest warnings on the right, the score trend along the bottom. Laid out for 1920×1080.
"""
import datetime as dt
import os

import streamlit as st

from components.bigscreen import apply_big_screen, kpi_tile, ranking_bars, score_trend
from components.formatting import month
from components.site_maps import district_columns, project_points, site_map
from components.text import plain
from data_access import DataAccessError
from services.portfolio import by_district, headline
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, show_data_error
from webapp.views import current_and_previous, district_indicator_heatmap

BIG_SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
.stApp {background: #0b1a33; color: #e6edf3;}
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp span, .stApp div {color: #e6edf3;}
.block-container {padding-top: 1rem; max-width: 100% !important;}
</style>"""
REFRESH_SECONDS = float(os.environ.get("PERFDASH_BIG_SCREEN_REFRESH", "60")) or None  # 0: no refresh
# Rotation (PERFDASH_BIG_SCREEN_ROTATE=1 or ?rotate=1): the centre panel alternates map → heat map each refresh.
ROTATE = os.environ.get("PERFDASH_BIG_SCREEN_ROTATE") == "1" or st.query_params.get("rotate") == "1"

viewer = current_viewer()
lang = current_language()
st.markdown(BIG_SCREEN_CSS, unsafe_allow_html=True)  # our own static stylesheet, no user text


def wall() -> None:
    """Redrawn on its own every REFRESH_SECONDS; stale data keeps showing its as-of month meanwhile."""
    try:
        data.refresh_version()  # a fragment run: pick up what was written since the last redraw
        current, previous, period = current_and_previous(viewer)
        warnings = data.alerts(viewer, statuses=("open",)).head(8)
    except DataAccessError as error:
        show_data_error(error)
        return
    now, before = headline(current), headline(previous)
    regions = data.regions(viewer).set_index("id")
    scope = t("filter.all") if viewer.region_id is None else regions.at[viewer.region_id, name_column()]
    st.markdown(f"## {t('app.title')} · {plain(scope)} · {month(period, lang)} · {dt.datetime.now():%Y-%m-%d %H:%M}")
    left, centre, right = st.columns([1, 2, 1])
    with left:
        for key, unit, change_unit in (("mean_score", "分" if lang == "zh" else "pts", "points"),
                                       ("budget_execution", "%", "pp")):
            st.plotly_chart(kpi_tile(t(f"overview.{key}"), now[key], unit, before[key], lang, change_unit),
                            width="stretch", key=f"big_{key}")
        st.plotly_chart(kpi_tile(t("overview.warnings"), now["warnings"], "", None, lang, decimals=0),
                        width="stretch", key="big_warnings")
    turn = st.session_state.get("big_screen_turn", 0)
    st.session_state["big_screen_turn"] = turn + 1
    with centre:
        if ROTATE and turn % 2:
            figure, _ = district_indicator_heatmap(viewer, current, period, lang)
            st.plotly_chart(apply_big_screen(figure), width="stretch", key="big_heat")
        else:
            points = current.reset_index().assign(name=current[name_column()].to_numpy(),
                                                  region=current[name_column("region")].to_numpy(),
                                                  category=current[name_column("category")].to_numpy(),
                                                  score=current["total"].to_numpy())
            columns = district_columns(by_district(current, data.regions(viewer), name_column()), "projects", lang)
            st.pydeck_chart(site_map([columns, project_points(points, "warning", lang)]), height=640, key="big_map")
    with right:
        league = current.assign(name=current[name_column()], score=current["total"]).reset_index()
        st.plotly_chart(ranking_bars(league, lang), width="stretch", key="big_ranking")
        for alert in warnings.itertuples():
            st.markdown(f"**{t(f'severity.{alert.severity}')}** "
                        f"{plain(alert.project_zh if lang == 'zh' else alert.project_en)} · "
                        f"{plain(alert.rule_zh if lang == 'zh' else alert.rule_en)}")
    if period:
        st.plotly_chart(apply_big_screen(score_trend(data.score_trend(viewer, period), lang)), width="stretch",
                        key="big_trend")


st.fragment(run_every=REFRESH_SECONDS)(wall)()
