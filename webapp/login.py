"""Login with streamlit-authenticator over the users in the database.

streamlit-authenticator draws the form and signs, reads and deletes the cookie. Whether a password is
accepted is decided by :func:`data_access.auth.check_password` (lockout before any comparison, the same
bcrypt time for unknown users, every attempt audited): it replaces the widget's own credential check.
Every rerun then asks the database whether the session is still valid, so logout, deactivation, password
resets and role changes take effect at once even for a browser that kept its cookie.

perfdash writes the cookie itself (never the widget) and records each one in ``login_sessions``; a cookie is
accepted only while its record is live, with the recorded issue time. A logout ends the records, so no cookie
issued before it is accepted again — the browser-side delete is a courtesy that a rerun can cut short.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import NoReturn

import extra_streamlit_components as stx
import streamlit as st
import streamlit_authenticator as stauth
from extra_streamlit_components.CookieManager import _component_func as cookie_component
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit_authenticator.models import cookie_model
from streamlit_authenticator.utilities.exceptions import LoginError

from data_access import Viewer
from data_access.auth import check_password, cookie_session, end_sessions, session_viewer, start_login_session
from data_access.config import demo_mode
from data_access.models import User
from webapp.i18n import t
from webapp.navigation import lands_on_start_page, start_page_path
from webapp.settings import cookie_expiry_days, cookie_key, login_sleep_seconds

COOKIE_NAME = "perfdash_auth"
SESSION_STARTED = "perfdash_session_started"
LOGIN_SESSION = "perfdash_login_session"


class CookieWriter(stx.CookieManager):
    """extra-streamlit-components' cookie manager, minus the component its constructor draws to read every cookie.

    Cookies are read from ``st.context.cookies`` (by perfdash and by streamlit-authenticator alike). That
    component's first answer only reran the script: every new browser session ran its first page twice, and the
    login form waited for the second run. Writing and deleting a cookie still draw the component, then only.
    """

    def __init__(self, key: str = "init") -> None:  # noqa: ARG002 - the parent draws the component under this key
        self.cookie_manager = cookie_component
        self.cookies = dict(st.context.cookies)


# streamlit-authenticator makes its cookie manager as ``stx.CookieManager()`` in this module, in its constructor.
cookie_model.stx = SimpleNamespace(CookieManager=CookieWriter)


def _credentials(engine: Engine) -> dict:
    """The widget's view of the active users: names only — it never sees a usable password hash."""
    with Session(engine) as session:
        rows = session.execute(select(User.username, User.display_name, User.email, User.role)
                               .where(User.is_active.is_(True))).all()
    return {"usernames": {row.username: {"name": row.display_name, "email": row.email, "roles": [row.role],
                                         "password": "$2b$12$unused.by.perfdash.see.check_password.xxxxxxxxx"}
                          for row in rows}}


def build_authenticator(engine: Engine) -> stauth.Authenticate:
    authenticator = stauth.Authenticate(_credentials(engine), COOKIE_NAME, cookie_key(), cookie_expiry_days(),
                                        auto_hash=False, login_sleep_time=login_sleep_seconds())
    model = authenticator.authentication_controller.authentication_model
    model.check_credentials = lambda username, password: check_password(engine, username, password)
    # The widget would write a cookie of its own at a successful login; perfdash writes and records it instead
    # (remember_login), so a cookie the widget wrote would map to no session.
    authenticator.cookie_controller.set_cookie = lambda: None
    return authenticator


def _forget_login() -> None:
    for key in ("authentication_status", "username", "name", "email", "roles", SESSION_STARTED, LOGIN_SESSION,
                "viewer"):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True  # stops the widget from logging in again with the stale cookie


def _drop_cookie() -> None:
    """Have the login form's run (which no rerun cuts short) delete the browser's cookie.

    Only when that cookie is known to be dead: after a logout, or when it was refused. A browser session whose
    login ended elsewhere leaves the cookie alone — the browser may hold a newer, valid one by now.
    """
    st.session_state["delete_cookie"] = True


