"""AppTest fixtures: the real app over a seeded SQLite database, logged in through the real form or not."""
from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, create_engine, select
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from data_access.db import reset_engine_cache
from data_access.models import Project, User
from services.rating_rounds import DEFAULT_CRITERIA, RoundSpec, open_round, with_expert_group
from tests.conftest import as_viewer, remove_sqlite_file, scratch_sqlite_path

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "Demo@2026"


class CompiledOnce(ScriptCache):
    """Streamlit's script cache, sharing what it compiled with every other one in this process.

    AppTest makes a new cache for every run, so every run of every test compiled app.py and the page again (read,
    magic rewrite of the syntax tree, compile: about 25 ms of CPU a run, some thousands of runs in the suite). A
    script is compiled again when its file changes (path, size and modification time are the key)."""

    _compiled: dict[tuple[str, int, int], object] = {}

    def get_bytecode(self, script_path: str) -> object:
        path = os.path.abspath(script_path)
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._compiled:
            self._compiled[key] = super().get_bytecode(path)
        return self._compiled[key]


@pytest.fixture(autouse=True, scope="session")
def _scripts_compiled_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(app_test, "ScriptCache", CompiledOnce)
        monkeypatch.setattr(local_script_runner, "ScriptCache", CompiledOnce)
        yield


@pytest.fixture(autouse=True, scope="session")
def _components_scanned_once() -> Iterator[None]:
    """Every new AppTest scans the metadata of every installed distribution for Streamlit components (about
    0.25 s of CPU each, some hundreds of apps a run); nothing is installed during a run, so this process scans
    once and every app registers what that scan found."""
    scanned = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(manifest_scanner, "scan_component_manifests", lambda: list(scanned()))
        yield


@pytest.fixture
def app_db(seeded_sqlite_file: Path) -> Iterator[Path]:
    """A private copy of the seeded database (tests here log in, lock accounts and write), deleted after the test."""
    path = scratch_sqlite_path()
    shutil.copy(seeded_sqlite_file, path)
    yield path
    remove_sqlite_file(path)


@pytest.fixture
def app_env(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with app_environment(app_db, monkeypatch):
        yield app_db


@contextmanager
def app_environment(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's settings pointed at ``app_db``, with fresh caches before and after (any fixture scope)."""
    monkeypatch.setenv("PERFDASH_DATABASE_URL", f"sqlite:///{app_db}")
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    monkeypatch.setenv("PERFDASH_LOGIN_SLEEP", "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engine_cache()
    try:
        yield app_db
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        reset_engine_cache()


@pytest.fixture
def new_app(app_env: Path) -> Callable[[], AppTest]:  # noqa: ARG001 - needed for its effect: app env, fresh caches
    def make() -> AppTest:
        return AppTest.from_file(APP, default_timeout=30)
    return make


def open_page_as(username: str, page: str, lang: str = "zh", **params: object) -> AppTest:
    """``page`` as ``username`` (login bypassed), in ``lang``, with ``params`` in the URL; no exception."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    at.run()
    if lang != "zh":
        at.sidebar.segmented_control(key="language_choice").set_value(lang).run()
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill in and submit the real login form."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


@pytest.fixture
def logged_in(new_app: Callable[[], AppTest]) -> Callable[..., AppTest]:
    """An app logged in as ``username`` through the form, optionally on ``page``."""
    def open_as(username: str, page: str | None = None) -> AppTest:
        at = login(new_app().run(), username)
        assert at.session_state["authentication_status"] is True, [e.value for e in at.error]
        return at.switch_page(page).run() if page else at
    return open_as


@dataclass(frozen=True)
class Round:
    """A rating round a test opened in its own database copy (``engine``)."""

    id: int
    projects: list[int]
    codes: list[str]
    engine: Engine


@pytest.fixture
def round_db(app_env: Path) -> Iterator[Round]:
    """The app over a private copy of the demo with one open round, opened by the analyst: the first two active
    projects of pm_kaifeng1 for 2026-10 (after the demo's closed rounds, and a month none of its rounds rates),
    experts expert01 and expert02, two peers."""
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        manager = connection.execute(select(User.id).where(User.username == "pm_kaifeng1")).scalar_one()
        experts = connection.execute(select(User.id).where(User.username.in_(["expert01", "expert02"]))
                                     .order_by(User.username)).scalars().all()
        rows = connection.execute(select(Project.id, Project.code).where(Project.manager_id == manager,
                                                                         Project.status == "active")
                                  .order_by(Project.id).limit(2)).all()
    projects = [row.id for row in rows]
    spec = RoundSpec(name_zh="测试评分", name_en="Test round", period=dt.date(2026, 10, 1),
                     criteria=list(DEFAULT_CRITERIA), project_ids=projects,
                     deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=10),
                     group_weights=with_expert_group(0.3), experts={p: list(experts) for p in projects},
                     peers_per_project=2)
    round_id = open_round(engine, as_viewer(engine, "analyst"), spec)
    yield Round(round_id, projects, [row.code for row in rows], engine)
    engine.dispose()
