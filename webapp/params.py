"""Ids and months read from the URL (``?project=…``, ``?alert=…``, ``?region=…``, ``?period=2026-10``), parsed in
one place.

A URL is typed by anyone: ``?project=²`` (``str.isdigit`` accepts it, ``int`` does not), 5,000 digits, or a
number above 2³¹ (PostgreSQL's INTEGER) must give one clean message, never a traceback.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NoReturn

import streamlit as st

from data_access.scope import MAX_ID
from webapp.i18n import t

ID_PATTERN = re.compile(r"[0-9]{1,10}")  # ASCII digits only; 10 digits cover every 32-bit id
PERIOD_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")  # 2026-10: a month, as the links write it


def parse_id(text: str | None) -> int | None:
    """The id in ``text`` (None when absent or empty); ``ValueError`` unless it is 1 … 2³¹−1 in ASCII digits."""
    if text is None or text == "":
        return None
    if not ID_PATTERN.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def parse_period(text: str | None) -> dt.date | None:
    """The month in ``text`` (``2026-10`` → 1 October 2026; None when absent or empty); ``ValueError`` unless it
    is ``YYYY-MM`` with a real month from year 2000 on."""
    if text is None or text == "":
        return None
    match = PERIOD_PATTERN.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValueError(f"not a month: {text[:20]!r}")
    return dt.date(int(match[1]), int(match[2]), 1)


def id_param(name: str) -> int | None:
    """The id in the URL parameter ``name``, or None when there is none.

    A malformed id shows the same short message on every page and stops the page there, with a button that
    drops the link's parameters and opens the page as usual.
    """
    try:
        return parse_id(st.query_params.get(name))
    except ValueError:
        _refuse_link(name, t("params.bad_id"))


def period_param(name: str) -> dt.date | None:
    """The month in the URL parameter ``name`` (``?period=2026-10``), or None when there is none; a malformed one
    is refused like a malformed id."""
    try:
        return parse_period(st.query_params.get(name))
    except ValueError:
        _refuse_link(name, t("params.bad_period"))


def _refuse_link(name: str, message: str) -> NoReturn:
    """Say the link is bad, offer the page without the link's parameters, and stop the page here."""
    st.error(message)
    if st.button(t("params.start_over"), key=f"bad_{name}_start_over"):
        st.query_params.clear()
        st.rerun()
    st.stop()
