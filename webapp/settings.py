"""Settings of the web app itself (the database settings live in data_access.config)."""
from __future__ import annotations

import os

import streamlit as st

from data_access.config import signing_secret

DEMO_COOKIE_KEY = "perfdash-demo-cookie-key-change-me-in-production-0123456789"


def _secret(name: str) -> str:
    try:
        return str(st.secrets.get(name, ""))
    except FileNotFoundError:  # no secrets.toml at all
        return ""


def cookie_key() -> str:
    """The key that signs login cookies: ``PERFDASH_COOKIE_KEY`` or the ``cookie_key`` secret.

    Outside demo mode a missing, short or demo key is refused: anyone who knows the key can forge a login.
    """
    key = os.environ.get("PERFDASH_COOKIE_KEY", "").strip() or _secret("cookie_key").strip()
    return signing_secret(key, setting="PERFDASH_COOKIE_KEY (or the cookie_key secret)", demo_value=DEMO_COOKIE_KEY,
                          what_zh="登录 Cookie 密钥")


def cookie_expiry_days() -> float:
    """``PERFDASH_COOKIE_EXPIRY_DAYS`` (default 1): how long a login is remembered by the browser."""
    return float(os.environ.get("PERFDASH_COOKIE_EXPIRY_DAYS", "1"))


def login_sleep_seconds() -> float:
    """``PERFDASH_LOGIN_SLEEP`` (default 0): streamlit-authenticator's pause on every logged-out run.

    Its own default, 0.7 s, waited for a cookie it now reads from the request; it delayed every login form and
    slowed no password guessing (sessions run in parallel) — the lockout and the constant bcrypt time of
    ``data_access.auth.check_password`` do that.
    """
    return float(os.environ.get("PERFDASH_LOGIN_SLEEP", "0"))


WALL_PANELS = ("map", "heat", "ranking")  # what the big screen's centre can show, in its default order


def big_screen_refresh_seconds() -> float | None:
    """``PERFDASH_BIG_SCREEN_REFRESH`` (default 60): seconds between the big screen's redraws; 0 never."""
    return float(os.environ.get("PERFDASH_BIG_SCREEN_REFRESH", "60")) or None


def big_screen_rotation() -> list[str]:
    """``PERFDASH_BIG_SCREEN_ROTATE``: the centre panels the big screen turns through by default, e.g.
    ``map,heat,ranking`` (``1``: map and heat map, the old switch); unset: the map alone. ``?rotate=`` in the
    wall's URL overrides it."""
    setting = os.environ.get("PERFDASH_BIG_SCREEN_ROTATE", "").strip()
    return ["map", "heat"] if setting == "1" else [name for name in setting.split(",") if name in WALL_PANELS]
