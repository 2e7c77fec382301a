"""Cached reads for the 权重调优 what-if page, in the style of :mod:`webapp.data`: the viewer is part of every
key, entries live ``CACHE_SECONDS`` at most.

The normalised score matrix is read once per viewer, period and scheme, so moving a weight re-ranks without a
database round trip; entropy weights are computed once per set of projects in view.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

import data_access
from data_access import Viewer
from data_access import schemes as scheme_store
from scoring.weight_tree import DimensionTree
from services import whatif
from webapp.data import CACHE_SECONDS
from webapp.session import shared_engine


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def schemes(viewer: Viewer) -> pd.DataFrame:
    """Every stored weight scheme (see :func:`data_access.schemes.list_schemes`)."""
    return scheme_store.list_schemes(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def base(viewer: Viewer, period: dt.date | None, scheme_id: int) -> whatif.WhatIfBase:
    """What the page re-ranks: the scores of the viewer's projects under ``scheme_id``."""
    return whatif.load_base(shared_engine(), viewer, period, scheme_id)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def scheme_tree(viewer: Viewer, scheme_id: int) -> DimensionTree:
    """One stored scheme's weights as a tree."""
    return whatif.scheme_tree(data_access.weight_scheme_items(shared_engine(), viewer, scheme_id))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def entropy(viewer: Viewer, period: dt.date | None, scheme_id: int, project_ids: np.ndarray) -> DimensionTree:
    """Entropy weights of the projects in view (ids as an array: Streamlit hashes its bytes at once)."""
    scored = base(viewer, period, scheme_id)
    return whatif.entropy_tree(scored.scores.loc[project_ids], scored.indicators,
                               scored.categories.loc[project_ids])


def forget_schemes() -> None:
    """After saving or deleting a scenario: the scheme list and trees are read again."""
    schemes.clear()
    scheme_tree.clear()
