"""How long a person waits for the login form and for the app after login, in a real browser (prints a table).

    python bench/bench_page_load.py [--runs 7] [--login-sleep 0.7]

Seeds the demo in a temporary SQLite file, starts ``streamlit run app.py`` and, as the floor to compare
against, a bare Streamlit page with the same two text inputs in a form, each on a free loopback port, and
drives Debian's Chromium with Playwright. Each figure is the median of ``--runs`` runs:

- cold load: a new browser context opens the address until the username field is visible;
- logged-out rerun: switching the language until the relabelled username field is visible;
- login: clicking 登录 until the start page is drawn (navigation shown, script finished).

``--login-sleep`` sets ``PERFDASH_LOGIN_SLEEP`` for the app server (default: the app's own default).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.pg_cluster import _free_port  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: E402

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The floor: what Streamlit itself costs for the same form, language switch and submit on this machine.
BARE_PAGE = '''
import streamlit as st

language = st.sidebar.segmented_control("语言", ["zh", "en"], default="zh") or "zh"
with st.form("login"):
    st.text_input("用户名" if language == "zh" else "Username")
    st.text_input("密码" if language == "zh" else "Password", type="password")
    submitted = st.form_submit_button("登录")
if submitted:
    st.sidebar.write("已登录")
    st.title("开始页")
'''


@contextmanager
def streamlit_server(script: Path, env: dict[str, str]) -> Iterator[str]:
    """``streamlit run script`` on a free loopback port; yields its base URL once it answers."""
    with streamlit_process(script, env) as (url, _process):
        yield url


@contextmanager
def streamlit_process(script: Path, env: dict[str, str], port: int | None = None,
                      log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run script`` on ``port`` (default: a free one) of the loopback, its output in ``log`` (default:
    dropped); yields its base URL and the server process (whose CPU time a benchmark reads) once it answers."""
    port = port or _free_port()
    output = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{script.name} did not start")
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()  # type: ignore[union-attr]


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def one_run(browser, url: str, login: tuple[str, str] | None) -> tuple[float, float, float]:
    """Seconds of the three waits in a new browser context (cold load, logged-out rerun, login)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    username = page.get_by_label("用户名", exact=True)
    cold = seconds(lambda: (page.goto(url), username.wait_for(state="visible", timeout=60_000)))
    page.wait_for_selector(IDLE, timeout=60_000)

    def switch(to: str, label: str) -> None:
        page.locator("[data-testid='stSidebar']").get_by_role("radio", name=to, exact=True).click()
        page.get_by_label(label, exact=True).wait_for(state="visible", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)

    english, chinese = ("English", "中文") if login else ("en", "zh")
    rerun = seconds(lambda: switch(english, "Username"))
    switch(chinese, "用户名")
    username.fill(login[0] if login else "leader")
    page.get_by_label("密码", exact=True).fill(login[1] if login else "x")

    def log_in() -> None:
        page.get_by_role("button", name="登录").click()
        if login:
            page.locator("[data-testid='stSidebarNav']").wait_for(state="attached", timeout=60_000)
        else:
            page.get_by_text("已登录").wait_for(state="visible", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)

    enter = seconds(log_in)
    context.close()
    return cold, rerun, enter


def measure(browser, url: str, runs: int, *, login: tuple[str, str] | None) -> dict[str, float]:
    """Median seconds of the three waits on the server at ``url`` (the bare page when ``login`` is None)."""
    one_run(browser, url, login)  # warms the server (imports, caches): not counted
    results = [one_run(browser, url, login) for _ in range(runs)]
    return {name: statistics.median(result[column] for result in results)
            for column, name in enumerate(("cold", "rerun", "login"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--login-sleep", help="PERFDASH_LOGIN_SLEEP for the app (seconds)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        env = os.environ | {"PERFDASH_DEMO": "1", "PERFDASH_DATABASE_URL": f"sqlite:///{database}"}
        if args.login_sleep is not None:
            env["PERFDASH_LOGIN_SLEEP"] = args.login_sleep
        subprocess.run([sys.executable, "-m", "data_access.demo", "--if-empty"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        bare = Path(folder) / "bare_login.py"
        bare.write_text(BARE_PAGE, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("BROWSER_PATH", "/usr/bin/chromium"),
                                                 args=CHROMIUM_ARGS)
            with streamlit_server(bare, env) as url:
                floor = measure(browser, url, args.runs, login=None)
            with streamlit_server(ROOT / "app.py", env) as url:
                app = measure(browser, url, args.runs, login=("leader", "Demo@2026"))
            browser.close()
    print(f"median of {args.runs} runs, seconds (PERFDASH_LOGIN_SLEEP={env.get('PERFDASH_LOGIN_SLEEP', 'default')})")
    print(f"{'wait':<36}{'perfdash':>10}{'bare page':>11}")
    for key, label in (("cold", "cold load until the login form shows"),
                       ("rerun", "logged-out rerun (language switch)"), ("login", "click 登录 until the start page")):
        print(f"{label:<36}{app[key]:>10.2f}{floor[key]:>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
