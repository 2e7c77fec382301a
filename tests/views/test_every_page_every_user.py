"""Every page in every demo user's navigation opens without a crash (AppTest, login bypassed).

The users are the active users of the seeded database (the parametrisation comes from the same demo build,
and the first test checks that it matches the database). One database copy serves the whole module: opening
pages only reads.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

import webapp.i18n
from data_access.demo.generator import build
from tests.conftest import SMALL_DEMO
from tests.views.conftest import APP, app_environment
from webapp.navigation import page_paths_for


@cache
def _demo_users() -> tuple[str, ...]:
    """The active users the seeded test database is built with (collection cannot reach the database)."""
    return tuple(row["username"] for row in build(**SMALL_DEMO).tables["users"] if row["is_active"])


@pytest.fixture(scope="module")
def shared_app_db(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy of the seeded database and the app's settings for the whole module (read-only use)."""
    path = tmp_path_factory.mktemp("every-page") / "app.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    with pytest.MonkeyPatch.context() as monkeypatch, app_environment(path, monkeypatch):
        yield path


def _users_in(database: Path) -> dict[str, str]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT username, role FROM users WHERE is_active")).all()
    engine.dispose()
    return dict(rows)


def open_as(username: str, language: str | None = None) -> AppTest:
    """The app as ``username`` with the login bypassed (the server still checks the session every run), in the
    user's remembered language or in ``language`` from the first run."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    if language is not None:
        at.session_state["lang"] = at.session_state["language_choice"] = language
        at.session_state["lang_loaded_for"] = _user_ids()[username]
    return at.run()


@cache
def _user_ids() -> dict[str, int]:
    return {row["username"]: row["id"] for row in build(**SMALL_DEMO).tables["users"]}


def test_the_users_opened_below_are_exactly_the_active_users_of_the_seeded_database(shared_app_db):
    assert set(_demo_users()) == set(_users_in(shared_app_db))


def _broken_pages(at: AppTest, role: str) -> dict[str, list[str]]:
    """Each page of the role's navigation that showed an exception or an error, with what it showed."""
    broken = {}
    for page in page_paths_for(role):
        at.switch_page(page).run()
        problems = [e.value for e in at.exception] + [e.value for e in at.error]
        if problems:
            broken[page] = problems
    return broken


@pytest.mark.parametrize("username", _demo_users())
def test_every_page_in_a_users_navigation_opens_without_an_exception_or_error(shared_app_db, username):
    at = open_as(username)
    assert _broken_pages(at, _users_in(shared_app_db)[username]) == {}


ONE_USER_A_ROLE = ("admin", "leader", "analyst", "auditor", "official_longting", "pm_kaifeng1", "expert01")


@pytest.mark.parametrize(("language", "username"),
                         [("vi", username) for username in ONE_USER_A_ROLE] + [("th", "leader")])
def test_every_page_opens_in_vietnamese_and_thai_without_an_exception_or_error(shared_app_db, language, username,
                                                                              monkeypatch):
    # AppTest calls a widget's format_func outside the script run, where the session (and its language) is empty.
    monkeypatch.setattr(webapp.i18n, "DEFAULT_LANGUAGE", language)
    at = open_as(username, language)
    assert _broken_pages(at, _users_in(shared_app_db)[username]) == {}
    assert at.session_state["lang"] == language


def _figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


@pytest.mark.usefixtures("shared_app_db")
def test_a_manager_of_street_projects_sees_their_district_in_the_overview_ranking():
    at = open_as("pm_nanjing1").switch_page("views/overview.py").run()  # a manager starts at My tasks
    ranking = _figure(at, 1)
    assert ranking["layout"]["yaxis"]["ticktext"] == ["1. 玄武区"]


@pytest.mark.usefixtures("shared_app_db")
def test_a_manager_of_street_projects_sees_their_district_in_the_city_scorecard():
    at = open_as("pm_nanjing1").switch_page("views/scorecards.py").run()
    assert not at.exception
    assert at.dataframe[0].value["区域"].tolist() == ["玄武区"]


def test_a_manager_of_street_projects_can_open_a_project_scorecard_with_breadcrumbs(shared_app_db):
    engine = create_engine(f"sqlite:///{shared_app_db}")
    with engine.connect() as connection:
        project_id = connection.execute(text(
            "SELECT p.id FROM projects p JOIN users u ON u.id = p.manager_id WHERE u.username = 'pm_nanjing1' "
            "ORDER BY p.id LIMIT 1")).scalar()
    engine.dispose()
    at = open_as("pm_nanjing1").switch_page("views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.error
    assert "玄武区" in [link.label for link in at.get("page_link")]


@pytest.mark.usefixtures("shared_app_db")
def test_a_manager_of_street_projects_can_choose_their_district_on_the_heat_map():
    at = open_as("pm_nanjing1").switch_page("views/heatmaps.py").run()
    assert not at.exception
    district = _figure(at, 0)
    assert district["layout"]["yaxis"]["ticktext"] == ["玄武区"]
    choice = at.selectbox(key="heat_district_choice")
    assert choice.options == ["—", "玄武区"]
