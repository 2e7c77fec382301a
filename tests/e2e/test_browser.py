"""Real browser, real server: the pages people open first actually render."""
import pytest

from tests.e2e.conftest import screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def test_first_request_for_a_deep_link_still_goes_through_app_py(page, server):
    """The server is fresh: its first page load is /map, which must get app.py's navigation and layout."""
    page.goto(f"{server}/map")
    wait_until_idle(page)
    page.get_by_text("数据 Data", exact=True).wait_for()  # a section of app.py's navigation
    links = page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
    assert [link.split()[-1] for link in links] == ["Overview", "Map", "Projects"], links  # not the file names
    page.locator("[data-testid='stDeckGlJsonChart']").wait_for()


def test_overview_renders_counts_and_chart(page, server):
    page.goto(f"{server}/overview")
    wait_until_idle(page)
    page.get_by_text("项目总数 Projects").wait_for()
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "80"
    page.locator("[data-testid='stPlotlyChart']").wait_for()
    screenshot(page, "overview")


def test_map_canvas_appears(page, server):
    page.goto(f"{server}/map")
    wait_until_idle(page)
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=30_000)
    screenshot(page, "map")


def test_projects_page_lists_projects(page, server):
    page.goto(f"{server}/projects")
    wait_until_idle(page)
    page.get_by_text("80 / 80 个项目 projects").wait_for()
    screenshot(page, "projects")
