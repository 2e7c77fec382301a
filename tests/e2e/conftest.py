"""A real Streamlit server on a free loopback port and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devtools.pg_cluster import _free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 # a microphone that plays a tone and asks nobody (the voice-note test records with it)
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def _chromium() -> str:
    path = os.environ.get("BROWSER_PATH") or shutil.which("chromium")
    if not path:
        if os.environ.get("PERFDASH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (PERFDASH_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    return path


@contextmanager
def running_server(database: Path, **settings: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port over ``database``; yields its base URL."""
    port = _free_port()
    env = os.environ | {"PERFDASH_DATABASE_URL": f"sqlite:///{database}", "PERFDASH_DEMO": "1",
                        "PERFDASH_LOGIN_SLEEP": "0"} | settings
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"streamlit did not start: {process.stderr.read().decode() if process.stderr else ''}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a run still busy on a slow CI machine ignores SIGTERM that long
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(seeded_sqlite_file: Path) -> Iterator[str]:
    """The demo server most browser tests share."""
    with running_server(seeded_sqlite_file) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):  # noqa: ARG001 - the page needs the server running
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def wait_until_idle(page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def log_in(page, username: str, password: str = "Demo@2026", timeout_ms: int = 30_000) -> None:
    """Fill in the real login form and wait until the app has rerun behind it (on a phone the sidebar holding
    the navigation is collapsed: there only in the page, not visible); each wait up to ``timeout_ms``."""
    wait_until_idle(page, timeout_ms)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("[data-testid='stSidebarNav']").wait_for(state="attached", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)
    # The login cookie is written by a browser-side component after the rerun: on a busy CI machine its frame can
    # take many seconds to load, the more so on a 4K canvas.
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if any(cookie["name"] == "perfdash_auth" for cookie in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the login cookie was never set")
