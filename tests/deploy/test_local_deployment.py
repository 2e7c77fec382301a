"""The local production-shaped deployment (deploy.local): PostgreSQL, two Streamlit replicas, the API with two
workers and nginx, started on free ports in a temporary directory — health through nginx, session affinity, a
write through the API seen by both replicas' next run, a killed replica's routes (requests and websockets) served
by the other at once, and a browser whose replica is killed reconnecting to the other, still logged in (the same
kill under load: bench/bench_faults.py)."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.api_tokens import create_token
from data_access.db import create_database_engine
from data_access.models import Indicator, Observation, Project
from deploy.local import UPSTREAM_HEADER, Deployment, kill_replica, nginx_binary, restart_replica, start, stop
from devtools.pg_cluster import _free_port, find_binaries
from tests.conftest import as_viewer
from tests.e2e.conftest import CHROMIUM_ARGS, _chromium, log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e  # one worker for the browser tests: this one drives Chromium and five servers
PAGE_TIMEOUT_MS = 60_000  # a replica's page on a CI machine whose two cores run the rest of the suite too


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Deployment:
    if nginx_binary() is None or find_binaries() is None:
        pytest.skip("nginx or PostgreSQL is not installed (.ci/run installs both)")
    state_dir = tmp_path_factory.mktemp("deploy-local")
    # Bounded by start's own waits (generous: a CI machine runs the rest of the suite beside it). Whatever fails
    # after start, stop runs: a deployment left running would slow down the rest of the suite.
    running = start(state_dir, http_port=_free_port(), app_ports=(_free_port(), _free_port()), api_port=_free_port(),
                    pg_port=_free_port(), demo_args=("--projects", "20", "--months", "6"), demo_story=False,
                    wait_seconds=120)
    try:
        pg_dir = Path(json.loads((state_dir / "deployment.json").read_text())["pg_dir"])
        with pytest.MonkeyPatch.context() as patch:  # this process writes to the deployment's audit chain too
            patch.setenv("PERFDASH_AUDIT_KEY", running.env["PERFDASH_AUDIT_KEY"])
            yield running
    finally:
        stop(state_dir)
    assert not (state_dir / "deployment.json").exists() and not pg_dir.exists()
    for group in running.pids.values():  # every process group it started is gone (nginx: its master's pid)
        with pytest.raises(ProcessLookupError):
            os.killpg(group, 0)


def _get(url: str, path: str, route: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with a fresh connection (a browser-like client that has only the route cookie, if any)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path, headers={"Cookie": f"perfdash_route={route}"} if route else {})
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer.status, {name.lower(): value for name, value in answer.getheaders()}, body


def _tried(headers: dict[str, str]) -> list[str]:
    """Every replica nginx tried for the request, in order ($upstream_addr), the one that answered last."""
    return [replica.strip() for replica in headers[UPSTREAM_HEADER.lower()].split(",")]


def _replica(headers: dict[str, str]) -> str:
    """The replica that finally answered."""
    return _tried(headers)[-1]


def _replicas(deployment: Deployment) -> set[str]:
    return {url.removeprefix("http://") for url in deployment.app_urls}


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455: the server's answer proves it did the handshake


def _open_websocket(url: str, route: str) -> tuple[int, dict[str, str]]:
    """Streamlit's websocket handshake through nginx, as its frontend opens it; (status, headers) once upgraded."""
    host, port = url.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "/_stcore/stream", headers={
        "Cookie": f"perfdash_route={route}", "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "streamlit"})
    answer = connection.getresponse()
    headers = {name.lower(): value for name, value in answer.getheaders()}
    connection.close()
    accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
    assert answer.status != 101 or headers["sec-websocket-accept"] == accept
    return answer.status, headers


def _route_to(deployment: Deployment, replica: str) -> str:
    """A route cookie nginx sends to ``replica``: fresh random ones tried until one lands there."""
    for _ in range(200):  # each lands on one of two replicas: 200 misses in a row, odds of 1 in 10^60
        route = uuid.uuid4().hex
        status, headers, _body = _get(deployment.url, "/_stcore/health", route)
        if status == 200 and _tried(headers) == [replica]:
            return route
    raise AssertionError(f"no route reached {replica}")


@contextmanager
def _replica_killed(deployment: Deployment, replica: str) -> Iterator[str]:
    """``replica`` crashed (SIGKILL, its port refusing) for the block, which gets the other one; started again
    afterwards, so that the next test, or this one's rerun, again has two replicas — a rerun that killed "the
    replica that answered" on a deployment left with one killed the last one (every request then got 502)."""
    (survivor,) = _replicas(deployment) - {replica}
    assert _get(f"http://{survivor}", "/_stcore/health")[::2] == (200, b"ok")  # never kill the last live replica
    port = int(replica.rsplit(":", 1)[1])
    kill_replica(deployment, port)
    try:
        yield survivor
    finally:
        restart_replica(deployment, port)


def _ask_as_a_browser(url: str, route: str, kind: int) -> tuple[str, int, list[str]]:
    """What a browser asks nginx for with ``route``: the page, the health and host-config pings its frontend sends
    before it reconnects, and the websocket; (path, status, the replicas tried)."""
    if kind == 3:
        status, headers = _open_websocket(url, route)
        return "/_stcore/stream", status, _tried(headers)
    path = ("/", "/_stcore/health", "/_stcore/host-config")[kind]
    status, headers, _body = _get(url, path, route)
    return path, status, _tried(headers)


def _nginx_errors(deployment: Deployment) -> str:
    return (deployment.state_dir / "nginx" / "error.log").read_text(encoding="utf-8")


def test_the_app_and_the_api_are_healthy_through_nginx_with_the_database_checked(deployment):
    status, _headers, body = _get(deployment.url, "/_stcore/health")
    assert (status, body) == (200, b"ok")
    status, _headers, body = _get(deployment.url, "/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["data_version"] >= 1
    assert _get(deployment.url, "/docs")[0] == 200


def test_one_route_cookie_always_reaches_one_replica_and_new_browsers_are_spread(deployment):
    replicas = {url.removeprefix("http://") for url in deployment.app_urls}
    status, headers, _body = _get(deployment.url, "/")
    cookie = headers["set-cookie"]
    assert status == 200 and cookie.startswith("perfdash_route=") and "HttpOnly" in cookie
    route = cookie.split(";")[0].split("=", 1)[1]
    first = _replica(headers)
    assert first in replicas
    for _ in range(10):
        status, headers, _body = _get(deployment.url, "/_stcore/health", route)
        assert (status, _replica(headers)) == (200, first)
        assert "set-cookie" not in headers or not headers["set-cookie"].startswith("perfdash_route=")
    newcomers = {_replica(_get(deployment.url, "/_stcore/health")[1]) for _ in range(30)}
    assert newcomers == replicas  # 30 random routes all on one of two replicas: odds of 1 in 500 million


def _push_one_figure(deployment: Deployment, idempotency_key: str = "deploy-test-1", value: float = 55.5) -> dict:
    engine = create_database_engine(deployment.database_url)
    token = create_token(engine, as_viewer(engine, "admin"), name=f"财政局 finance {idempotency_key}", region_id=None,
                         scopes=["write_observations"]).secret
    with Session(engine) as session:  # a figure the demo already has: a month inside its project's span
        project, indicator, period = session.execute(
            select(Project.code, Indicator.code, Observation.period).join(Project, Project.id == Observation.project_id)
            .join(Indicator, Indicator.id == Observation.indicator_id).where(Indicator.code == "BUDGET_EXEC")
            .order_by(Observation.period.desc(), Project.code).limit(1)).one()
    engine.dispose()
    request = urllib.request.Request(
        f"{deployment.url}/api/v1/observations", method="POST",
        data=json.dumps({"project_code": project, "indicator_code": indicator, "period": f"{period:%Y-%m}",
                         "value": value}).encode(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 201
            return json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        raise AssertionError(refused.read().decode()) from None


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_page(browser):
    """One page for the module: logged in once (through nginx), it keeps its cookies from test to test."""
    return browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()


NO_PUSHES = "近 30 天没有通过接口推送的数据。"
TABLES = "[data-testid='stDataFrame']"


def test_a_write_through_the_api_shows_on_both_replicas_at_their_next_run(deployment, browser_page):
    page = browser_page
    empty = page.get_by_text(NO_PUSHES, exact=True)
    page.goto(deployment.url)  # through nginx: the page, its websocket and the login
    log_in(page, "admin")
    for url in deployment.app_urls:  # the login cookie works on either replica: one key, one sessions table
        page.goto(f"{url}/integrations")
        wait_until_idle(page)
        empty.wait_for(timeout=PAGE_TIMEOUT_MS)  # each replica has cached "no pushes" under the data version
    answer = _push_one_figure(deployment)
    assert answer["new"] + answer["changed"] == 1
    for index, url in enumerate(deployment.app_urls):
        page.goto(f"{url}/integrations")
        wait_until_idle(page)
        page.locator(TABLES).last.wait_for(timeout=PAGE_TIMEOUT_MS)  # the tokens, then the pushes: the new batch
        assert empty.count() == 0
        screenshot(page, f"deploy-local-replica-{index + 1}-pushes")


def test_a_killed_replica_s_routes_go_to_the_other_at_once_pages_pings_and_websockets(deployment):
    victim = deployment.app_urls[0].removeprefix("http://")
    route = _route_to(deployment, victim)
    logged = len(_nginx_errors(deployment))
    with _replica_killed(deployment, victim) as survivor:
        with ThreadPoolExecutor(8) as pool:  # right after the kill, eight at a time, as reconnecting tabs do
            answers = list(pool.map(lambda i: _ask_as_a_browser(deployment.url, route, i % 4), range(48)))
        newcomers = [_get(deployment.url, "/_stcore/health") for _ in range(10)]
    expected = {"/": 200, "/_stcore/health": 200, "/_stcore/host-config": 200, "/_stcore/stream": 101}
    # every request of the dead replica's route went to it first, was refused, and was answered by the other
    assert answers == [(path, expected[path], [victim, survivor]) for path in (*expected,) * 12]
    assert [(status, body, _replica(headers)) for status, headers, body in newcomers] == [(200, b"ok", survivor)] * 10
    errors = _nginx_errors(deployment)[logged:]
    assert "no live upstreams" not in errors and f"upstream: \"http://{survivor}" not in errors


def test_a_replica_back_from_a_crash_takes_every_route_at_once_when_the_other_is_killed(deployment):
    first, second = (url.removeprefix("http://") for url in deployment.app_urls)
    first_route, route = _route_to(deployment, first), _route_to(deployment, second)
    with _replica_killed(deployment, first):  # the first crashes, nginx meets its refusal, and it is started again
        assert _ask_as_a_browser(deployment.url, first_route, 1) == ("/_stcore/health", 200, [first, second])
    with _replica_killed(deployment, second) as survivor:  # at once: nginx must not hold the first's crash against it
        answers = [_ask_as_a_browser(deployment.url, route, kind) for kind in (1, 3, 0, 2)]
    assert survivor == first
    assert answers == [("/_stcore/health", 200, [second, first]), ("/_stcore/stream", 101, [second, first]),
                       ("/", 200, [second, first]), ("/_stcore/host-config", 200, [second, first])]


def _until(page, condition, what: str) -> None:
    """Wait for ``condition`` while Playwright delivers the page's events (a plain sleep would hold them back)."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {PAGE_TIMEOUT_MS / 1000:.0f} s: {what}")
        page.wait_for_timeout(100)


def test_a_browser_whose_replica_is_killed_reconnects_to_the_other_still_logged_in_and_sees_a_push(deployment,
                                                                                                   browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    sockets = []  # the tab's websockets (through nginx), in the order its frontend opened them
    page.on("websocket", lambda socket: sockets.append(socket))
    try:
        page.goto(f"{deployment.url}/inbox")  # a cheap page: the tab is logged in and idle before the kill
        page.get_by_label("用户名", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
        log_in(page, "admin", timeout_ms=PAGE_TIMEOUT_MS)
        # (Streamlit may briefly show a page's element twice, the previous run's copy beside the new one)
        page.get_by_role("heading", name="消息", exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        route = next(c["value"] for c in context.cookies() if c["name"] == "perfdash_route")
        victim = _replica(_get(deployment.url, "/_stcore/health", route)[1])
        key = f"replica-kill-{uuid.uuid4().hex[:8]}"
        _push_one_figure(deployment, key, value=66.5)  # acknowledged (201) before the kill
        before = len(sockets)
        with _replica_killed(deployment, victim) as survivor:
            # The tab sees its socket close and reconnects by itself (its frontend pings, then opens a new
            # websocket, which nginx gives the survivor); Streamlit runs nothing there until the user's next action.
            _until(page, lambda: sockets[before - 1].is_closed(), "the websocket to the killed replica closed")
            _until(page, lambda: len(sockets) > before and not sockets[-1].is_closed(), "a new websocket opened")
            assert _replica(_get(deployment.url, "/_stcore/health", route)[1]) == survivor  # where its route goes
            page.get_by_role("link", name="开放接口").click()  # the next action: run on the survivor, logged in
            pushed = page.locator(TABLES).last.get_by_role("gridcell", include_hidden=True).get_by_text(key, exact=True)
            pushed.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)  # read by the replica that took the tab over
            expect(page.get_by_role("heading", name="开放接口", exact=True).first).to_be_visible()
            expect(page.get_by_label("密码", exact=True)).to_have_count(0)  # still logged in: no login form
            screenshot(page, "deploy-local-after-replica-kill")
    finally:
        context.close()


def test_stop_where_no_deployment_is_recorded_does_nothing(tmp_path):
    stop(tmp_path)
    assert list(tmp_path.iterdir()) == []
