"""A real browser tab (Playwright, Debian's Chromium) that switches pages as a user does and times each switch
from the click to the app's idle state: the sample the load's websocket sessions are checked against."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.streamlit_client import ENDS_A_RUN
from tests.e2e.conftest import CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Playwright, WebSocket

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Resolves (with the browser's clock) when the script state goes running → notRunning after it was armed.
ARM = """() => { window.__perfdashDone = new Promise(resolve => {
  const app = document.querySelector("[data-testid='stApp']");
  let running = false;
  const watch = new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') { running = true; }
    else if (running && state === 'notRunning') { watch.disconnect(); resolve(performance.now()); }
  });
  watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}); return performance.now(); }"""


class BrowserTab:
    """One logged-in browser tab (the user's cookies added to a fresh context) on ``base_url``."""

    def __init__(self, playwright: Playwright, base_url: str, cookies: dict[str, str],
                 chromium: str = "/usr/bin/chromium") -> None:
        self._browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        self._context = self._browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        self._context.add_cookies([{"name": name, "value": value, "url": base_url}
                                   for name, value in cookies.items()])
        self.page = self._context.new_page()
        self.frames: list[tuple[float, str]] = []  # (when, "rerun" sent | "finished" received)
        self.page.on("websocket", self._watch)
        self.base_url = base_url
        began = time.perf_counter()
        self.page.goto(base_url, wait_until="domcontentloaded")
        self.page.locator("[data-testid='stSidebarNav']").wait_for(state="attached", timeout=90_000)
        self.page.wait_for_selector(IDLE, timeout=90_000)
        self.opened_seconds = time.perf_counter() - began

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                self.frames.append((time.perf_counter(), "rerun"))

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished" and message.script_finished in ENDS_A_RUN:
                self.frames.append((time.perf_counter(), "finished"))

    def switch(self, url_path: str, timeout_ms: float = 90_000) -> float:
        """Click the sidebar link to ``url_path``; seconds until the page's script has finished and it is idle."""
        return self.timed_switch(url_path, timeout_ms)[0]

    def timed_switch(self, url_path: str, timeout_ms: float = 90_000) -> tuple[float, float]:
        """(click → idle, the browser's rerun request → script finished on its websocket) in seconds."""
        link = self.page.locator(f"[data-testid='stSidebarNav'] a[href$='/{url_path}']").first
        self.frames.clear()
        started = self.page.evaluate(ARM)
        link.click()
        finished = self.page.evaluate("window.__perfdashDone")
        self.page.wait_for_selector(IDLE, timeout=timeout_ms)
        reruns = [when for when, kind in self.frames if kind == "rerun"]
        ends = [when for when, kind in self.frames if kind == "finished"]
        on_the_wire = ends[-1] - reruns[0] if reruns and ends else float("nan")
        return (float(finished) - float(started)) / 1000, on_the_wire

    def close(self) -> None:
        self._context.close()
        self._browser.close()


def browser_switches(base_url: str, cookies: dict[str, str], paths: Sequence[str], until: float,
                     results: list[float], errors: list[str]) -> None:
    """Switch round ``paths`` until ``until`` (monotonic), appending each switch's seconds (runs in a thread)."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            tab = BrowserTab(playwright, base_url, cookies)
        except Error as error:
            errors.append(f"browser open: {str(error)[:200]}")
            return
        index = 0
        while time.monotonic() < until:
            try:
                results.append(tab.switch(paths[index % len(paths)]))
            except Error as error:
                errors.append(f"browser switch: {str(error)[:200]}")
            index += 1
            time.sleep(1.0)
        tab.close()