def session_viewer_or_none(engine: Engine) -> Viewer | None:
    """The viewer of this browser session if it is logged in and the server has not ended the session."""
    if not st.session_state.get("authentication_status"):
        return None
    started = st.session_state.setdefault(SESSION_STARTED, dt.datetime.now(dt.UTC))
    viewer = session_viewer(engine, st.session_state["username"], started, st.session_state.get(LOGIN_SESSION))
    if viewer is None:
        _forget_login()
        st.session_state["session_ended"] = True
    st.session_state["viewer"] = viewer
    return viewer


def cookie_login(engine: Engine, authenticator: stauth.Authenticate) -> bool:
    """Log in from the remembered cookie; True when that gave a valid session (the app then reruns).

    Runs after ``st.navigation`` so that the page asked for in the URL is kept through the rerun.
    """
    if COOKIE_NAME not in st.context.cookies or st.session_state.get("logout"):
        return False
    token = authenticator.cookie_controller.get_cookie()
    if not token:
        return False
    recorded = cookie_session(engine, token["username"], token["exp_date"])
    if recorded is None:  # ended by a logout, or never written by perfdash
        _forget_login()
        _drop_cookie()
        st.session_state["session_ended"] = True
        return False
    try:
        authenticator.login(location="unrendered")
    except LoginError:  # the cookie of a user who has since been deactivated
        _forget_login()
        _drop_cookie()
        return False
    st.session_state[LOGIN_SESSION], st.session_state[SESSION_STARTED] = recorded
    if session_viewer_or_none(engine) is None:  # e.g. the password was reset after the cookie was issued
        _drop_cookie()
        return False
    return True


def login_form(authenticator: stauth.Authenticate) -> bool:
    """The login form; True on success (the caller then enters the app with :func:`enter_app`)."""
    if st.session_state.pop("session_ended", False):
        st.warning(t("login.session_ended"))
    if st.session_state.pop("delete_cookie", False):
        authenticator.cookie_controller.delete_cookie()
    try:
        authenticator.login(location="main", key="login", fields={
            "Form name": t("login.form"), "Username": t("login.username"), "Password": t("login.password"),
            "Login": t("login.submit")})
    except LoginError:
        st.session_state["authentication_status"] = False
    if st.session_state.get("authentication_status"):
        st.session_state[SESSION_STARTED] = dt.datetime.now(dt.UTC)
        st.session_state["set_cookie"] = True  # written on the next run, which completes
        return True
    if st.session_state.get("authentication_status") is False:
        st.error(t("login.failed"))
    if demo_mode():  # a real deployment must not advertise the demo password
        st.caption(t("login.demo_hint"))
    return False


def enter_app(engine: Engine, logged_out_page: str) -> NoReturn:
    """Rerun as the user who just logged in, to build their navigation: on the page the address named, or, at
    the app's address, on their role's start page (My tasks for officials, managers and experts).

    Switching page instead of rerunning and switching later keeps the run that writes the login cookie whole.
    """
    viewer = session_viewer_or_none(engine)
    if viewer is not None and lands_on_start_page(logged_out_page):
        st.switch_page(start_page_path(viewer.role))
    st.rerun()


def remember_login(engine: Engine, viewer: Viewer) -> None:
    """Write the login cookie once, in a run that is not cut short by a rerun, and record it on the server.

    The widget is built only for that run (and for a logout): a logged-in run needs none, and building it reads
    every active user."""
    if st.session_state.pop("set_cookie", False):
        cookie = build_authenticator(engine).cookie_controller.cookie_model
        cookie.set_cookie()
        if cookie.exp_date is not None:  # PERFDASH_COOKIE_EXPIRY_DAYS=0 writes no cookie
            st.session_state[LOGIN_SESSION] = start_login_session(engine, viewer, cookie.exp_date)


def logout_button(engine: Engine, viewer: Viewer) -> None:
    """Sign out: on the server every session of this user ends; the login form's run deletes the cookie."""
    if st.sidebar.button(t("logout"), key="logout_button", width="stretch"):
        end_sessions(engine, viewer)
        build_authenticator(engine).authentication_controller.logout()
        _forget_login()
        _drop_cookie()
        st.rerun()
