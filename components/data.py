"""Cached reads for pages. The viewer is part of every cache key, so one scope never sees another's rows.

Entries live ``CACHE_SECONDS`` at most; :func:`invalidate` drops them all after a write.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import data_access
from components.session import shared_engine
from data_access import Viewer

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


def invalidate() -> None:
    """Forget cached reads after a write so every page shows the new state."""
    st.cache_data.clear()
