"""The target tree page (AppTest, login bypassed) for every role and demo user kind (small demo, seed 7).

Tongxu County holds the tourism OKR: objective 184 (official_tongxu) with key results 185 (project 54,
pm_kaifeng2) and 186. Longting District's task is goal 2; Shunhe Hui District's is goal 3.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, select
from streamlit.testing.v1 import AppTest

from data_access.models import AuditEntry, Goal, Project, User
from tests.views.conftest import app_environment, open_page_as

PAGE = "views/goals.py"


@pytest.fixture(scope="module")
def shared_app_db(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy of the seeded database for the read-only tests of this module."""
    path = tmp_path_factory.mktemp("goals-page") / "app.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    with pytest.MonkeyPatch.context() as monkeypatch, app_environment(path, monkeypatch):
        yield path


def open_page(username: str, lang: str = "zh") -> AppTest:
    return open_page_as(username, PAGE, lang)


def _table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _titles(at: AppTest) -> list[str]:
    return [title.lstrip("\u3000└ ") for title in _table(at).iloc[:, 0]]


def _rows(database: Path, statement):
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    engine.dispose()
    return rows


def _goal_titles(database: Path, *where) -> set[str]:
    return {row[0] for row in _rows(database, select(Goal.title_zh).where(*where))}


@pytest.mark.parametrize("username", ["admin", "leader", "analyst", "auditor", "official_longting",
                                      "official_tongxu", "pm_kaifeng1", "pm_kaifeng2", "pm_nanjing1"])
@pytest.mark.usefixtures("shared_app_db")
def test_the_page_opens_with_the_tree_and_the_table_for_every_kind_of_user(username):
    at = open_page(username)
    assert at.title[0].value == "目标分解"
    assert len(at.get("plotly_chart")) == 1
    assert len(_table(at)) > 0
    manages = username.startswith(("admin", "analyst", "official"))
    assert bool(at.expander) == manages  # the add/edit form only for MANAGE_GOALS roles
    assert not at.error


def test_an_official_sees_their_districts_branch_and_not_another_districts(shared_app_db):
    titles = _titles(open_page("official_longting"))
    assert "龙亭区重点项目按期完成率不低于90%" in titles
    assert titles[0] == "2026年开封市重点项目绩效全面提升"  # the city goal, as the branch's root
    others = _goal_titles(shared_app_db, Goal.level == "district_task", Goal.region_id != 2)
    assert not others & set(titles)
    assert "游客人次同比增长15%" not in titles


def test_a_project_manager_sees_their_projects_nodes(shared_app_db):
    at = open_page("pm_kaifeng2")
    [(manager_id,)] = _rows(shared_app_db, select(User.id).where(User.username == "pm_kaifeng2"))
    own = _rows(shared_app_db, select(Project.name_zh).where(Project.manager_id == manager_id))
    titles = set(_titles(at))
    assert {f"{name}按计划推进" for (name,) in own} <= titles
    assert "文旅设施改造完成90%" in titles  # the KR of their project 54
    assert "线上活动参与不少于5万人次" not in titles  # the county's own KR, no project of theirs
    others = _rows(shared_app_db, select(Project.name_zh).where(Project.manager_id != manager_id))
    assert not {f"{name}按计划推进" for (name,) in others} & titles


def test_mine_only_keeps_the_nodes_the_viewer_owns(shared_app_db):
    at = open_page("official_tongxu")
    at.toggle(key="goals_mine").set_value(True).run()
    [(official_id,)] = _rows(shared_app_db, select(User.id).where(User.username == "official_tongxu"))
    assert sorted(_titles(at)) == sorted(_goal_titles(shared_app_db, Goal.owner_id == official_id))
    assert set(_table(at)["责任人"]) == {"通许县督查专员"}


@pytest.mark.usefixtures("shared_app_db")
def test_focusing_a_branch_shows_the_node_and_its_sub_goals():
    at = open_page("official_tongxu")
    at.selectbox(key="goals_focus").set_value(184).run()
    table = _table(at)
    assert table.iloc[:, 0].tolist() == ["游客人次同比增长15%", "\u3000└ 文旅设施改造完成90%",
                                         "\u3000└ 线上活动参与不少于5万人次"]
    assert table["状态"].tolist()[1] in {"已逾期", "已完成"}  # due 31 Oct 2026


def _click(at: AppTest, goal_id: int) -> AppTest:
    """What the browser sends when a treemap box is clicked: the chart's selection, with the box's id."""
    at.session_state["goals_treemap"] = {"selection": {"points": [{"id": str(goal_id)}], "point_indices": [0],
                                                       "box": [], "lasso": []}}
    return at.run()


