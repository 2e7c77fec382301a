"""pydeck layers for project sites and district areas (a flat choropleth with name labels), the legend drawn
next to the map, and the deck that shows them offline.

Data layers need neither internet nor a Mapbox token. A base map comes either from Streamlit's theme style
(when online) or, in closed government networks, from an offline tile server given as ``tile_url``.

Tooltips: every pickable row carries the same plain-text fields ``name``, ``line1`` … ``line4`` (one
template serves every layer; Streamlit HTML-escapes substituted values, so markup lives only in the
template). Every row carries ``id`` for drill-down (Streamlit's ``on_select`` returns the picked rows): the
layers' ids are ``POINTS_LAYER`` and ``AREAS_LAYER``.

Colourings (``colour_by``): ``grade`` (of the score), ``warning`` (the most severe open warning) and ``risk``
(predicted P(late) in the bands of ``components.colours.RISK_BANDS``: a point by its project's probability, a district
by the mean over its projects under way); with ``risk`` every tooltip's ``line4`` gives the probability.

District polygons are rows ``{id, polygon: [outer ring, holes…], …}`` (one row per part of a district that has
islands); their coordinates are GCJ-02 like the project sites (see services.boundaries).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pydeck as pdk

from components.colours import (
    GRADE_ORDER,
    GREY,
    RISK_BANDS,
    WARNING_COLOURS,
    grade_colour,
    grade_label,
    is_missing,
    rgb,
    risk_colour,
    risk_label,
    risk_level,
    warning_colour,
    warning_label,
)
from components.formatting import money, percent
from components.i18n import translate
from components.kpi import grade_text
from components.risk_text import probability as chance
from components.text import html_text
from scoring.ranking import grade

TOOLTIP_HTML = "<b>{name}</b><br/>{line1}<br/>{line2}<br/>{line3}<br/>{line4}"
TOOLTIP_STYLE = {"fontSize": "14px", "backgroundColor": "#24292f", "color": "#ffffff", "maxWidth": "320px"}
POINT_ALPHA = 210
COORDINATE_DECIMALS = 5  # ~1 m: enough for a site, and keeps 5,000 points small on the wire
DEFAULT_VIEW = pdk.ViewState(latitude=35.0, longitude=105.0, zoom=3.5)  # all of China when there is no data
VIEWPORT_PX = (900, 550)  # assumed map size when fitting the view to the data
WORLD_PX = 512  # deck.gl's (and MapLibre's) world size at zoom 0
MAX_TILES = 64
TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")
POINTS_LAYER, AREAS_LAYER, LABELS_LAYER = "project-points", "district-areas", "district-labels"
AREA_ALPHA = 110  # light enough that the points on top stay visible
LABEL_FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"  # installed with fonts-noto-cjk; never a web font
WARNING_ORDER = ("red", "orange", "yellow")  # most severe first
ColourBy = Literal["grade", "warning", "risk"]
COLOURINGS: tuple[str, ...] = ("grade", "warning", "risk")
LIKELY_LATE = 0.5  # a project at or above this P(late) counts as likely to slip in a district's tooltip


def _python(values: pd.Series) -> list[object]:
    """Plain Python scalars (pydeck serialises rows with json, which rejects numpy integers)."""
    return values.astype(object).where(values.notna(), None).tolist()


def _warnings_line(count: float | None, level: str | None, lang: str) -> str:
    if is_missing(count) or int(count) == 0:
        return warning_label(None, lang)
    return translate("map.warnings", lang, n=int(count), level=warning_label(level, lang))


def _check_colouring(colour_by: str) -> None:
    if colour_by not in COLOURINGS:
        raise ValueError(f"colour_by must be one of {', '.join(COLOURINGS)}, got {colour_by!r}")


def _risk_line(probability: float | None, lang: str) -> str:
    """延期概率 87%（高风险（≥70%））; no prediction: 无预测（未在建）."""
    level = risk_level(probability)
    if level is None or probability is None:
        return risk_label(None, lang)
    return translate("map.risk_point", lang, p=chance(float(probability)), band=risk_label(level, lang))


def _colours(colour_by: ColourBy, frame: pd.DataFrame, alpha: int) -> list[list[int]]:
    if colour_by == "grade":
        return [rgb(grade_colour(g), alpha) for g in frame["grade"]]
    if colour_by == "warning":
        return [rgb(warning_colour(w), alpha) for w in frame["warning_level"]]
    return [rgb(risk_colour(risk_level(p)), alpha) for p in frame["p_late"]]


def project_points(projects: pd.DataFrame, colour_by: ColourBy = "grade", lang: str = "zh") -> pdk.Layer:
    """One pickable point per project site, coloured by grade, by its most severe open warning level or by its
    predicted P(late), radius growing with the square root of the budget (area ∝ budget).

    Columns: ``id``, ``name``, ``region``, ``category`` (display labels), ``lat``, ``lon``, ``budget`` (CNY),
    ``score``, ``grade`` (Chinese label or missing), ``progress`` (%), ``open_warnings``, ``warning_level``
    ("red"/"orange"/"yellow" or missing); for ``risk`` also ``p_late`` (0–1, missing: not under way). Rows without
    coordinates are left out. Data row: ``{id, lon, lat, colour, radius, name, line1, line2, line3, line4}``
    (``line4``: the warnings, or with ``risk`` the probability and its band).
    """
    _check_colouring(colour_by)
    score_word, progress_word, budget_word = (translate(key, lang)
                                              for key in ("chart.score", "chart.progress", "chart.budget"))
    sites = projects[projects["lat"].notna() & projects["lon"].notna()]
    colours = _colours(colour_by, sites, POINT_ALPHA)
    budget = sites["budget"].astype(float).fillna(0).clip(lower=0)
    radius = (60 + 40 * np.sqrt(budget / 1e6)).round().astype(int)
    rows = pd.DataFrame({
        "id": _python(sites["id"]),
        "lon": sites["lon"].astype(float).round(COORDINATE_DECIMALS).tolist(),
        "lat": sites["lat"].astype(float).round(COORDINATE_DECIMALS).tolist(),
        "colour": colours, "radius": radius.tolist(), "name": sites["name"].astype(str).tolist(),
        "line1": [f"{r} · {c}" for r, c in zip(sites["region"], sites["category"], strict=True)],
        "line2": [grade_text(s, g, lang) if pd.isna(s) else f"{score_word} {grade_text(s, g, lang)}"
                  for s, g in zip(sites["score"], sites["grade"], strict=True)],
        "line3": [f"{progress_word} {percent(p, lang)} · {budget_word} {money(b, lang)}"
                  for p, b in zip(sites["progress"].astype(float), sites["budget"].astype(float), strict=True)],
        "line4": ([_risk_line(p, lang) for p in sites["p_late"]] if colour_by == "risk" else
                  [_warnings_line(n, w, lang) for n, w in zip(sites["open_warnings"], sites["warning_level"],
                                                             strict=True)]),
    })
    return pdk.Layer("ScatterplotLayer", data=rows.to_dict("records"), id=POINTS_LAYER,
                     get_position=["lon", "lat"], get_fill_color="colour", get_radius="radius",
                     radius_min_pixels=3, radius_max_pixels=16, stroked=True, get_line_color=[255, 255, 255],
                     line_width_min_pixels=0.5, pickable=True, auto_highlight=True)


def worst_warning(levels: pd.Series) -> str | None:
    """The most severe of some warning levels ("red" > "orange" > "yellow"), None when there is none."""
    present = set(levels.dropna().astype(str))
    return next((level for level in WARNING_ORDER if level in present), None)


def _district_risk_line(district: pd.Series, lang: str) -> str:
    """平均延期概率 42%（中等风险）· 在建 8 个中 3 个可能延期; none under way: 无预测（未在建）."""
    if is_missing(district["risk_mean"]):
        return risk_label(None, lang)
    return translate("map.risk_district", lang, p=chance(float(district["risk_mean"])),
                     band=risk_label(risk_level(district["risk_mean"]), lang), n=int(district["at_risk"]),
                     of=int(district["predicted"]))


def district_areas(districts: pd.DataFrame, colour_by: ColourBy = "grade", lang: str = "zh",
                   bands: dict[str, float] | None = None, dark: bool = False) -> pdk.Layer:
    """The districts as flat polygons (a choropleth under the points), coloured by the grade of their mean
    score, by their most severe open warning or by the mean P(late) of their projects under way; pickable, one
    row per polygon part.

    Columns: ``id``, ``name``, ``parts`` (polygon parts as [lon, lat] rings, missing for a region without a
    boundary: it is left out), ``projects``, ``budget`` (CNY), ``mean_score``, ``warnings`` (open count),
    ``warning_level``; for ``risk`` also ``risk_mean`` (missing: none under way), ``predicted`` (projects with a
    prediction) and ``at_risk`` (of those, how many at :data:`LIKELY_LATE` or above). Data row: ``{id, polygon,
    colour, name, line1 … line4}`` (``line4``: the budget, or with ``risk`` the mean probability and the count).
    """
    _check_colouring(colour_by)
    shown = districts[districts["parts"].map(lambda parts: isinstance(parts, list) and len(parts) > 0)]
    grades = grade(shown["mean_score"].astype(float), bands)
    colours = _colours(colour_by, shown.assign(grade=grades.to_numpy(), p_late=shown.get("risk_mean")), AREA_ALPHA)
    rows = []
    for (_, district), grade_, colour in zip(shown.iterrows(), grades, colours, strict=True):
        level = None if is_missing(district["warning_level"]) else str(district["warning_level"])
        lines = {
            "name": str(district["name"]),
            "line1": f"{translate('chart.mean_score', lang)} {grade_text(district['mean_score'], grade_, lang)}",
            "line2": _warnings_line(district["warnings"], level, lang),
            "line3": translate("map.projects", lang, n=int(district["projects"])),
            "line4": (_district_risk_line(district, lang) if colour_by == "risk" else
                      f"{translate('chart.budget', lang)} {money(float(district['budget']), lang)}"),
        }
        rows += [{"id": int(district["id"]), "polygon": part, "colour": colour, **lines} for part in district["parts"]]
    outline = [220, 230, 240] if dark else [87, 96, 106]
    return pdk.Layer("PolygonLayer", data=rows, id=AREAS_LAYER, get_polygon="polygon", get_fill_color="colour",
                     stroked=True, get_line_color=outline, line_width_min_pixels=1, filled=True, pickable=True,
                     auto_highlight=True)


def district_labels(districts: pd.DataFrame, dark: bool = False, size_px: float = 14) -> pdk.Layer:
    """District names at each district's label point (inside its boundary), in a CJK font installed on the
    machine (``character_set="auto"`` so deck.gl draws Chinese characters), ``size_px`` tall (the wall passes its
    own: the map is drawn at the screen's pixels, outside the canvas zoom). Columns: ``id``, ``name``,
    ``label_lon``, ``label_lat`` (rows without them are left out)."""
    shown = districts[districts["label_lon"].notna() & districts["label_lat"].notna()]
    rows = [{"id": int(d["id"]), "text": str(d["name"]), "lon": round(float(d["label_lon"]), COORDINATE_DECIMALS),
             "lat": round(float(d["label_lat"]), COORDINATE_DECIMALS)} for _, d in shown.iterrows()]
    text, halo = ([240, 246, 252], [10, 25, 47]) if dark else ([36, 41, 47], [255, 255, 255])
    return pdk.Layer("TextLayer", data=rows, id=LABELS_LAYER, get_position=["lon", "lat"], get_text="text",
                     get_size=size_px, size_units='"pixels"', get_color=text, character_set='"auto"',
                     font_family=f'"{LABEL_FONT}"', font_weight=600, font_settings={"sdf": True}, outline_width=4,
                     outline_color=halo,
                     get_text_anchor='"middle"', get_alignment_baseline='"center"', pickable=False)


class LegendEntry(NamedTuple):
    colour: str  # hex, from components.colours
    label: str
    districts: int  # how many districts have this colour


def legend_entries(districts: pd.DataFrame, colour_by: ColourBy = "grade", lang: str = "zh",
                   bands: dict[str, float] | None = None) -> list[LegendEntry]:
    """Every colour the district layer can use, in its fixed order, with how many districts have it (grades
    best first then unscored; warnings red, orange, yellow, then none; risk high to low, then no prediction)."""
    if colour_by == "risk":
        levels = districts["risk_mean"].map(risk_level)
        return [*(LegendEntry(colour, risk_label(level, lang), int((levels == level).sum()))
                  for level, _, colour in RISK_BANDS),
                LegendEntry(GREY, risk_label(None, lang), int(levels.isna().sum()))]
    if colour_by == "grade":
        grades = grade(districts["mean_score"].astype(float), bands)
        counts = grades.value_counts(dropna=False)
        unscored = int(grades.isna().sum())
        return [*(LegendEntry(grade_colour(g), grade_label(g, lang), int(counts.get(g, 0))) for g in GRADE_ORDER),
                LegendEntry(GREY, grade_label(None, lang), unscored)]
    levels = districts["warning_level"].where(districts["warning_level"].notna(), "none").astype(str)
    return [LegendEntry(WARNING_COLOURS[level], warning_label(None if level == "none" else level, lang),
                        int((levels == level).sum())) for level in (*WARNING_ORDER, "none")]


def legend_html(title: str, entries: Sequence[LegendEntry], dark: bool = False) -> str:
    """The legend as HTML for ``st.markdown(unsafe_allow_html=True)``: a swatch, the label and the count per
    colour (colour is never the only carrier); labels are escaped; wraps on a phone."""
    text = "#f0f6fc" if dark else "inherit"
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:0.35em;margin:0 1em 0.3em 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:1em;height:1em;border-radius:2px;background:{entry.colour}">'
        f'</span>{html_text(entry.label)} <b>{entry.districts}</b></span>' for entry in entries)
    return (f'<div class="perfdash-map-legend" style="color:{text};display:flex;flex-wrap:wrap;align-items:center">'
            f'<span style="margin-right:1em;font-weight:600">{html_text(title)}</span>{items}</div>')


def _mercator_y(lat: float) -> float:
    """Web-Mercator y of a latitude as a fraction of the world height (0 = north edge, 1 = south edge)."""
    lat = max(min(lat, 85.0511), -85.0511)
    return (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2


def _extent(layers: Sequence[pdk.Layer]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of every row with lon/lat or a polygon in the layers' data, or None."""
    lons, lats = [], []
    for layer in layers:
        if isinstance(layer.data, list):
            lons += [row["lon"] for row in layer.data if row.get("lon") is not None]
            lats += [row["lat"] for row in layer.data if row.get("lat") is not None]
            outer_rings = [row["polygon"][0] for row in layer.data if row.get("polygon")]
            lons += [point[0] for ring in outer_rings for point in ring]
            lats += [point[1] for ring in outer_rings for point in ring]
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def fit_view(extent: tuple[float, float, float, float] | None,
             viewport: tuple[int, int] = VIEWPORT_PX) -> pdk.ViewState:
    """A view showing the whole extent in a map of ``viewport`` (width, height) pixels (zoom 3–15)."""
    if extent is None:
        return DEFAULT_VIEW
    west, south, east, north = extent
    width, height = viewport
    lon_fraction = max((east - west) / 360, 1e-6)
    y_fraction = max(_mercator_y(south) - _mercator_y(north), 1e-6)
    # deck.gl's world is 512 px wide at zoom 0; a little margin so the outline is not on the edge
    zoom = min(math.log2(width / WORLD_PX / lon_fraction), math.log2(height / WORLD_PX / y_fraction)) - 0.15
    return pdk.ViewState(latitude=(south + north) / 2, longitude=(west + east) / 2,
                         zoom=round(min(max(zoom, 3.0), 15.0), 2))


def _tile_index(fraction: float, n: int) -> int:
    return min(max(int(fraction * n), 0), n - 1)


def _tile_range(extent: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    """Columns and rows of the zoom-``z`` tiles covering the extent."""
    west, south, east, north = extent
    n = 2 ** z
    xs = range(_tile_index((west + 180) / 360, n), _tile_index((east + 180) / 360, n) + 1)
    ys = range(_tile_index(_mercator_y(north), n), _tile_index(_mercator_y(south), n) + 1)
    return xs, ys


def _tile_latitude(row: float, n: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))


def _tile_bounds(x: int, y: int, z: int) -> list[float]:
    """[west, south, east, north] of one tile, as BitmapLayer ``bounds`` takes them."""
    n = 2 ** z
    return [x / n * 360 - 180, _tile_latitude(y + 1, n), (x + 1) / n * 360 - 180, _tile_latitude(y, n)]


def tile_layers(tile_url: str, extent: tuple[float, float, float, float], zoom: float) -> list[pdk.Layer]:
    """Base-map tiles from an offline XYZ tile server as one BitmapLayer per tile.

    ``tile_url`` is a template with ``{z}``, ``{x}``, ``{y}`` (e.g. ``http://tileserver:8080/{z}/{x}/{y}.png``
    or a same-origin ``/tiles/{z}/{x}/{y}.png``; Web Mercator, 256 px, the usual OSM/XYZ scheme).
    deck.gl's TileLayer needs a JavaScript ``renderSubLayers`` callback that pydeck/Streamlit cannot send,
    so the tiles covering the extent (padded by half its size each way) are fixed when the deck is built:
    one zoom above the view, at most 64 tiles; zooming far in shows them blurred, panning far out shows
    no base map beyond them (the data layers are unaffected).
    """
    if not all(p in tile_url for p in TILE_PLACEHOLDERS) or "`" in tile_url:
        raise ValueError(f"tile_url must contain {{z}}, {{x}} and {{y}} (and no back-quote), got {tile_url!r}")
    west, south, east, north = extent
    pad_lon, pad_lat = max((east - west) / 2, 0.02), max((north - south) / 2, 0.02)
    padded = (max(west - pad_lon, -180.0), max(south - pad_lat, -85.0), min(east + pad_lon, 180.0),
              min(north + pad_lat, 85.0))
    z = int(min(max(math.floor(zoom) + 1, 0), 18))
    xs, ys = _tile_range(padded, z)
    while len(xs) * len(ys) > MAX_TILES and z > 0:
        z -= 1
        xs, ys = _tile_range(padded, z)
    layers = []
    for x in xs:
        for y in ys:
            url = tile_url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
            # Back-quoted so pydeck passes the URL through as is: unquoted, it would read a URL its own pattern
            # does not recognise (an intranet host without a dot, a relative path) as a local file to inline.
            layers.append(pdk.Layer("BitmapLayer", id=f"tile-{z}-{x}-{y}", image=f"`{url}`",
                                    bounds=_tile_bounds(x, y, z)))
    return layers


def site_map(layers: Sequence[pdk.Layer], tile_url: str | None = None,
             extent: tuple[float, float, float, float] | None = None,
             viewport: tuple[int, int] = VIEWPORT_PX) -> pdk.Deck:
    """The deck: the view fitted to ``extent`` (default: all the layers' data, district polygons included) in a
    map of ``viewport`` pixels, one tooltip for all layers.

    No map provider, so no base-map style is requested from anywhere (with ``map_style=None`` Streamlit's
    front end would fetch a Carto style); with ``tile_url`` the offline tiles go under the data (see
    :func:`tile_layers`).
    """
    extent = extent or _extent(layers)
    view = fit_view(extent, viewport=viewport)
    tooltip = {"html": TOOLTIP_HTML, "style": TOOLTIP_STYLE}
    if tile_url is None:
        return pdk.Deck(layers=list(layers), initial_view_state=view, tooltip=tooltip, map_provider=None)
    tiles = tile_layers(tile_url, extent or (73.0, 18.0, 135.0, 54.0), view.zoom)
    return pdk.Deck(layers=[*tiles, *layers], initial_view_state=view, tooltip=tooltip, map_provider=None)
