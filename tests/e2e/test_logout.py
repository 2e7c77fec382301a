"""Real browser, real server: after logout no page load is let in by a cookie issued before the logout."""
import pytest

from tests.e2e.conftest import log_in, running_server, wait_until_idle

pytestmark = pytest.mark.e2e


def _shows_the_login_form(page) -> bool:
    """After a page load: True for the login form, False for the app (the first run decides, then one rerun)."""
    page.locator("input[type='password'], [data-testid='stSidebarNav']").first.wait_for(timeout=30_000)
    wait_until_idle(page)
    page.wait_for_timeout(300)
    wait_until_idle(page)
    return (page.get_by_label("密码", exact=True).count() == 1
            and page.locator("[data-testid='stSidebarNav']").count() == 0)


def _login_cookie(page) -> list[dict]:
    return [cookie for cookie in page.context.cookies() if cookie["name"] == "perfdash_auth"]


def _log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("密码", exact=True).wait_for(timeout=30_000)


def test_after_logout_reloads_and_deep_links_always_show_the_login_form(page, server):
    page.goto(server)
    log_in(page, "leader")
    issued_before_logout = _login_cookie(page)
    _log_out(page)
    results = []
    for delay, path in [(1500, ""), (500, "/map"), (1000, "/scorecards"), (1000, ""), (1000, "/projects")]:
        page.wait_for_timeout(delay)  # 1.5 s to 5 s after the logout
        page.goto(f"{server}{path}")
        results.append((path or "/", _shows_the_login_form(page)))
    assert results == [(path, True) for path, _ in results]
    assert _login_cookie(page) == []  # the browser was told to drop it
    # a cookie issued before the logout that the browser kept anyway (here: put back) is refused too
    page.context.add_cookies(issued_before_logout)
    for path in ["/map", "/scorecards", ""]:
        page.goto(f"{server}{path}")
        assert _shows_the_login_form(page), path


def test_lowering_the_cookie_expiry_setting_does_not_revive_a_logged_out_cookie(page, server, seeded_sqlite_file):
    page.goto(server)  # cookies expire in 1 day here
    log_in(page, "analyst")
    issued_before_logout = _login_cookie(page)
    _log_out(page)
    with running_server(seeded_sqlite_file, PERFDASH_COOKIE_EXPIRY_DAYS="0.5") as shorter:
        page.context.add_cookies(issued_before_logout)  # cookies do not tell ports apart: the same browser
        page.goto(f"{shorter}/map")
        assert _shows_the_login_form(page)
        log_in(page, "analyst")  # a fresh login after the logout works, and its cookie opens a deep link
        page.goto(f"{shorter}/map")
        wait_until_idle(page)
        page.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
        assert page.get_by_label("密码", exact=True).count() == 0


def test_a_tab_whose_session_ended_elsewhere_does_not_delete_a_newer_login_cookie(browser, server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    first, second = context.new_page(), context.new_page()
    first.goto(server)
    log_in(first, "auditor")
    second.goto(f"{server}/audit")  # the same browser, logged in from the cookie
    second.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
    _log_out(first)
    first.wait_for_timeout(2_000)  # the login form's run deletes the cookie
    log_in(first, "auditor")  # a new login, a new cookie
    newer = _login_cookie(first)
    second.bring_to_front()
    second.get_by_text("English", exact=True).click()  # a rerun of the old tab's ended session
    second.locator("input[type='password']").wait_for(timeout=30_000)  # login form, but the newer cookie stays
    wait_until_idle(second)
    second.wait_for_timeout(2_000)
    assert _login_cookie(second) == newer
    first.goto(f"{server}/audit")
    first.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
    context.close()
