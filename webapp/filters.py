"""The global filters (period, region, category) in the sidebar, kept in session state across pages."""
from __future__ import annotations

import datetime as dt
from typing import NoReturn

import pandas as pd
import streamlit as st

from components.formatting import month
from data_access import Viewer
from scoring.periods import recent_months
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.params import parse_id

PERIOD_KEY, REGION_KEY, CATEGORY_KEY = "filter_period", "filter_region", "filter_category"
PENDING_REGION_KEY = "filter_region_pending"
PERIODS_OFFERED = 36
# "Everything" is a real option rather than None: a selectbox holding None shows an empty placeholder.
ALL_REGIONS, ALL_CATEGORIES = 0, ""


def sidebar_filters(viewer: Viewer) -> None:
    """Draw the filters; their values stay in ``st.session_state`` under fixed keys.

    The option texts are fixed while drawing: a format function may run again outside the script run (AppTest
    does, to send the widget's state), where the session's language cannot be read."""
    lang, everything = current_language(), t("filter.all")
    st.sidebar.subheader(t("filter.title"))
    latest = data.latest_period(viewer)
    if latest is not None:
        st.sidebar.selectbox(t("filter.period"), recent_months(latest, PERIODS_OFFERED), key=PERIOD_KEY,
                             format_func=lambda day: month(day, lang), placeholder=t("common.choose"))
    regions = data.regions(viewer)
    names = dict(zip(regions["id"], regions[name_column()], strict=True))
    if PENDING_REGION_KEY in st.session_state:  # a page's link (?region=) chose the region: the filter shows it
        st.session_state[REGION_KEY] = st.session_state.pop(PENDING_REGION_KEY)
    st.sidebar.selectbox(t("filter.region"), [ALL_REGIONS, *names], key=REGION_KEY, placeholder=t("common.choose"),
                         format_func=lambda region_id: everything if region_id == ALL_REGIONS else names[region_id])
    categories = data.categories(viewer)
    labels = dict(zip(categories["code"], categories[name_column()], strict=True))
    st.sidebar.selectbox(t("filter.category"), [ALL_CATEGORIES, *labels], key=CATEGORY_KEY,
                         placeholder=t("common.choose"),
                         format_func=lambda code: everything if code == ALL_CATEGORIES else labels[code])


def follow_region(region_id: int | None) -> NoReturn:
    """Make the sidebar's region filter show ``region_id`` (None: every region) and run again: a page whose URL
    names a region (``?region=``) calls it so that the filter and the URL agree (the sidebar is drawn before the
    page, so its value can only change before the next run draws it)."""
    st.session_state[PENDING_REGION_KEY] = ALL_REGIONS if region_id is None else region_id
    st.rerun()


def selected_region() -> int | None:
    """The chosen region's id, or None for every region in scope."""
    return st.session_state.get(REGION_KEY) or None


def selected_period() -> dt.date | None:
    return st.session_state.get(PERIOD_KEY)


def chosen_filters() -> tuple[dt.date | None, int | None, str | None]:
    """The sidebar's period, region and category: part of the key of anything built from filtered projects."""
    return selected_period(), selected_region(), st.session_state.get(CATEGORY_KEY) or None


def filter_projects(projects: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """Keep the projects inside the chosen region's subtree and of the chosen category."""
    region_id, category = selected_region(), st.session_state.get(CATEGORY_KEY) or None
    if region_id is not None:
        regions = data.regions(viewer).set_index("id")
        if region_id in regions.index:
            projects = projects[projects["region_path"].str.startswith(regions.at[region_id, "path"])]
    if category is not None:
        projects = projects[projects["category_code"] == category]
    return projects


CITY_PARAM = "city"


def chosen_city(viewer: Viewer, key: str) -> int | None:
    """The one city a map or wall screen shows, kept in the URL as ``?city=<id>``.

    A deployment may span several cities (the demo spans four, in four provinces): a map of all of them is a
    continent with specks, so views that draw a map show one city at a time. With more than one city in scope a
    switcher is drawn (the first city by default); with one, that city; None when no city is in scope (an
    official's scope starts at their district, which is then the whole view).
    """
    regions = data.regions(viewer)
    cities = regions[regions["level"] == "city"]
    names = dict(zip(cities["id"].astype(int), cities[name_column()], strict=True))
    if len(names) <= 1:
        return next(iter(names), None)
    try:
        asked = parse_id(st.query_params.get(CITY_PARAM))
    except ValueError:
        asked = None
    linked = f"{key}_in_url"  # the city the URL held after the last run: a different one now came with a link
    if key not in st.session_state or (asked in names and asked != st.session_state.get(linked)):
        st.session_state[key] = asked if asked in names else next(iter(names))
    city = st.segmented_control(t("filter.city"), list(names), key=key, format_func=names.__getitem__,
                                on_change=_city_to_url, args=(key,))  # before the rerun reads the old URL
    city = city if city in names else next(iter(names))  # a second click on the chosen city unselects it
    st.query_params[CITY_PARAM] = str(city)
    st.session_state[linked] = int(city)
    return int(city)


def _city_to_url(key: str) -> None:
    if st.session_state.get(key) is not None:
        st.query_params[CITY_PARAM] = str(st.session_state[key])


def in_city(frame: pd.DataFrame, viewer: Viewer, city: int | None, path_column: str = "region_path") -> pd.DataFrame:
    """The rows of ``frame`` inside ``city``'s subtree (all of them when ``city`` is None)."""
    if city is None:
        return frame
    regions = data.regions(viewer).set_index("id")
    return frame[frame[path_column].astype(str).str.startswith(regions.at[city, "path"])]
