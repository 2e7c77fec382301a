"""After a scope change the old viewer's pages follow at once: no cached rows of the old scope, and inbox
messages about a project moved away are shown without their content."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from streamlit.testing.v1 import AppTest

from data_access import list_projects, update_project
from data_access.alerts import inbox, list_alerts
from tests.conftest import as_viewer
from tests.views.conftest import APP


@pytest.fixture
def engine(app_env: Path) -> Engine:
    engine = create_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _open_as(username: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    return at.run().switch_page(page).run()


def _give_away_a_messaged_project(engine: Engine, from_username: str, to_username: str) -> dict:
    """As the admin (straight through the data layer, as another server process would), give one of
    ``from_username``'s projects that their inbox talks about to ``to_username``; returns that project."""
    admin, old = as_viewer(engine, "admin"), as_viewer(engine, from_username)
    alert_ids = set(inbox(engine, old)["alert_id"].dropna().astype(int))
    alerts = list_alerts(engine, admin)
    project_ids = set(alerts.loc[alerts["id"].isin(alert_ids), "project_id"])
    projects = list_projects(engine, old)
    project = projects[projects["id"].isin(project_ids)].iloc[0].to_dict()
    update_project(engine, admin, int(project["id"]), int(project["version"]),
                   {"manager_id": as_viewer(engine, to_username).user_id})
    return project


def test_a_project_given_to_another_manager_leaves_the_old_managers_pages_on_the_next_run(engine):
    at = _open_as("pm_kaifeng1", "views/projects.py")
    before = at.dataframe[0].value["编号"].tolist()
    project = _give_away_a_messaged_project(engine, "pm_kaifeng1", "pm_kaifeng2")
    assert project["code"] in before
    at.run()  # the next rerun, well inside the 60-second cache lifetime
    assert not at.exception
    after = at.dataframe[0].value["编号"].tolist()
    assert sorted(after) == sorted(code for code in before if code != project["code"])
    at.switch_page("views/overview.py").run()
    assert {m.label: m.value for m in at.metric}["项目总数"] == str(len(after))


def test_inbox_messages_about_a_project_moved_away_show_no_code_name_text_or_link(engine):
    at = _open_as("pm_kaifeng1", "views/inbox.py")
    project = _give_away_a_messaged_project(engine, "pm_kaifeng1", "pm_kaifeng2")
    moved = list_alerts(engine, as_viewer(engine, "admin"), project_id=int(project["id"]))["id"]
    at.run()
    assert not at.exception and not at.error
    shown = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.text])
    assert "一条消息涉及的项目已不在您的权限范围内" in shown
    assert project["code"] not in shown and project["name_zh"] not in shown
    links = {link.proto.query_string for link in at.get("page_link")}
    assert links and not links & {f"alert={alert_id}" for alert_id in moved}
