"""The database engine and the current viewer, shared by every page.

Until login arrives (issue 5) the app runs as a demo user named by ``PERFDASH_DEMO_USER`` (default
``leader``) and only in demo mode; outside demo mode it refuses to show data.
"""
from __future__ import annotations

import os

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager
from sqlalchemy.orm import Session

from data_access import DataAccessError, Viewer, get_engine, viewer_for
from data_access.config import demo_mode


@st.cache_resource(show_spinner=False)
def shared_engine() -> Engine:
    """One engine (and connection pool) for the whole server process."""
    return get_engine()


def _ensure_entry_point() -> None:
    """Make sure ``app.py`` (page config, navigation, later login) runs before any page.

    Streamlit still treats a folder named ``pages/`` beside the entry script as a legacy multipage app until
    ``st.navigation`` has run once in the server process; a first request for a deep link such as ``/map``
    would then run the page file alone, skipping ``app.py``. Switch the legacy mode off and rerun: the rerun
    goes through ``app.py``, whose ``st.Page`` with the same URL path opens the requested page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_viewer() -> Viewer:
    """The viewer for this browser session; stops the page with a clear message when there is none."""
    _ensure_entry_point()
    if "viewer" not in st.session_state:
        if not demo_mode():
            st.error("登录功能尚未启用：请以演示模式运行（PERFDASH_DEMO=1）。 / Login is not enabled yet: run in demo "
                     "mode (PERFDASH_DEMO=1).")
            st.stop()
        username = os.environ.get("PERFDASH_DEMO_USER", "leader")
        try:
            with Session(shared_engine()) as session:
                st.session_state["viewer"] = viewer_for(session, username)
        except DataAccessError as exc:
            show_data_error(exc)
            st.stop()
    return st.session_state["viewer"]


def show_data_error(error: DataAccessError) -> None:
    """Show a data-layer error in both languages, never as a traceback."""
    st.error(f"{error.message_zh}\n\n{error}")
