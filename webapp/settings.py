"""Settings of the web app itself (the database settings live in data_access.config)."""
from __future__ import annotations

import os

import streamlit as st

from data_access.config import demo_mode
from data_access.errors import ConfigurationError

DEMO_COOKIE_KEY = "perfdash-demo-cookie-key-change-me-in-production-0123456789"
MIN_COOKIE_KEY_BYTES = 32


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
    if demo_mode() and not key:
        return DEMO_COOKIE_KEY
    if not key or key == DEMO_COOKIE_KEY or len(key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigurationError(
            f"Set PERFDASH_COOKIE_KEY (or the cookie_key secret) to a random secret of at least "
            f"{MIN_COOKIE_KEY_BYTES} bytes, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`; "
            "PERFDASH_DEMO=1 runs the demo without one",
            message_zh=f"未设置登录 Cookie 密钥：请将 PERFDASH_COOKIE_KEY（或 secrets 中的 cookie_key）设置为至少 "
                       f"{MIN_COOKIE_KEY_BYTES} 字节的随机字符串；演示可使用 PERFDASH_DEMO=1",
        )
    return key


def cookie_expiry_days() -> float:
    """``PERFDASH_COOKIE_EXPIRY_DAYS`` (default 1): how long a login is remembered by the browser."""
    return float(os.environ.get("PERFDASH_COOKIE_EXPIRY_DAYS", "1"))


def login_sleep_seconds() -> float:
    """``PERFDASH_LOGIN_SLEEP`` (default 0.7 s, streamlit-authenticator's own): pause on logged-out runs."""
    return float(os.environ.get("PERFDASH_LOGIN_SLEEP", "0.7"))
