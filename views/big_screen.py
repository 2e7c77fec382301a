"""数据大屏 Big screen for the wall: one 16:9 canvas of one city (an official: their district among its peers).

Title bar (system, scope, data month, when it last read, live clock, ⚙ and a small exit; Esc leaves too), the KPI
column on the left, the centre turning through map, heat map and ranking as its URL says (``?rotate=…&every=…``),
the district ranking and the scrolling warning list on the right, the score trend and the projects most likely to
slip along the bottom. Designed at
1920 × 1080 and zoomed to the screen (components.wall_html); it redraws itself without a spinner.
"""
import datetime as dt
import time
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.bigscreen import apply_big_screen, ranking_bars, scale_figure, score_trend
from components.formatting import month
from components.kpi import change_text, rank_text
from components.wall_html import (
    WALL_CSS,
    WALL_SCRIPT,
    Kpi,
    WarningLine,
    kpi_column,
    panel_head,
    title_bar,
    warning_ticker,
)
from data_access import DataAccessError
from services.portfolio import PeerStanding, district_league, headline, peer_ranking, worst_first
from webapp import data
from webapp.drill import open_scorecard, picked_customdata
from webapp.filters import chosen_filters, in_city
from webapp.i18n import current_language, name_column, t
from webapp.risk_panels import wall_list
from webapp.session import current_viewer, show_data_error
from webapp.site_map_view import draw_city_map
from webapp.views import current_and_previous, district_indicator_heatmap
from webapp.wall import WallConfig, panel_titles, wall_config, wall_settings

# px on the 1920 × 1080 canvas (charts are drawn at these times the screen's scale: see chart()).
CENTRE_WIDTH, RIGHT_WIDTH, TREND_WIDTH, RISK_WIDTH = 1040, 448, 1100, 764
CENTRE_HEIGHT, RANKING_HEIGHT, TREND_HEIGHT = 604, 330, 300
MAP_LABEL_PX = 18  # district names on the wall's map: nothing under 16 px at 1080p
MAP_HEIGHT = CENTRE_HEIGHT - 44  # the legend goes under the map
NO_TOOLBAR = {"displayModeBar": False}
TICKER_LINES = 12
RISK_LINES = 5  # the projects most likely to slip: as many as the bottom band holds at 50 px a line

viewer = current_viewer()
lang = current_language()
config = wall_config()
st.html(WALL_CSS)  # our own static stylesheet and script, no user text
st.html(WALL_SCRIPT, unsafe_allow_javascript=True)


def chart(build: Callable[[], go.Figure], shows: tuple, width: int, height: int, key: str, *,
          selectable: bool = True) -> object:
    """The chart ``build()`` makes, drawn at the screen's own pixels (``width`` × ``height`` canvas px times the
    scale); its elements open their detail when clicked (the selection comes back on the rerun). It is built once
    per viewer, data version, ``shows`` (what it is of), size and language, and shared (``data.shared_build``)."""
    figure = data.shared_build(f"wall {key}", viewer, (*shows, config.scale, width, height, lang),
                               lambda: scale_figure(build(), config.scale, width, height))
    if not selectable:
        return st.plotly_chart(figure, width=int(figure.layout.width), key=key, config=NO_TOOLBAR)
    return st.plotly_chart(figure, width=int(figure.layout.width), key=key, on_select="rerun",
                           selection_mode="points", config=NO_TOOLBAR)


def open_picked(event: object, *, own: int | None = None) -> None:
    """A clicked district bar opens the district's scorecard (an official: their own; a peer's is refused)."""
    for region, *_ in picked_customdata(event):
        if own is not None and int(region) != own:
            st.toast(t("wall.peer_only"))
            return
        open_scorecard(region=int(region))


def kpis(current: pd.DataFrame, previous: pd.DataFrame, period: dt.date | None,
         standing: PeerStanding | None) -> list[Kpi]:
    now, before = headline(current), headline(previous)
    score_unit = t("kpi.unit.points")
    last_month = t("wall.vs_last_month")
    tiles = [
        Kpi(t("overview.projects"), f"{int(now['projects']):,}",
            detail=f"{t('overview.active')} {int(now['active'])} · {t('overview.completed')} {int(now['completed'])}"),
        Kpi(t("overview.mean_score"), "—" if pd.isna(now["mean_score"]) else f"{now['mean_score']:.1f}", score_unit,
            change_text(now["mean_score"], before["mean_score"], lang, unit="points"), last_month),
        Kpi(t("overview.budget_execution"), "—" if pd.isna(now["budget_execution"]) else
            f"{now['budget_execution']:.1f}", "%",
            change_text(now["budget_execution"], before["budget_execution"], lang, unit="pp"), last_month),
        Kpi(t("overview.warnings"), f"{int(now['warnings']):,}",
            chips=tuple((s, f"{t(f'severity.{s}')} {int(now[f'warnings_{s}'])}") for s in ("red", "orange", "yellow"))),
    ]
    if standing is not None:
        tiles.append(Kpi(t("wall.peer_rank"), rank_text(standing.rank, standing.of, lang)))
    elif period is not None:
        rate = data.on_time_rate(viewer, tuple(int(i) for i in current.index), period)
        tiles.append(Kpi(t("overview.on_time"), "—" if pd.isna(rate) else f"{rate:.1f}", "%"))
    return tiles


