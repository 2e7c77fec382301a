"""Pages read through webapp.data: cached per viewer and data version, so a write made anywhere shows on the next
run without anyone clearing a cache, and a run with nothing new written reads nothing again."""
import pytest

import data_access
from data_access import data_version, writes
from tests.conftest import as_viewer


@pytest.fixture
def engine(app_env):
    engine = data_access.create_database_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


@pytest.fixture
def project_reads(monkeypatch):
    """Counts the reads of the project list that reach the database."""
    calls = []
    read = data_access.list_projects

    def counted(*args, **kwargs):
        calls.append(args[1].username)
        return read(*args, **kwargs)

    monkeypatch.setattr(data_access, "list_projects", counted)
    return calls


def _names_shown(at):
    return set(at.dataframe[0].value["项目名称"])


def test_a_write_made_outside_the_page_shows_on_its_next_run(logged_in, engine, project_reads):
    at = logged_in("leader", "views/projects.py")
    project = data_access.list_projects(engine, as_viewer(engine, "leader")).iloc[0]
    assert "另一个进程改的名字" not in _names_shown(at)
    project_reads.clear()

    writes.update_project(engine, as_viewer(engine, "admin"), int(project["id"]), int(project["version"]),
                          {"name_zh": "另一个进程改的名字"})  # as the scheduler, the API or another server would
    at.run()
    assert "另一个进程改的名字" in _names_shown(at)
    assert project_reads == ["leader"]  # read again once: the version moved on


def test_a_rerun_with_nothing_written_reads_the_project_list_from_the_cache(logged_in, engine, project_reads):
    at = logged_in("leader", "views/projects.py")
    version = data_version(engine)
    project_reads.clear()
    at.run()
    at.run()
    assert project_reads == []
    assert data_version(engine) == version
    assert len(_names_shown(at)) > 0


def test_the_version_moves_on_once_per_write_and_the_read_after_it_happens_once(logged_in, engine, project_reads):
    at = logged_in("admin", "views/projects.py")
    project = data_access.list_projects(engine, as_viewer(engine, "admin")).iloc[0]
    project_reads.clear()
    writes.update_project(engine, as_viewer(engine, "admin"), int(project["id"]), int(project["version"]),
                          {"name_zh": "第一次"})
    at.run()
    at.run()
    assert project_reads == ["admin"]
    assert "第一次" in _names_shown(at)


def test_a_failed_login_elsewhere_shows_on_the_users_and_audit_pages_without_moving_the_data_version(
        logged_in, engine):
    from data_access.auth import check_password

    at = logged_in("admin", "views/users.py")
    failed = dict(zip(at.dataframe[0].value["用户名"], at.dataframe[0].value["失败次数"], strict=True))
    version = data_version(engine)

    assert not check_password(engine, "pm_kaifeng1", "not the password")
    at.run()
    now_failed = dict(zip(at.dataframe[0].value["用户名"], at.dataframe[0].value["失败次数"], strict=True))
    assert now_failed["pm_kaifeng1"] == failed["pm_kaifeng1"] + 1
    assert data_version(engine) == version  # other users' cached pages stay cached
    at.switch_page("views/audit.py").run()
    assert at.dataframe[0].value.iloc[0]["action"] == "auth.failure"


def _change_the_portfolio_then_read_it_again() -> None:
    """The first run changes the portfolio it was handed in every way a page could; the next run reads it again."""
    import streamlit as st

    from webapp import data

    viewer = st.session_state["test_viewer"]
    data.refresh_version(viewer)
    frame = data.portfolio(viewer, None)
    if "as_read" in st.session_state:
        st.session_state["read_again"] = frame
        return
    st.session_state["as_read"] = frame.copy(deep=True)
    frame.loc[frame.index[0], "total"] = -999.0
    frame["page_column"] = 1
    frame.attrs["period"] = "changed"
    del frame[frame.columns[-2]]


def test_a_page_that_changes_the_portfolio_it_was_handed_changes_no_other_runs(engine):
    """The portfolio is cached as the object itself (``unpickled``), not a pickled copy per run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_change_the_portfolio_then_read_it_again, default_timeout=60)
    at.session_state["test_viewer"] = as_viewer(engine, "leader")
    at.run()
    at.run()
    assert not at.exception
    as_read, again = at.session_state["as_read"], at.session_state["read_again"]
    assert len(as_read) > 3 and again.equals(as_read) and list(again.columns) == list(as_read.columns)
    assert again.attrs == as_read.attrs and again.attrs["period"] != "changed"
