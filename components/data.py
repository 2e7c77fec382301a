"""Cached reads for pages. The viewer is part of every cache key, so one scope never sees another's rows."""
from __future__ import annotations

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
def categories(viewer: Viewer) -> pd.DataFrame:
    return data_access.list_categories(shared_engine(), viewer)
