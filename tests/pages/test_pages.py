"""Every page through Streamlit's AppTest, over a seeded SQLite database, as several demo users."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.db import reset_engine_cache

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(seeded_sqlite_file, monkeypatch):
    def open_page(page: str, user: str = "leader") -> AppTest:
        monkeypatch.setenv("PERFDASH_DATABASE_URL", f"sqlite:///{seeded_sqlite_file}")
        monkeypatch.setenv("PERFDASH_DEMO", "1")
        monkeypatch.setenv("PERFDASH_DEMO_USER", user)
        at = AppTest.from_file(APP, default_timeout=30).run()
        return at.switch_page(page).run()

    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engine_cache()
    yield open_page
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engine_cache()


def test_overview_counts_the_leaders_projects(app):
    at = app("pages/overview.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["项目总数 Projects"] == "80"
    assert len(at.get("plotly_chart")) == 1


def test_overview_for_an_official_counts_only_own_district(app):
    at = app("pages/overview.py", user="official_longting")
    metrics = {m.label: m.value for m in at.metric}
    assert 0 < int(metrics["项目总数 Projects"]) < 80


def test_projects_table_filters_by_status(app):
    at = app("pages/projects.py")
    assert at.dataframe[0].value.shape[0] == 80
    at.multiselect(key="projects_status").select("completed").run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) < 80 and set(shown["status"]) == {"completed"}


def test_map_draws_one_point_per_visible_project(app):
    import json

    at = app("pages/map.py", user="official_xuanwu")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = spec["layers"][0]["data"]
    assert points and {p["region_zh"][-2:] for p in points} <= {"街道"}


def test_unknown_demo_user_gets_a_clear_message(app):
    at = app("pages/overview.py", user="nobody")
    assert not at.exception
    assert "不存在或已停用" in at.error[0].value


def test_unreachable_database_is_a_message_not_a_traceback(app, monkeypatch):
    from devtools.pg_cluster import _free_port

    monkeypatch.setenv("PERFDASH_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{_free_port()}/none")
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "无法连接数据库" in at.error[0].value
