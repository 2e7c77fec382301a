"""The alert centre and the rectification board in a real browser: a district bar click filters the list with
``?region=`` in the URL (AppTest cannot click a bar), and the board stays within three screens at 1920×1080."""
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e

BARS = "[data-testid='stPlotlyChart'] .barlayer .point"


def test_clicking_a_district_bar_lands_on_the_alerts_of_that_district(page, server, seeded_sqlite_file):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/alerts")
    wait_until_idle(page)
    expect(page.locator(BARS).first).to_be_attached(timeout=60_000)
    page.wait_for_timeout(500)  # plotly draws the bars just after the element mounts
    boxes = [page.locator(BARS).nth(n).bounding_box() for n in range(page.locator(BARS).count())]
    box = max((b for b in boxes if b), key=lambda b: b["width"])  # the widest segment: easy to hit
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r".*/alerts\?(.*&)?region=\d+"), timeout=30_000)
    region_id = int(parse_qs(urlparse(page.url).query)["region"][0])
    with create_engine(f"sqlite:///{seeded_sqlite_file}").connect() as connection:
        name = connection.execute(text("SELECT name_zh FROM regions WHERE id = :id"), {"id": region_id}).scalar_one()
    expect(page.get_by_text(f"只显示 {name} 的预警", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stSidebar")).to_match_aria_snapshot(f'- combobox "区域": {name}')  # the filter agrees
    screenshot(page, "alerts_region")


def test_the_rectification_board_is_no_taller_than_three_screens(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/rectification")
    wait_until_idle(page)
    expect(page.locator("h1", has_text="整改看板")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    screenshot(page, "rectification_board")
    assert 0 < height <= 3 * 1080
