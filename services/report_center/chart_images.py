"""Plotly figures as PNG bytes for printed reports, drawn offline by kaleido with Debian's Chromium.

Offline means four things: kaleido's page loads plotly.js from the installed plotly package (a file:// URL),
MathJax is off (kaleido would fetch it from a CDN), Chromium's own background traffic is switched off, and the
browser is started with a proxy that goes nowhere, so that a figure asking for something remote (a layout
image, a map's topojson) fails instead of reaching out.
One browser draws every figure of a report (starting one costs about 2 s); :class:`ChartRenderer` keeps it open
until closed, so a job building several reports can share it.
"""
from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import kaleido
import plotly
import plotly.graph_objects as go
from choreographer.browsers.chromium import Chromium

CHART_FONT = "Noto Sans CJK SC, Noto Sans Thai"  # as report.css: Thai from the second
DEFAULT_BROWSER = "/usr/bin/chromium"
NOWHERE_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, every proxied request fails at once
NO_HOSTS = "MAP * ~NOTFOUND"  # Chromium's host resolver rules: no name resolves, not even a DNS query leaves
PRINT_WIDTH_PX = 800  # figures are drawn this wide (CSS px) and scaled to the page, so labels stay legible
PRINT_SCALE = 2.5  # 2,000 device pixels across ~17 cm of paper: about 300 dpi
_T = TypeVar("_T")


def plotly_js() -> Path:
    """The plotly.js bundled with the installed plotly package (the version the figures were built for)."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def offline_page() -> kaleido.PageGenerator:
    """kaleido's rendering page with local scripts only: plotly.js from the package, no MathJax."""
    return kaleido.PageGenerator(plotly=plotly_js().as_uri(), mathjax=False)


class QuietChromium(Chromium):
    """Chromium without traffic of its own. Debian's build, even headless with a fresh profile, otherwise asks
    accounts.google.com, update.googleapis.com, clients2.google.com (network time) and preconnects to its search
    engine (start.duckduckgo.com). Google's service URLs point at the discard port, and by default no host name
    resolves (:data:`NO_HOSTS`), which also stops the search-engine preconnect that no flag switches off."""

    QUIET_FLAGS = (
        "--disable-background-networking", "--disable-client-side-phishing-detection", "--disable-default-apps",
        "--disable-domain-reliability", "--no-pings", "--dns-prefetch-disable", "--no-service-autorun",
        "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
        "NetworkTimeServiceQuerying",
        f"--gaia-url={NOWHERE_PROXY}", f"--google-apis-url={NOWHERE_PROXY}", f"--lso-url={NOWHERE_PROXY}",
        f"--google-base-url={NOWHERE_PROXY}", f"--component-updater=url-source={NOWHERE_PROXY}",
    )

    def __init__(self, channel: Any, path: Path | str | None = None, *, host_rules: str = NO_HOSTS,
                 **kwargs: Any) -> None:
        super().__init__(channel, path, **kwargs)
        self.host_rules = host_rules

    def get_cli(self) -> list[str]:
        """choreographer's command line plus :attr:`QUIET_FLAGS` and the host resolver rules."""
        rules = [f"--host-resolver-rules={self.host_rules}"] if self.host_rules else []
        return [*super().get_cli(), *self.QUIET_FLAGS, *rules]


def browser_path() -> str:
    """Debian's Chromium, unless ``BROWSER_PATH`` names another (kaleido's own variable)."""
    return os.environ.get("BROWSER_PATH") or DEFAULT_BROWSER


def print_figure(figure: go.Figure, width: int, height: int) -> tuple[go.Figure, int, int]:
    """A copy of ``figure`` set in the report's fonts and its drawing size: at most :data:`PRINT_WIDTH_PX` wide,
    the aspect kept (a 1,200 px figure scaled onto A4 would print its labels at 6 px)."""
    printable = go.Figure(figure)
    printable.update_layout(font_family=CHART_FONT)
    draw_width = min(width, PRINT_WIDTH_PX)
    return printable, draw_width, round(height * draw_width / width)


class ChartRenderer:
    """An open headless browser that turns plotly figures into PNG bytes; close it (or use :func:`renderer`).

    kaleido is asynchronous: the browser lives on an event loop in a thread of its own, and :meth:`png` may be
    called from any thread (Streamlit's script threads, a job's main thread). ``proxy_server`` and
    ``host_rules`` are for tests that record what the browser asks for; keep the defaults otherwise.
    """

    def __init__(self, *, proxy_server: str = NOWHERE_PROXY, host_rules: str = NO_HOSTS) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-renderer", daemon=True)
        self._thread.start()
        try:
            self._kaleido = self._run(self._open(proxy_server, host_rules))
        except BaseException:
            self._stop_loop()
            raise

    async def _open(self, proxy_server: str, host_rules: str) -> kaleido.Kaleido:
        browser = kaleido.Kaleido(page_generator=offline_page(), path=browser_path(), proxy_server=proxy_server,
                                  host_rules=host_rules, browser_cls=QuietChromium, enable_extensions=False)
        await browser.open()
        return browser

    def _run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def png(self, figure: go.Figure, width: int, height: int) -> bytes:
        """``figure`` drawn as a PNG for print (see :func:`print_figure` for the size)."""
        printable, draw_width, draw_height = print_figure(figure, width, height)
        options = {"format": "png", "width": draw_width, "height": draw_height, "scale": PRINT_SCALE}
        image: bytes = self._run(self._kaleido.calc_fig(printable, opts=options))
        return image

    def close(self) -> None:
        """Shut the browser and its event loop down."""
        try:
            self._run(self._kaleido.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@contextmanager
def renderer() -> Iterator[ChartRenderer]:
    """A :class:`ChartRenderer` for the duration of a ``with`` block."""
    chart_renderer = ChartRenderer()
    try:
        yield chart_renderer
    finally:
        chart_renderer.close()
