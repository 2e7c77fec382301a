"""Map click-through in a real browser: a district polygon opens the district's scorecard, a project point the
project's, and the URL holds it (only the browser sends a deck.gl pick back to the script)."""
from __future__ import annotations

import math
import sqlite3
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import shapely
from playwright.sync_api import expect

from components.site_maps import fit_view
from services.boundaries import boundary
from tests.e2e.conftest import log_in, screenshot, wait_until_idle
from webapp.site_map_view import DESKTOP_WIDTH

pytestmark = pytest.mark.e2e

MAP_HEIGHT = 640  # draw_city_map's default
CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"


def _pixel(lon: float, lat: float, view, box) -> tuple[float, float]:
    """Where deck.gl draws (lon, lat) in the canvas: Web Mercator at the view's zoom (512 px world at zoom 0)."""
    scale = 512 * 2 ** view.zoom

    def mercator(lon_: float, lat_: float) -> tuple[float, float]:
        return (lon_ + 180) / 360 * scale, (1 - math.asinh(math.tan(math.radians(lat_))) / math.pi) / 2 * scale

    x, y = mercator(lon, lat)
    x0, y0 = mercator(view.longitude, view.latitude)
    return box["x"] + box["width"] / 2 + x - x0, box["y"] + box["height"] / 2 + y - y0


def _click(page, at: tuple[float, float]) -> None:
    """Point, then click: deck.gl picks what is under the pointer as it moves."""
    page.mouse.move(*at)
    page.wait_for_timeout(300)
    page.mouse.click(*at)


def _longting(database) -> tuple[int, list[tuple[int, float, float]]]:
    with sqlite3.connect(database) as connection:
        region = connection.execute("SELECT id FROM regions WHERE code = '410202'").fetchone()[0]
        sites = connection.execute("SELECT p.id, p.lon, p.lat FROM projects p JOIN regions r ON r.id = p.region_id "
                                   "WHERE r.code LIKE '410202%'").fetchall()
    return region, sites


def _open_map(page, server):
    page.goto(f"{server}/map")
    wait_until_idle(page)
    canvas = page.locator(CANVAS).first
    expect(canvas).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # deck.gl draws a frame after mounting
    return canvas.bounding_box()


def test_clicking_a_district_and_a_point_opens_their_scorecards(page, server, seeded_sqlite_file):
    region, sites = _longting(seeded_sqlite_file)
    shape = boundary("410202")
    view = fit_view(shape.bounds, viewport=(DESKTOP_WIDTH, MAP_HEIGHT))  # as draw_city_map fits it
    page.goto(server)
    log_in(page, "official_longting")
    box = _open_map(page, server)
    screenshot(page, "map_official_longting")
    site_pixels = np.array([_pixel(lon, lat, view, box) for _, lon, lat in sites])

    # A spot inside the district, away from its edge and from every project point.
    polygon = shapely.MultiPolygon([shapely.Polygon(part[0], part[1:]) for part in shape.parts]).buffer(-0.005)
    west, south, east, north = shape.bounds
    spots = [(lon, lat) for lon in np.linspace(west, east, 40) for lat in np.linspace(south, north, 40)
             if polygon.contains(shapely.Point(lon, lat))]
    pixels = [_pixel(lon, lat, view, box) for lon, lat in spots]
    visible = [(x, y) for x, y in pixels if box["x"] + 20 < x < box["x"] + box["width"] - 60
               and box["y"] + 20 < y < box["y"] + box["height"] - 20]
    spot = max(visible, key=lambda p: np.min(np.hypot(*(site_pixels - p).T)))
    assert np.min(np.hypot(*(site_pixels - spot).T)) > 25
    _click(page, spot)
    page.wait_for_url("**/scorecards?**", timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query["region"] == [str(region)] and "project" not in query
    expect(page.locator("h1", has_text="记分卡")).to_be_visible(timeout=30_000)

    # The point farthest from any other, so nothing else is under the pointer.
    nearest = [np.partition(np.hypot(*(site_pixels - p).T), 1)[1] for p in site_pixels]
    chosen = int(np.argmax(nearest))
    box = _open_map(page, server)
    _click(page, _pixel(sites[chosen][1], sites[chosen][2], view, box))
    page.wait_for_url("**/scorecards?**", timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query["project"] == [str(sites[chosen][0])] and "region" not in query
