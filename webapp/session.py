"""The database engine and the logged-in viewer, shared by every page."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine

from components.text import plain
from data_access import DataAccessError, Viewer, get_engine
from webapp.i18n import current_language


@st.cache_resource(show_spinner=False)
def shared_engine() -> Engine:
    """One engine (and connection pool) for the whole server process."""
    return get_engine()


def current_viewer() -> Viewer:
    """The logged-in viewer (set by ``app.py``); a page never runs without one."""
    viewer = st.session_state.get("viewer")
    if viewer is None:
        st.stop()
    return viewer


def show_data_error(error: DataAccessError) -> None:
    """Show a data-layer error in the user's language, never as a traceback."""
    st.error(plain(error.message_zh if current_language() == "zh" else str(error)))


@contextmanager
def stop_on_data_error() -> Iterator[None]:
    """Run a page's reads; a data-layer error is shown in the user's language and the page stops there."""
    try:
        yield
    except DataAccessError as error:
        show_data_error(error)
        st.stop()
