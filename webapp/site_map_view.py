"""The city map, drawn the same way on the map page and on the big screen:

    draw_city_map(viewer, projects, shows, *, city, colour_by="grade", key, height=640, dark=False,
                  fit_width=None, label_px=14) -> None

District (county-level) boundaries as a flat choropleth coloured by mean score, by open warnings or by predicted
risk (``colour_by="risk"``: each project's P(late) as of today and its district's mean; only when
:func:`risk_available` says so), with their names, the project sites as points on top, and the legend under the
map; a click on a district opens its scorecard, a click on a point the project's scorecard (``?region=`` /
``?project=`` in the URL).

``projects`` is the portfolio frame as ``webapp.data.portfolio`` returns it (index: project id), already filtered
as the page wants, and ``shows`` says which (the filters, the month): the map and its legend are built once per
viewer, data version, ``shows`` and drawing options and shared (see ``webapp.data.shared_build``); ``city`` comes
from ``webapp.filters.chosen_city`` (None: the viewer's whole scope, e.g. a district official's district). The
view fits the scope: the city's districts, an official's district, a project manager's own sites. ``dark=True`` is
the big screen's navy theme (light outlines and legend text). ``fit_width`` is the map's expected width in pixels
(default: a phone's when the browser says it is one, else 900); a phone's map is at most 420 px tall. ``label_px``
is the district names' height (the wall passes its own, scaled with the screen).
"""
from __future__ import annotations

import os

import pandas as pd
import pydeck as pdk
import streamlit as st

from components.site_maps import (
    AREAS_LAYER,
    LIKELY_LATE,
    POINTS_LAYER,
    ColourBy,
    district_areas,
    district_labels,
    legend_entries,
    legend_html,
    project_points,
    site_map,
    worst_warning,
)
from data_access import Viewer
from services import risk
from services.boundaries import with_boundaries
from services.portfolio import by_district
from services.reporting_calendar import today
from webapp import data
from webapp.drill import open_scorecard, picked_objects
from webapp.filters import in_city
from webapp.i18n import current_language, name_column, t
from webapp.risk_panels import absence_text, current_outlook

PHONE_WIDTH, DESKTOP_WIDTH = 360, 900
PHONE_HEIGHT = 420  # a square-ish map on a phone, the legend right under it
PHONE_MARKERS = ("Mobi", "Android", "iPhone")


def tile_url() -> str | None:
    """``PERFDASH_TILE_URL``: an in-house XYZ tile server drawn under the data (none by default)."""
    return os.environ.get("PERFDASH_TILE_URL") or None


def _expected_width() -> int:
    agent = st.context.headers.get("User-Agent", "") or ""
    return PHONE_WIDTH if any(marker in agent for marker in PHONE_MARKERS) else DESKTOP_WIDTH


def risk_available(viewer: Viewer) -> str | None:
    """None when the map can be coloured by risk (a usable model), else why not, in the user's language."""
    result = current_outlook(viewer)
    return None if result.state == risk.READY else absence_text(result)


def _with_risk(viewer: Viewer, projects: pd.DataFrame) -> pd.DataFrame:
    """``projects`` (indexed by id) with ``p_late`` as predicted today (missing for those not under way)."""
    predictions = current_outlook(viewer).predictions
    chances = (predictions.set_index("project_id")["p_late"] if len(predictions)
               else pd.Series(dtype=float))
    return projects.assign(p_late=chances.reindex(projects.index).astype(float).to_numpy())


def city_districts(viewer: Viewer, projects: pd.DataFrame, city: int | None) -> pd.DataFrame:
    """The districts to draw (every district of the city in the viewer's scope, with or without projects):
    id, code, name, parts, label_lon, label_lat, projects, budget, mean_score, warnings, warning_level; with a
    ``p_late`` column in ``projects`` also risk_mean (over the projects predicted), predicted and at_risk (at
    :data:`~components.site_maps.LIKELY_LATE` or above)."""
    regions = in_city(data.regions(viewer), viewer, city, path_column="path")
    districts = with_boundaries(regions[regions["level"] == "district"]).set_index("id")
    stats = by_district(projects, data.regions(viewer), name_column()).set_index("id")
    worst = projects.groupby("district_id")["warning_level"].agg(worst_warning)
    if "p_late" in projects:
        chances = projects.groupby("district_id")["p_late"]
        districts = districts.assign(risk_mean=chances.mean().reindex(districts.index).astype(float),
                                     predicted=chances.count().reindex(districts.index).fillna(0).astype(int),
                                     at_risk=chances.agg(lambda p: int((p >= LIKELY_LATE).sum()))
                                     .reindex(districts.index).fillna(0).astype(int))
    return districts.assign(
        name=districts[name_column()],
        projects=stats["projects"].reindex(districts.index).fillna(0).astype(int),
        budget=stats["budget"].reindex(districts.index).astype(float).fillna(0.0),
        mean_score=stats["mean_score"].reindex(districts.index).astype(float),
        warnings=stats["warnings"].reindex(districts.index).fillna(0).astype(int),
        warning_level=worst.reindex(districts.index),
    ).reset_index(names="id")


def _points(projects: pd.DataFrame) -> pd.DataFrame:
    return projects.reset_index(names="id").assign(
        name=projects[name_column()].to_numpy(), region=projects[name_column("region")].to_numpy(),
        category=projects[name_column("category")].to_numpy(), score=projects["total"].to_numpy())


def _points_extent(points: pd.DataFrame) -> tuple[float, float, float, float] | None:
    located = points[points["lat"].notna() & points["lon"].notna()]
    if located.empty:
        return None
    pad = 0.01  # ~1 km, so a single site is not drawn at the edge
    return (float(located["lon"].min()) - pad, float(located["lat"].min()) - pad,
            float(located["lon"].max()) + pad, float(located["lat"].max()) + pad)


def draw_city_map(viewer: Viewer, projects: pd.DataFrame, shows: tuple, *, city: int | None,
                  colour_by: ColourBy = "grade", key: str, height: int = 640,
                  dark: bool = False, fit_width: int | None = None, label_px: float = 14) -> None:
    """Draw the map and its legend, and open the scorecard of what was clicked (see the module docstring);
    district names are ``label_px`` tall."""
    lang = current_language()
    width = fit_width or _expected_width()
    height = min(height, PHONE_HEIGHT) if width <= PHONE_WIDTH else height

    def build() -> tuple[pdk.Deck, str]:
        shown = in_city(projects if colour_by != "risk" else _with_risk(viewer, projects), viewer, city)
        districts = city_districts(viewer, shown, city)
        points = _points(shown)
        layers = [district_areas(districts, colour_by, lang, dark=dark),
                  district_labels(districts, dark=dark, size_px=label_px), project_points(points, colour_by, lang)]
        extent = _points_extent(points) if viewer.role == "project_manager" else None
        return (site_map(layers, tile_url(), extent=extent, viewport=(width, height)),
                legend_html(t(f"map.legend_{colour_by}"), legend_entries(districts, colour_by, lang), dark))

    day = today() if colour_by == "risk" else None  # predictions are of the day
    deck, legend = data.shared_build("city_map", viewer, (*shows, city, colour_by, day, width, height, dark,
                                                          label_px, lang), build)
    event = st.pydeck_chart(deck, height=height, on_select="rerun", selection_mode="single-object", key=key)
    st.markdown(legend, unsafe_allow_html=True)  # labels are escaped by legend_html
    for row in picked_objects(event, POINTS_LAYER):
        open_scorecard(project=int(row["id"]))
    for row in picked_objects(event, AREAS_LAYER):
        open_scorecard(region=int(row["id"]))
