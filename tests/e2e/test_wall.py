"""The wall in a real browser: one 1920 × 1080 canvas with nothing below the fold and no text under 16 px, the
same picture twice as big at 3840 × 2160, and ranking bars that open the district's scorecard."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e

# The smallest font of visible text on the wall's canvas, in screen pixels (CSS zoom included).
SMALLEST_FONT = """() => {
  let smallest = 1e9, where = '';
  const canvas = document.querySelector('[data-testid=stMainBlockContainer]');
  const walker = document.createTreeWalker(canvas, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim()) continue;
    const box = element.getBoundingClientRect(), style = getComputedStyle(element);
    if (!box.width || !box.height || box.bottom < 0 || box.top > innerHeight || box.right < 0
        || box.left > innerWidth || style.visibility === 'hidden' || style.opacity === '0') continue;
    const size = parseFloat(style.fontSize) * (element.currentCSSZoom || 1);
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 30); }
  }
  return [smallest, where];
}"""


def _click(page, element) -> None:
    """Click where the element is drawn, as a user would (plotly's drag layer lies over the bars)."""
    box = element.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _open_wall(browser, server, width, height, path="big-screen?rotate=ranking"):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/{path}")
    expect(page).to_have_url(re.compile(r"scale=2") if width == 3840 else re.compile(r"/big-screen"),
                             timeout=60_000)
    wait_until_idle(page)
    expect(page.locator("[data-testid='stPlotlyChart'] svg.main-svg").first).to_be_visible(timeout=90_000)
    expect(page.locator(".wall-kpi")).to_have_count(5)
    page.wait_for_timeout(2000)
    return context, page


@pytest.mark.parametrize(("width", "height", "smallest"), [(1920, 1080, 16), (3840, 2160, 32)])
def test_the_wall_fills_the_screen_without_scrolling_and_no_text_is_smaller_than_its_minimum(
        browser, server, width, height, smallest):
    context, page = _open_wall(browser, server, width, height)
    try:
        screenshot(page, f"big_screen_{width}x{height}")
        assert page.evaluate("document.documentElement.scrollHeight") <= height
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        canvas = page.locator("[data-testid='stMainBlockContainer']")
        assert canvas.evaluate("element => element.scrollHeight <= element.clientHeight")  # nothing cut off
        size, text = page.evaluate(SMALLEST_FONT)
        assert size >= smallest, text
        box = page.locator(".wall-kpis").bounding_box()
        assert box["height"] >= 0.55 * height  # the KPI column grows with the screen: no empty lower third
        trend = page.locator(".st-key-wall_trend").bounding_box()
        assert trend["y"] + trend["height"] >= 0.9 * height
    finally:
        context.close()


def test_a_ranking_bar_on_the_wall_opens_the_districts_scorecard_even_at_4k(browser, server):
    context, page = _open_wall(browser, server, 3840, 2160)
    try:
        _click(page, page.locator(".st-key-wall_ranking g.point path").first)
        expect(page).to_have_url(re.compile(r"/scorecards\?(.*&)?region=\d+"), timeout=60_000)
    finally:
        context.close()


def test_a_bar_of_the_overviews_district_ranking_opens_that_districts_scorecard(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/overview")
    wait_until_idle(page)
    chart = page.locator(".st-key-overview_ranking")
    expect(chart.locator("g.point").first).to_be_visible(timeout=60_000)
    ticks = chart.locator("g.ytick text")
    first = ticks.first.text_content()  # "1. 杞县": the best district, drawn on top
    _click(page, chart.locator("g.point path").first)
    expect(page).to_have_url(re.compile(r"/scorecards\?(.*&)?region=\d+"), timeout=60_000)
    wait_until_idle(page)
    expect(page.get_by_text(first.split(". ", 1)[1]).first).to_be_visible()
