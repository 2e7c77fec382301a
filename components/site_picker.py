"""A clickable grid over a region for picking a project site: a free click on a plotly chart gives no
coordinates, a click on a point does. Works offline (a plain scatter, no map tiles)."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from components.i18n import translate
from components.text import html_text

KM_PER_DEGREE = 111.2  # along a meridian
GRID_STEPS = 15  # points from the centre to the edge


def _degrees(km: float, lat: float) -> tuple[float, float]:
    """``km`` as degrees of latitude and of longitude at ``lat``."""
    return km / KM_PER_DEGREE, km / (KM_PER_DEGREE * math.cos(math.radians(lat)))


def site_grid(lat: float, lon: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points (lats, lons) on a square grid inside the circle of ``radius_km`` around the centre."""
    steps = np.arange(-GRID_STEPS, GRID_STEPS + 1) / GRID_STEPS
    dy, dx = np.meshgrid(steps, steps, indexing="ij")
    inside = dx**2 + dy**2 <= 1.0
    per_lat, per_lon = _degrees(radius_km, lat)
    return np.round(lat + dy[inside] * per_lat, 6), np.round(lon + dx[inside] * per_lon, 6)


def site_picker(region_name: str, lat: float, lon: float, radius_km: float, lang: str,
                chosen: tuple[float, float] | None = None) -> go.Figure:
    """The region's circle, a grid of clickable points (trace 0, the one a selection reads) and the chosen
    site. Axes are longitude and latitude at the same ground scale."""
    lats, lons = site_grid(lat, lon, radius_km)
    per_lat, per_lon = _degrees(radius_km, lat)
    angle = np.linspace(0, 2 * np.pi, 121)
    figure = go.Figure([
        go.Scatter(x=lons, y=lats, mode="markers", name=translate("register.map.grid", lang),
                   marker={"size": 9, "color": "rgba(47, 110, 186, 0.25)"},
                   hovertemplate="%{y:.5f}, %{x:.5f}<extra></extra>"),
        go.Scatter(x=lon + per_lon * np.cos(angle), y=lat + per_lat * np.sin(angle), mode="lines",
                   name=html_text(region_name), line={"color": "#2f6eba", "width": 1.5}, hoverinfo="skip"),
        go.Scatter(x=[lon], y=[lat], mode="markers", name=translate("register.map.centre", lang),
                   marker={"symbol": "cross", "size": 10, "color": "#555"}, hoverinfo="skip"),
    ])
    if chosen is not None:
        figure.add_trace(go.Scatter(x=[chosen[1]], y=[chosen[0]], mode="markers",
                                    name=translate("register.map.chosen", lang),
                                    marker={"symbol": "star", "size": 18, "color": "#d9534f"},
                                    hovertemplate="%{y:.5f}, %{x:.5f}<extra></extra>"))
    figure.update_layout(height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10}, clickmode="event+select",
                         dragmode=False, legend={"orientation": "h", "y": -0.08},
                         xaxis={"title": translate("register.map.lon", lang), "showgrid": False},
                         yaxis={"title": translate("register.map.lat", lang), "showgrid": False,
                                "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(lat))})
    return figure
