"""A Streamlit session without a browser: the websocket and protobuf messages a browser tab exchanges, for load.

One :class:`StreamlitSession` is one browser tab: it connects to ``ws://…/_stcore/stream`` (through nginx, with the
tab's cookies: the login cookie and nginx's route cookie), asks for a run of a page (``BackMsg.rerun_script``
with the page's script hash and the widget states) and reads ``ForwardMsg``s until the script has finished. A run
is timed from the request to the ``script_finished`` that ends it (a run cut short by ``st.rerun`` or
``st.switch_page`` — the login from the cookie, a page switch — continues into the next one, as in a browser).
Errors are counted as a browser would show them: exception elements in the page, a page not found, a script that
did not compile, a dropped connection.

The login is the app's own: :func:`login_cookies` logs in once with Playwright through nginx and returns the
cookies the browser then holds; every websocket session of that user presents them (``st.context.cookies``), and
perfdash logs it in from the remembered cookie as it would a returning browser.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

FINISHED = ForwardMsg.ScriptFinishedStatus
ENDS_A_RUN = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR,
              FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
UPSTREAM_HEADER = "X-Perfdash-Upstream"


class SessionError(RuntimeError):
    """The session could not be opened, or the server closed it (a replica that died, a refused handshake)."""


@dataclass(frozen=True)
class Page:
    """A page of the navigation the server sent: what a browser's sidebar link asks for."""

    script_hash: str
    name: str
    url_path: str


@dataclass(frozen=True)
class Choice:
    """A single-choice widget (selectbox, radio) the page drew: enough to change it as a user would."""

    widget_id: str
    kind: str
    options: tuple[str, ...]
    current: str | None


@dataclass
class RunResult:
    """What one run (request → script finished) showed: its time, the page it ended on, and what went wrong."""

    seconds: float
    page_hash: str
    elements: int = 0
    exceptions: list[str] = field(default_factory=list)
    page_not_found: bool = False
    compile_error: bool = False
    choices: list[Choice] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.exceptions) + int(self.page_not_found) + int(self.compile_error)


@dataclass
class RunReader:
    """Folds the ForwardMsgs of one run into a :class:`RunResult` (kept apart from the socket to test it)."""

    started: float
    page_hash: str = ""
    elements: int = 0
    exceptions: list[str] = field(default_factory=list)
    page_not_found: bool = False
    compile_error: bool = False
    choices: dict[str, Choice] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    session_id: str = ""

    def read(self, message: ForwardMsg) -> bool:
        """Take one message in; True when it ends the run."""
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id or self.session_id
            self.page_hash = message.new_session.page_script_hash
            self.elements, self.choices = 0, {}  # a new run of the script (after st.rerun / st.switch_page)
            self.exceptions.clear()
        elif kind == "navigation":
            self.pages = [Page(page.page_script_hash, page.page_name, page.url_pathname)
                          for page in message.navigation.app_pages]
            self.page_hash = message.navigation.page_script_hash or self.page_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
        elif kind == "page_not_found":
            self.page_not_found = True
        elif kind == "script_finished":
            if message.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                self.compile_error = True
            return message.script_finished in ENDS_A_RUN
        return False

    def _element(self, element) -> None:
        self.elements += 1
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind in ("selectbox", "radio"):
            widget = getattr(element, kind)
            if not widget.disabled and len(widget.options) > 1:
                current = widget.options[widget.default] if 0 <= widget.default < len(widget.options) else None
                self.choices[widget.id] = Choice(widget.id, kind, tuple(widget.options), current)

    def result(self, now: float) -> RunResult:
        return RunResult(now - self.started, self.page_hash, self.elements, list(self.exceptions),
                         self.page_not_found, self.compile_error, list(self.choices.values()))


def rerun_message(page: Page | None, widgets: Iterable[WidgetState] = (), *, locale: str = "zh-CN") -> bytes:
    """The BackMsg a browser sends to run a page (``None``: the app's address) with the given widget values."""
    message = BackMsg()
    state = message.rerun_script
    if page is not None:
        state.page_script_hash = page.script_hash
        state.page_name = page.url_path
    state.widget_states.widgets.extend(widgets)
    state.context_info.timezone = "Asia/Shanghai"
    state.context_info.timezone_offset = -480
    state.context_info.locale = locale
    return message.SerializeToString()