def league(current: pd.DataFrame, previous: pd.DataFrame, standing: PeerStanding | None) -> pd.DataFrame:
    """The districts to rank: an official's city's districts (means only), else the districts shown."""
    if standing is not None:
        return peer_ranking(standing, name_column())
    table = district_league(current, previous, data.regions(viewer), name_column())
    return table.assign(score=table["mean_score"])


def centre(panel: str, current: pd.DataFrame, period: dt.date | None, city: int | None, scope: str) -> None:
    shows = (period, *chosen_filters(), city)
    if panel == "heat" and period is not None and len(current):
        st.html(panel_head(panel_titles()["heat"], scope))
        event = chart(lambda: apply_big_screen(district_indicator_heatmap(viewer, current, period, lang)[0]), shows,
                      CENTRE_WIDTH, CENTRE_HEIGHT, "wall_heat")
        for region, indicator, *_ in picked_customdata(event):
            open_scorecard(region=int(region), indicator=str(indicator), period=period)
    elif panel == "ranking":
        st.html(panel_head(panel_titles()["ranking"], scope))
        def ranking() -> go.Figure:
            projects = current.reset_index().drop(columns="rank").assign(name=current[name_column()].to_numpy(),
                                                                         score=current["total"].to_numpy())
            return ranking_bars(projects, lang, top=12, width=CENTRE_WIDTH, height=CENTRE_HEIGHT)

        event = chart(ranking, shows, CENTRE_WIDTH, CENTRE_HEIGHT, "wall_projects")
        for project, *_ in picked_customdata(event):
            open_scorecard(project=int(project))
    else:
        st.html(panel_head(panel_titles()["map"], scope))
        draw_city_map(viewer, current, (period, *chosen_filters()), city=city, colour_by="grade", key="wall_map",
                      dark=True,
                      height=round(MAP_HEIGHT * config.scale), fit_width=round(CENTRE_WIDTH * config.scale),
                      label_px=MAP_LABEL_PX * config.scale)


def wall(config: WallConfig) -> None:
    """Redrawn on its own every ``config.every`` seconds; the title says which month and when it was read."""
    data.refresh_version(viewer)  # a fragment run: pick up what was written since the last redraw
    head, gear, leave = st.columns([1660, 60, 130], vertical_alignment="center", gap="small")
    with gear:
        city = wall_settings(viewer, config)
    leave.container(key="wall_exit").page_link("views/overview.py", label=t("wall.exit"), help="Esc")
    try:
        current, previous, period = current_and_previous(viewer)
        current, previous = in_city(current, viewer, city), in_city(previous, viewer, city)
        warnings = worst_first(in_city(data.live_alerts(viewer), viewer, city))
        standing = data.peer_standing(viewer, period)
    except DataAccessError as error:
        show_data_error(error)
        return
    regions = data.regions(viewer).set_index("id")
    place = city if city is not None else viewer.region_id
    scope = regions.at[place, name_column()] if place in regions.index else t("filter.all")
    read_at = dt.datetime.now()
    head.html(title_bar(t("app.title"), scope, t("wall.as_of", month=month(period, lang)),
                        t("wall.updated", time=f"{read_at:%H:%M:%S}"), f"{read_at:%Y-%m-%d %H:%M:%S}"))
    left, middle, right = st.columns([360, 1040, 448], gap="small")
    left.html(kpi_column(kpis(current, previous, period, standing)))
    with middle:
        centre(config.panel_at(time.time()), current, period, city, scope)
    with right:
        note = "" if standing is None else rank_text(standing.rank, standing.of, lang)
        st.html(panel_head(t("overview.district_ranking"), note))
        own = standing.district_id if standing is not None else None

        def districts() -> go.Figure:
            ranked = league(current, previous, standing)
            return ranking_bars(ranked, lang, top=len(ranked), width=RIGHT_WIDTH, height=RANKING_HEIGHT,
                                highlight=own)

        event = chart(districts, (period, *chosen_filters(), city), RIGHT_WIDTH, RANKING_HEIGHT, "wall_ranking")
        open_picked(event, own=own)
        st.html(panel_head(t("overview.latest_warnings"), t("wall.live_count", n=len(warnings))))
        st.html(warning_ticker([WarningLine(w.severity, t(f"severity.{w.severity}"),
                                            f"{pd.Timestamp(w.opened_at):%Y-%m-%d}",
                                            f"{w.project_zh if lang == 'zh' else w.project_en} · "
                                            f"{w.rule_zh if lang == 'zh' else w.rule_en}")
                                for w in warnings.head(TICKER_LINES).itertuples()], t("wall.no_warnings")))
    trend, at_risk = st.columns([TREND_WIDTH, RISK_WIDTH], gap="small")
    if period:
        with trend:
            chart(lambda: score_trend(data.score_trend(viewer, period, city=city), lang).update_layout(
                margin=dict(t=36, b=10)), (period, city), TREND_WIDTH, TREND_HEIGHT, "wall_trend", selectable=False)
    at_risk.html(wall_list(viewer, city, RISK_LINES))


st.fragment(run_every=config.every)(wall)(config)
