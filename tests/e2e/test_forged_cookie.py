"""Outside demo mode a login cookie signed with the public demo key opens nothing."""
import datetime as dt
import shutil

import jwt
import pytest

from tests.e2e.conftest import log_in, running_server, wait_until_idle
from webapp.login import COOKIE_NAME
from webapp.settings import DEMO_COOKIE_KEY

pytestmark = pytest.mark.e2e
REAL_KEY = "a-real-deployment-cookie-key-" + "x" * 40


@pytest.fixture(scope="module")
def production_server(seeded_sqlite_file, tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "perfdash.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database, PERFDASH_DEMO="0", PERFDASH_COOKIE_KEY=REAL_KEY) as url:
        yield url


def _forged_admin_cookie(url: str) -> dict:
    expires = (dt.datetime.now() + dt.timedelta(days=1)).timestamp()
    token = jwt.encode({"username": "admin", "exp_date": expires}, DEMO_COOKIE_KEY, algorithm="HS256")
    return {"name": COOKIE_NAME, "value": token, "url": url}


def _shows_login_form(page) -> bool:
    wait_until_idle(page)
    page.wait_for_timeout(1_500)  # give a cookie login the time to rerun into the app
    wait_until_idle(page)
    return page.get_by_label("用户名", exact=True).count() == 1 and page.locator(
        "[data-testid='stSidebarNav']").count() == 0


def test_a_real_login_cookie_keeps_a_production_user_logged_in(browser, production_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(production_server)
    log_in(page, "admin")
    page.goto(f"{production_server}/users")
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
    context.close()


def test_a_cookie_forged_with_the_demo_key_is_refused_outside_demo_mode(browser, production_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.add_cookies([_forged_admin_cookie(production_server)])
    page = context.new_page()
    for path in ("", "/users", "/audit"):
        page.goto(f"{production_server}{path}")
        assert _shows_login_form(page), path
    context.close()
