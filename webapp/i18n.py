"""The session's language and catalog lookups in it: the Streamlit side of ``components.i18n``.

The language lives in ``st.session_state["lang"]`` (set by ``app.py`` from the user's choice), Chinese by
default. Pages call :func:`t`; the builders in ``components`` get :func:`current_language` as an argument.
"""
from __future__ import annotations

import streamlit as st

from components.i18n import DEFAULT_LANGUAGE, name_suffix, translate


def current_language() -> str:
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The catalog text for ``key`` in the session's language, with ``{placeholders}`` filled."""
    return translate(key, current_language(), **values)


def name_column(base: str = "name") -> str:
    """The column holding a database name in the session's language, e.g. ``name_zh`` / ``region_en``."""
    return f"{base}_{name_suffix(current_language())}"