def choose(choice: Choice, option: str) -> WidgetState:
    """The widget state of a selectbox or radio set to ``option`` (both send the option's text)."""
    return WidgetState(id=choice.widget_id, string_value=option)


def another_option(choice: Choice, current: str | None = None) -> str:
    """The option after the current one (``current`` if this tab set it, else the page's default), wrapping."""
    shown = current if current is not None else choice.current
    index = choice.options.index(shown) if shown in choice.options else -1
    return choice.options[(index + 1) % len(choice.options)]


class StreamlitSession:
    """One browser tab's session over the websocket (use ``await StreamlitSession.open(...)``, then ``run``)."""

    def __init__(self, connection: ClientConnection, replica: str) -> None:
        self._connection = connection
        self.replica = replica
        self.pages: list[Page] = []
        self.session_id = ""
        self.widgets: dict[str, WidgetState] = {}

    @classmethod
    async def open(cls, base_url: str, cookies: dict[str, str], *, timeout: float = 30.0,
                   session_id: str = "") -> StreamlitSession:
        """Connect as a browser tab holding ``cookies``; ``session_id`` asks to resume a session (a reconnect)."""
        url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        # Streamlit reads the subprotocol list as (protocol, XSRF token, session to resume)
        protocols = [Subprotocol(p) for p in (["streamlit", "none", session_id] if session_id else ["streamlit"])]
        try:
            connection = await connect(url, additional_headers={"Cookie": cookie} if cookie else None,
                                       subprotocols=protocols, open_timeout=timeout, max_size=200 * 2**20,
                                       ping_interval=None)  # permessage-deflate offered, as browsers do
        except (TimeoutError, OSError, InvalidHandshake) as error:
            raise SessionError(f"websocket handshake failed: {error}") from error
        headers = connection.response.headers if connection.response is not None else {}
        replica = headers.get(UPSTREAM_HEADER, "").split(",")[-1].strip()
        return cls(connection, replica)

    async def run(self, page: Page | None = None, widgets: Iterable[WidgetState] = (), *,
                  timeout: float = 60.0) -> RunResult:
        """Ask for a run of ``page`` and wait until the script has finished; SessionError if the socket dies."""
        for state in widgets:
            self.widgets[state.id] = state
        started = time.perf_counter()
        try:
            await self._connection.send(rerun_message(page, self.widgets.values()))
        except ConnectionClosed as error:
            raise SessionError("the server closed the session") from error
        reader = RunReader(started)
        deadline = started + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise SessionError(f"no script_finished within {timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self._connection.recv(), remaining)
            except TimeoutError as error:
                raise SessionError(f"no script_finished within {timeout:.0f} s") from error
            except ConnectionClosed as error:
                raise SessionError("the server closed the session") from error
            if isinstance(data, str):
                continue
            message = ForwardMsg()
            message.ParseFromString(data)
            if reader.read(message):
                break
        if reader.pages:
            self.pages = reader.pages
        self.session_id = reader.session_id or self.session_id
        return reader.result(time.perf_counter())

    def change(self, choice: Choice) -> WidgetState:
        """The widget state of ``choice`` moved to its next option (from what this tab last set)."""
        held = self.widgets.get(choice.widget_id)
        return choose(choice, another_option(choice, held.string_value if held is not None else None))

    def page(self, url_path: str) -> Page | None:
        """The page of this session's navigation at ``url_path`` (``None`` when the user does not have it)."""
        return next((page for page in self.pages if page.url_path == url_path), None)

    async def close(self) -> None:
        await self._connection.close()


def login_cookies(base_url: str, usernames: Iterable[str], password: str = "Demo@2026",
                  chromium: str = "/usr/bin/chromium") -> dict[str, dict[str, str]]:
    """Log each user in once through the real login form (Playwright): the cookies each browser then holds."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    cookies: dict[str, dict[str, str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        for username in usernames:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(base_url, wait_until="domcontentloaded")
            idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
            page.wait_for_selector(idle, timeout=60_000)
            page.get_by_label("用户名", exact=True).fill(username)
            page.get_by_label("密码", exact=True).fill(password)
            page.get_by_role("button", name="登录").click()
            for _ in range(300):
                held = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
                if "perfdash_auth" in held:
                    break
                page.wait_for_timeout(100)
            else:
                raise SessionError(f"{username}: the login cookie was never set")
            held.pop("perfdash_route", None)  # every load session gets its own route, as a new browser would
            cookies[username] = held
            context.close()
        browser.close()
    return cookies
