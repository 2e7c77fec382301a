"""Cached reads for pages. The viewer is part of every cache key, so one scope never sees another's rows;
its ``scope_key`` (rebuilt on every rerun) changes with the scope, so a project given to another manager
leaves the old manager's pages on the next run, not when the entry expires.

Entries live ``CACHE_SECONDS`` at most; :func:`invalidate` drops them all after a write.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import data_access
import data_access.reads
from webapp.session import shared_engine
from data_access import Viewer
from scoring.periods import add_months

CACHE_SECONDS = 60


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def projects(viewer: Viewer) -> pd.DataFrame:
    return data_access.list_projects(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def regions(viewer: Viewer) -> pd.DataFrame:
    return data_access.list_regions(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def categories(viewer: Viewer) -> pd.DataFrame:
    return data_access.list_categories(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def latest_period(viewer: Viewer) -> dt.date | None:
    return data_access.latest_period(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def portfolio(viewer: Viewer, period: dt.date | None) -> pd.DataFrame:
    from services.portfolio import portfolio as build

    return build(shared_engine(), viewer, period)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def on_time_rate(viewer: Viewer, project_ids: tuple[int, ...], as_of: dt.date) -> float:
    from services.portfolio import on_time_milestone_rate

    return on_time_milestone_rate(shared_engine(), viewer, pd.Index(project_ids), as_of)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def score_trend(viewer: Viewer, last: dt.date, months: int = 12) -> pd.DataFrame:
    from services.portfolio import mean_score_trend

    return mean_score_trend(shared_engine(), viewer, last, months)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def period_scores(viewer: Viewer, period: dt.date | None) -> pd.DataFrame:
    """Full score table (total, coverage, reason, one contribution column per KPI, rank, grade)."""
    from services.scores import period_scores as build

    return build(shared_engine(), viewer, period)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def indicators(viewer: Viewer) -> pd.DataFrame:
    return data_access.list_indicators(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def heatmap_inputs(viewer: Viewer, period: dt.date, months: int, project_ids: tuple[int, ...]) -> dict:
    """What the heat maps need, read once per viewer, month and filter: the month's KPI matrix, the
    progress series, monthly KPI means and the targets."""
    engine = shared_engine()
    since = add_months(period, 1 - months)
    ids = list(project_ids)
    matrix = data_access.load_indicator_matrix(engine, viewer, period=period)
    progress = data_access.load_observations(engine, viewer, project_ids=ids,
                                             indicator_codes=["PROG_ACTUAL", "PROG_PLAN"], since=since, until=period)
    means = data_access.reads.indicator_means(engine, viewer, since=since, until=period, project_ids=ids)
    targets = data_access.list_project_targets(engine, viewer).pivot(index="project_id", columns="indicator_code",
                                                                     values="target_value")
    return {"matrix": matrix.reindex(index=matrix.index.intersection(ids)), "progress": progress, "means": means,
            "targets": targets.reindex(index=targets.index.intersection(ids))}


def invalidate() -> None:
    """Forget cached reads after a write so every page shows the new state."""
    st.cache_data.clear()
