"""The 开放接口 page's reads (the pushes cached like ``webapp.data``'s, the tokens fresh) and the token just made,
kept for one run.

A token's secret exists only in the run that shows it: :func:`keep_issued` holds it across the ``st.rerun``
after saving, and :func:`take_issued` hands it out once and forgets it, so the next rerun no longer has it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import Viewer
from data_access.api_tokens import IssuedToken, list_pushes, list_tokens
from webapp.data import Database, cached_read
from webapp.session import shared_engine

ISSUED_KEY = "integrations_issued"


def tokens(viewer: Viewer) -> pd.DataFrame:
    """Every token with its state, read on every run: an API call moves no data version, so a cached list would
    show a token's last use up to a minute late (the table is small: one row per token)."""
    return list_tokens(shared_engine(), viewer)


@cached_read
def pushes(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """What tokens pushed in the last 30 days, newest first."""
    return list_pushes(db.engine, viewer)


def keep_issued(issued: IssuedToken) -> None:
    st.session_state[ISSUED_KEY] = issued


def take_issued() -> IssuedToken | None:
    """The token made on the previous run, if any; it is gone from the session once taken."""
    issued: IssuedToken | None = st.session_state.pop(ISSUED_KEY, None)
    return issued
