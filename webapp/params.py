"""Ids read from the URL (``?project=…``, ``?alert=…``, ``?region=…``), parsed in one place.

A URL is typed by anyone: ``?project=²`` (``str.isdigit`` accepts it, ``int`` does not), 5,000 digits, or a
number above 2³¹ (PostgreSQL's INTEGER) must give one clean message, never a traceback.
"""
from __future__ import annotations

import re

import streamlit as st

from data_access.scope import MAX_ID
from webapp.i18n import t

ID_PATTERN = re.compile(r"[0-9]{1,10}")  # ASCII digits only; 10 digits cover every 32-bit id


def parse_id(text: str | None) -> int | None:
    """The id in ``text`` (None when absent or empty); ``ValueError`` unless it is 1 … 2³¹−1 in ASCII digits."""
    if text is None or text == "":
        return None
    if not ID_PATTERN.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def id_param(name: str) -> int | None:
    """The id in the URL parameter ``name``, or None when there is none.

    A malformed id shows the same short message on every page and stops the page there, with a button that
    drops the link's parameters and opens the page as usual.
    """
    try:
        return parse_id(st.query_params.get(name))
    except ValueError:
        st.error(t("params.bad_id"))
        if st.button(t("params.start_over"), key=f"bad_{name}_start_over"):
            st.query_params.clear()
            st.rerun()
        st.stop()
