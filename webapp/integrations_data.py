"""The 开放接口 page's reads (cached like ``webapp.data``'s) and the token just made, kept for one run.

A token's secret exists only in the run that shows it: :func:`keep_issued` holds it across the ``st.rerun``
after saving, and :func:`take_issued` hands it out once and forgets it, so the next rerun no longer has it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import Viewer
from data_access.api_tokens import IssuedToken, list_pushes, list_tokens
from webapp.data import Database, cached_read

ISSUED_KEY = "integrations_issued"


@cached_read
def tokens(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """Every token with its state (last use may lag a minute: a call moves no data version)."""
    return list_tokens(db.engine, viewer)


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
