"""Click-through in a real browser: a heat-map cell opens its scorecard, and the URL holds where the user is
(AppTest cannot click a plotly marker; only the browser sends the selection back)."""
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e

CELLS = "[data-testid='stPlotlyChart'] .scatterlayer .point"


def _click_cell(page, n: int) -> None:
    """Click the n-th cell of the heat map on show (plotly's drag layer takes the click, so click its place)."""
    cell = page.locator(f"[data-testid='stTabPanel']:visible {CELLS}").nth(n)
    expect(cell).to_be_visible(timeout=60_000)
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


PROJECT_TAB = "项目 × 月份（进度偏差）"


def _open_heatmaps_as_leader(page, server: str, tab: str | None = None) -> None:
    """Log in as the leader and open the heat maps (on ``tab`` when given)."""
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/heatmaps")
    wait_until_idle(page)
    if tab:
        page.get_by_role("tab", name=tab).click()


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_a_district_cell_opens_the_districts_scorecard_for_that_indicator(page, server):
    _open_heatmaps_as_leader(page, server)
    screenshot(page, "heatmap_district")
    _click_cell(page, 3)
    page.wait_for_url("**/scorecards?**", timeout=30_000)
    query = _query(page)
    assert {"region", "indicator"} <= set(query) and "project" not in query and query["region"][0].isdigit()
    expect(page.locator("h1", has_text="记分卡")).to_be_visible(timeout=30_000)


def test_a_project_cell_opens_the_projects_scorecard_for_that_month(page, server):
    _open_heatmaps_as_leader(page, server, PROJECT_TAB)
    _click_cell(page, 0)
    page.wait_for_url("**/scorecards?**", timeout=30_000)
    query = _query(page)
    assert {"project", "period"} <= set(query) and "region" not in query and query["project"][0].isdigit()
    assert len(query["period"][0]) == 7 and query["period"][0][4] == "-"  # YYYY-MM


def test_on_a_phone_the_heat_map_scrolls_in_its_box_not_the_page(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        _open_heatmaps_as_leader(page, server)
        expect(page.locator(CELLS).first).to_be_visible(timeout=60_000)
        screenshot(page, "heatmap_phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("[class*='st-key-heat_box_heat_district']")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the chart keeps square cells and scrolls
        page.goto(f"{server}/overview")  # a chart with a legend: plotly's toolbar must not sit over it on a phone
        expect(page.locator(".js-plotly-plot .modebar-container").first).to_be_attached(timeout=60_000)
        toolbars = page.locator(".js-plotly-plot .modebar-container")
        assert toolbars.count() >= 1 and all(
            toolbars.nth(i).evaluate("e => getComputedStyle(e).display") == "none" for i in range(toolbars.count()))
    finally:
        context.close()


def test_scorecard_breadcrumbs_keep_the_level_in_the_url(page, server):
    _open_heatmaps_as_leader(page, server, PROJECT_TAB)
    _click_cell(page, 0)
    page.wait_for_url("**/scorecards?**project=**", timeout=30_000)
    wait_until_idle(page)
    crumbs = page.locator("[class*='st-key-scorecard_crumbs'] a")
    expect(crumbs).to_have_count(2, timeout=30_000)  # city › district › (the project)
    screenshot(page, "scorecard_project")
    crumbs.nth(1).click()  # the district
    page.wait_for_url(lambda url: "region=" in url and "project=" not in url, timeout=30_000)
    wait_until_idle(page)
    assert _query(page)["region"][0].isdigit()
    page.locator("[class*='st-key-scorecard_crumbs'] a").first.click()  # the city
    page.wait_for_url(lambda url: "city=" in url and "region=" not in url, timeout=30_000)
    wait_until_idle(page)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=30_000)
    assert "period" in _query(page)


def test_a_district_row_in_the_city_scorecard_opens_the_district(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/scorecards")
    wait_until_idle(page)
    table = page.locator("[data-testid='stDataFrame']").first
    expect(table).to_be_visible(timeout=60_000)
    box = table.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 + 17)  # the second row's selection box (rows are 35 px)
    page.wait_for_url(lambda url: "region=" in url, timeout=30_000)
    assert "city" not in _query(page)
