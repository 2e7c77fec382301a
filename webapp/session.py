"""The database engine and the logged-in viewer, shared by every page."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from components.text import plain
from data_access import DataAccessError, Viewer, get_engine


@st.cache_resource(show_spinner=False)
def shared_engine() -> Engine:
    """One engine (and connection pool) for the whole server process."""
    return get_engine()


def _ensure_entry_point() -> None:
    """Make sure ``app.py`` (page config, login, navigation) runs before any page.

    Streamlit still treats a folder named ``pages/`` beside the entry script as a legacy multipage app until
    ``st.navigation`` has run once in the server process; a first request for a deep link such as ``/map``
    would then run the page file alone, skipping ``app.py`` and its login. Switch the legacy mode off and
    rerun: the rerun goes through ``app.py``, whose ``st.Page`` with the same URL path opens the page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_viewer() -> Viewer:
    """The logged-in viewer (set by ``app.py``); a page never runs without one."""
    _ensure_entry_point()
    viewer = st.session_state.get("viewer")
    if viewer is None:
        st.stop()
    return viewer


def show_data_error(error: DataAccessError) -> None:
    """Show a data-layer error in the user's language, never as a traceback."""
    st.error(plain(error.message_zh if st.session_state.get("lang", "zh") == "zh" else str(error)))


@contextmanager
def stop_on_data_error() -> Iterator[None]:
    """Run a page's reads; a data-layer error is shown in the user's language and the page stops there."""
    try:
        yield
    except DataAccessError as error:
        show_data_error(error)
        st.stop()