@pytest.mark.usefixtures("shared_app_db")
def test_clicking_a_box_focuses_its_branch_once_and_a_leaf_is_ignored():
    at = _click(open_page("official_tongxu"), 184)
    assert _titles(at) == ["游客人次同比增长15%", "文旅设施改造完成90%", "线上活动参与不少于5万人次"]
    at.selectbox(key="goals_focus").set_value(0).run()  # the click is still the chart's selection
    assert len(_titles(at)) > 3 and at.selectbox(key="goals_focus").value == 0
    at = _click(at, 186)  # a key result without sub-goals: nothing to focus on
    assert at.selectbox(key="goals_focus").value == 0


@pytest.mark.usefixtures("shared_app_db")
def test_the_english_page_shows_english_titles_and_headers():
    at = open_page("official_tongxu", lang="en")
    table = _table(at)
    assert at.title[0].value == "Targets & OKRs"
    assert list(table.columns) == ["Goal", "Type", "Owner", "Due date", "Actual / target", "Progress (%)",
                                   "Status", "Data coverage (%)"]
    assert "\u3000└ Visitors +15 % year on year" in table["Goal"].tolist()


@pytest.fixture
def private_app(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with app_environment(app_db, monkeypatch):
        yield app_db


def _text_input(at: AppTest, label: str):
    return next(widget for widget in at.text_input if widget.label == label)


def _submit(at: AppTest, label: str) -> Callable[[], AppTest]:
    return next(button for button in at.button if button.label == label).click().run()


def test_an_official_adds_a_key_result_through_the_form_and_it_is_audited(private_app):
    at = open_page("official_tongxu")
    at.selectbox(key="goals_parent").set_value(184).run()
    _text_input(at, "中文标题").input("夜游线路开通<script>")
    at = _submit(at, "保存")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "已保存。"
    assert "夜游线路开通<script>" in _titles(at)
    rows = _rows(private_app, select(Goal.parent_id, Goal.level, Goal.okr_type, Goal.region_id)
                 .where(Goal.title_zh == "夜游线路开通<script>"))
    assert rows == [(184, "project_target", "key_result", 8)]
    assert _rows(private_app, select(AuditEntry.action).where(AuditEntry.entity == "goal")) == [("goal.create",)]


def test_a_refused_edit_shows_the_reason_and_writes_nothing(private_app):
    at = open_page("official_tongxu")
    at.radio(key="goals_mode").set_value(False).run()
    at.selectbox(key="goals_node").set_value(186).run()
    weight = next(widget for widget in at.number_input if widget.label.startswith("权重"))
    weight.set_value(0.0)
    _text_input(at, "周期（2026 或 2026-11）").input("2026年")
    at = _submit(at, "保存")
    assert [error.value for error in at.error] == ["周期须为年份（2026）或月份（2026-11）"]
    assert _rows(private_app, select(Goal.weight, Goal.period).where(Goal.id == 186)) == [(0.4, "2026")]
    assert _rows(private_app, select(AuditEntry.action).where(AuditEntry.entity == "goal")) == []


def test_an_edit_sends_only_the_changed_fields_and_a_delete_removes_the_leaf(private_app):
    at = open_page("official_tongxu")
    at.radio(key="goals_mode").set_value(False).run()
    at.selectbox(key="goals_node").set_value(186).run()
    next(widget for widget in at.number_input if widget.label.startswith("权重")).set_value(0.5)
    at = _submit(at, "保存")
    assert at.success[0].value == "已保存。" and not at.error
    audit = select(AuditEntry.action, AuditEntry.before, AuditEntry.after).where(AuditEntry.entity == "goal")
    assert _rows(private_app, audit) == [("goal.update", '{"weight":0.4}', '{"weight":0.5}')]
    at.selectbox(key="goals_node").set_value(186).run()
    at = _submit(at, "删除此目标")
    assert at.success[0].value == "已删除。"
    assert "线上活动参与不少于5万人次" not in _titles(at)
    assert _rows(private_app, select(Goal.id).where(Goal.id == 186)) == []
    assert [action for action, _, _ in _rows(private_app, audit)] == ["goal.update", "goal.delete"]


def test_an_admin_moves_a_project_target_to_another_task_of_its_county(private_app):
    [(target_id,)] = _rows(private_app, select(Goal.id).where(Goal.parent_id == 8, Goal.level == "project_target")
                           .order_by(Goal.id).limit(1))
    at = open_page("admin")
    at.radio(key="goals_mode").set_value(False).run()
    at.selectbox(key="goals_node").set_value(target_id).run()
    next(box for box in at.selectbox if box.key and box.key.startswith("goals_move_")).set_value(184)
    at = _submit(at, "保存")
    assert at.success[0].value == "已保存。" and not at.error
    assert _rows(private_app, select(Goal.parent_id).where(Goal.id == target_id)) == [(184,)]
    audit = select(AuditEntry.before, AuditEntry.after).where(AuditEntry.entity == "goal")
    assert _rows(private_app, audit) == [('{"parent_id":8}', '{"parent_id":184}')]
