"""Real browser, real server: log in, open the pages people open first, and keep deep links."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def _expected(role):
    from components.i18n import CATALOG
    from webapp.navigation import PAGES

    return [CATALOG[spec.title][0] for spec in PAGES if spec.open_to(role)]


def _nav_titles(page):
    """The navigation's page titles: each link's text after its icon's name, without the "new" mark (更新公告 · 新
    until the user has opened it)."""
    from components.i18n import CATALOG

    mark = CATALOG["nav.new"][0].split("{title}")[1]
    return [link.split(maxsplit=1)[-1].removesuffix(mark)
            for link in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]


def test_a_deep_link_survives_the_login_and_goes_through_app_py(page, server):
    """The server is fresh: its first page load is /map, logged out; after login the map is shown."""
    page.goto(f"{server}/map")
    wait_until_idle(page)
    page.get_by_label("用户名", exact=True).first.wait_for()
    assert page.locator("[data-testid='stDeckGlJsonChart']").count() == 0  # nothing before login
    log_in(page, "leader")
    assert page.url.split("?")[0].endswith("/map")  # the map then adds the city it shows (?city=)
    assert _nav_titles(page) == _expected("leader")  # app.py's navigation, not the file names
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=30_000)
    screenshot(page, "map")


def test_overview_renders_counts_and_chart_after_login(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.locator("[data-testid='stMetricLabel']", has_text="项目总数").first.wait_for()
    expect(page.locator("[data-testid='stMetricValue']").first).to_have_text("80")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    screenshot(page, "overview")


def test_the_cookie_keeps_a_user_logged_in_on_a_typed_url(page, server):
    page.goto(server)
    log_in(page, "official_longting")
    page.goto(f"{server}/projects")  # a new session with the cookie
    wait_until_idle(page)
    page.get_by_role("heading", name="项目", exact=True).first.wait_for()
    assert page.url.endswith("/projects")
    screenshot(page, "projects")


def test_an_official_typing_an_admin_url_does_not_get_the_admin_page(page, server):
    page.goto(server)
    log_in(page, "official_gulou")
    page.goto(f"{server}/users")
    page.locator("[data-testid='stSidebarNav']").first.wait_for()
    wait_until_idle(page)
    screenshot(page, "official_typed_admin_url")
    assert page.get_by_role("heading", name="用户管理").count() == 0
    assert _nav_titles(page) == _expected("district_official")


def test_admin_sees_the_admin_pages_and_verifies_the_audit_chain(page, server):
    page.goto(server)
    log_in(page, "admin")
    assert _nav_titles(page) == _expected("admin")
    assert {"用户管理", "审计日志", "预警规则"} <= set(_nav_titles(page))
    page.goto(f"{server}/audit")
    wait_until_idle(page)
    page.get_by_role("button", name="校验审计链").click()
    page.get_by_text("审计链完整").first.wait_for()
    screenshot(page, "audit")


def test_the_big_screen_has_no_sidebar_and_draws_tiles_map_and_ranking(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/big-screen")  # a new session from the cookie
    wait_until_idle(page)
    try:
        page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60_000)
    finally:
        screenshot(page, "big_screen")
    page.wait_for_timeout(1500)
    assert page.get_by_text("Page not found").count() == 0
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 2  # the ranking and the trend


def test_screen_big_on_the_overview_opens_the_big_screen(page, server):
    page.goto(server)
    log_in(page, "leader")
    page.goto(f"{server}/overview?screen=big")
    page.wait_for_url("**/big-screen*", timeout=30_000)


def test_moving_a_weight_on_the_what_if_page_changes_the_ranking_shown(page, server):
    from components.i18n import CATALOG

    page.goto(server)
    log_in(page, "analyst")
    page.goto(f"{server}/whatif")
    wait_until_idle(page)
    moved = page.locator("[data-testid='stMetric']", has_text=CATALOG["whatif.moved"][0]).first  # the tuning tab
    moved.wait_for(timeout=60_000)
    assert moved.locator("[data-testid='stMetricValue']").inner_text().startswith("0 / ")  # the stored weights
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("End")  # one dimension to 100 %
    page.wait_for_timeout(500)
    wait_until_idle(page)
    for _ in range(60):  # the fragment reruns on its own; give it a moment
        if not moved.locator("[data-testid='stMetricValue']").inner_text().startswith("0 / "):
            break
        page.wait_for_timeout(500)
    assert not moved.locator("[data-testid='stMetricValue']").inner_text().startswith("0 / ")
    screenshot(page, "whatif")
