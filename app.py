"""perfdash entry point (``streamlit run app.py``): page setup, login, per-role navigation, sidebar.

A page left out of a role's list cannot be opened by that role, not even by typing its URL; the data
layer enforces the same rules again on every read and write.
"""
from pathlib import Path

import streamlit as st

from components.i18n import LANGUAGE_NAMES
from components.text import plain
from data_access import DataAccessError
from data_access.auth import set_language, user_language
from webapp import data
from webapp.demo_guard import demo_banner, refuse_remote_visitors_in_demo
from webapp.feedback_box import badges, feedback_button
from webapp.filters import sidebar_filters
from webapp.i18n import t
from webapp.login import (
    build_authenticator,
    cookie_login,
    enter_app,
    login_form,
    logout_button,
    remember_login,
    session_viewer_or_none,
)
from webapp.memory import settle_collector
from webapp.navigation import navigation_for, start_page
from webapp.session import shared_engine, show_data_error
from webapp.settings import cookie_key

# A local file: a ":material/…:" page icon would make every browser fetch the favicon from fonts.gstatic.com.
FAVICON = Path(__file__).parent / "assets" / "favicon.png"
# Plotly's chart toolbar sits over the legends on a phone, where a thumb only ever opens it by mistake.
PHONE_STYLE = "<style>@media (max-width: 640px) {.js-plotly-plot .modebar-container {display: none !important}}</style>"
st.set_page_config(page_title="perfdash · 项目绩效管理看板", page_icon=str(FAVICON), layout="wide")
refuse_remote_visitors_in_demo()


def language_switch(viewer) -> None:
    st.session_state.setdefault("language_choice", st.session_state["lang"])
    choice = st.sidebar.segmented_control(t("language"), list(LANGUAGE_NAMES), format_func=LANGUAGE_NAMES.get,
                                          key="language_choice")
    if choice and choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        if viewer is not None:
            set_language(shared_engine(), viewer, choice)
        st.rerun()


try:
    cookie_key()
    engine = shared_engine()
    viewer = session_viewer_or_none(engine)
except DataAccessError as error:
    st.session_state.setdefault("lang", "zh")
    st.title(t("app.title"))
    show_data_error(error)
    st.stop()

st.session_state.setdefault("lang", "zh")
if viewer is not None and st.session_state.get("lang_loaded_for") != viewer.user_id:
    st.session_state["lang"] = st.session_state["language_choice"] = user_language(engine, viewer)  # remembered
    st.session_state["lang_loaded_for"] = viewer.user_id
demo_banner()
# Navigation comes before the cookie check: a deep link (/map) must survive the rerun after a cookie login.
page = st.navigation(navigation_for(viewer.role if viewer else None, badges(viewer)),
                     position="sidebar" if viewer else "hidden", expanded=True)
language_switch(viewer)
if viewer is None:
    authenticator = build_authenticator(engine)
    if cookie_login(engine, authenticator):
        enter_app(engine, page.url_path)
    st.title(t("app.title"))
    if login_form(authenticator):
        enter_app(engine, page.url_path)
    st.stop()

remember_login(engine, viewer)
data.refresh_version(viewer)  # once per run: every cached read below and on the page is keyed on it
st.sidebar.caption(f"{plain(st.session_state.get('name') or viewer.username)} · {t('role.' + viewer.role)}")
unread = data.unread_count(viewer)
if unread:
    st.sidebar.page_link("views/inbox.py", label=t("inbox.unread", n=unread), icon=":material/mark_email_unread:")
try:
    sidebar_filters(viewer)
except DataAccessError as error:
    show_data_error(error)
feedback_button(viewer, page.url_path or start_page(viewer.role))
logout_button(engine, viewer)
st.html(PHONE_STYLE)  # our own static stylesheet, no user text
try:
    page.run()
finally:
    data.forget_run_reads()  # a session keeps no frames between its runs
    settle_collector()  # once per process
