"""Real browser, real server: no page load asks any host but the app's own server for anything.

Every request to another host is aborted and recorded by a route handler, so a fetch that would fail on a
machine without internet (a Carto base-map style, a Google font or icon, a favicon from fonts.gstatic.com) is
seen here even though the page still draws. Each role opens every page of its navigation in one browser session
(the sidebar links, as a user would), and every page must draw without an exception; the logged-out login page is
checked on its own.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, wait_until_idle
from webapp.navigation import PAGES, start_page

pytestmark = pytest.mark.e2e

# What a page asks of other hosts comes from its front end (icons, fonts, map styles), not from whose data it
# shows: the admin's navigation holds every page, and a district official's map and wall are the scoped variants.
ROLES = {"admin": "admin", "official_longting": "district_official"}
MAP_PAGES = {"map", "big-screen"}  # their base map is asked for only once the deck has drawn
SCREENSHOTS = {"scorecards", "gantt", "alerts", "rectification", "map"}  # kept in test-artifacts/ as view_<page>


def _recording_context(browser, server: str) -> tuple[object, list[str]]:
    """A browser context that lets requests to ``server`` through and aborts and records all others."""
    own_host = urlsplit(server).netloc
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    foreign: list[str] = []

    def only_own_host(route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own_host:
            foreign.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_own_host)
    return context, foreign


def _open(page, server: str, url_path: str) -> None:
    """A page from the sidebar, as a user opens it; the big screen, which hides the sidebar, by its address. It
    must draw: no exception, no "Page not found"."""
    if url_path == "big-screen":
        page.goto(f"{server}/{url_path}")
    else:
        page.locator(f"[data-testid='stSidebarNav'] a[href$='/{url_path}']").click()
    expect(page).to_have_url(re.compile(rf"/{url_path}(\?.*)?$"))
    page.wait_for_timeout(200)  # the run the click asked for has started
    wait_until_idle(page)
    if url_path in MAP_PAGES:
        expect(page.locator("[data-testid='stDeckGlJsonChart'] canvas").first).to_be_attached(timeout=30_000)
        page.wait_for_timeout(2000)  # a base-map style was asked for about 0.5 s after the deck drew
    assert page.locator("[data-testid='stException']").count() == 0, url_path
    assert page.get_by_text("Page not found").count() == 0, url_path


def test_the_logged_out_login_page_asks_no_other_host(browser, server):
    context, foreign = _recording_context(browser, server)
    page = context.new_page()
    page.goto(server)
    expect(page.get_by_label("用户名", exact=True)).to_be_visible(timeout=30_000)
    wait_until_idle(page)
    page.wait_for_timeout(500)  # the favicon is asked for after the first script run
    context.close()
    assert foreign == []


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_a_role_asks_no_other_host(browser, server, username):
    context, foreign = _recording_context(browser, server)
    page = context.new_page()
    page.goto(server)
    log_in(page, username)
    wait_until_idle(page)  # on the role's start page now
    opened = [spec.url_path for spec in PAGES if spec.open_to(ROLES[username])]
    # the start page is open already (its sidebar link is the app's address); the big screen last: it has no
    # sidebar to leave it by
    for url_path in sorted(set(opened) - {start_page(ROLES[username])}, key=opened.index):
        if url_path != "big-screen":
            _open(page, server, url_path)
            if username == "admin" and url_path in SCREENSHOTS:
                screenshot(page, f"view_{url_path}")
    _open(page, server, "big-screen")
    context.close()
    assert "map" in opened and "big-screen" in opened
    assert foreign == [], f"{username} asked other hosts: {sorted(set(foreign))}"
