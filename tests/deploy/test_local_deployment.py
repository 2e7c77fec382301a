"""The local production-shaped deployment (deploy.local): PostgreSQL, two Streamlit replicas, the API with two
workers and nginx, started on free ports in a temporary directory — health through nginx, session affinity, a
write through the API seen by both replicas' next run (a replica killed under load: bench/bench_faults.py)."""
from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.api_tokens import create_token
from data_access.db import create_database_engine
from data_access.models import Indicator, Observation, Project
from deploy.local import UPSTREAM_HEADER, Deployment, nginx_binary, start, stop
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
    started = time.monotonic()
    running = start(state_dir, http_port=_free_port(), app_ports=(_free_port(), _free_port()), api_port=_free_port(),
                    pg_port=_free_port(), demo_args=("--projects", "20", "--months", "6"), demo_story=False,
                    wait_seconds=40)
    assert time.monotonic() - started < 45
    with pytest.MonkeyPatch.context() as patch:  # this process writes to the deployment's audit chain too
        patch.setenv("PERFDASH_AUDIT_KEY", running.env["PERFDASH_AUDIT_KEY"])
        yield running
    pg_dir = Path(json.loads((state_dir / "deployment.json").read_text())["pg_dir"])
    stop(state_dir)
    assert not (state_dir / "deployment.json").exists() and not pg_dir.exists()
    for group in running.pids.values():  # every process group it started is gone (nginx: its master's pid)
        with pytest.raises(ProcessLookupError):
            os.killpg(group, 0)


def _get(url: str, path: str, route: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with a fresh connection (a browser-like client that has only the route cookie, if any)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Cookie": f"perfdash_route={route}"} if route else {})
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer.status, {name.lower(): value for name, value in answer.getheaders()}, body


def _replica(headers: dict[str, str]) -> str:
    """The replica that finally answered ($upstream_addr lists every one tried)."""
    return headers[UPSTREAM_HEADER.lower()].split(",")[-1].strip()


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


def _push_one_figure(deployment: Deployment) -> dict:
    engine = create_database_engine(deployment.database_url)
    token = create_token(engine, as_viewer(engine, "admin"), name="财政局 finance", region_id=None,
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
                         "value": 55.5}).encode(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "deploy-test-1",
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 201
            return json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        raise AssertionError(refused.read().decode()) from None


@pytest.fixture(scope="module")
def browser_page():
    """One browser for the module: logged in once (through nginx), it keeps its cookies from test to test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        yield context.new_page()
        browser.close()


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


def test_stop_where_no_deployment_is_recorded_does_nothing(tmp_path):
    stop(tmp_path)
    assert list(tmp_path.iterdir()) == []
